import * as crypto from 'node:crypto';
import * as fs from 'node:fs';
import * as path from 'node:path';
import * as arrow from 'apache-arrow';
import { writeFileAtomic } from '../lake/atomic-file.ts';
import type { RejectReason } from '../lake/play-schema.ts';
import { ROLLUP_SORT_KEYS } from './bucket-schema.ts';
import { BucketWriter } from './bucket-writer.ts';
import { METADATA_FILE, REJECTS_FILE } from './filename-policy.ts';
import { writeMetadata, type BucketFileInfo, type BucketMetadata } from './metadata.ts';
import { RowBlock } from './row-block.ts';
import { SmbSource } from './smb-source.ts';
import { WorkerPool } from '../pool/worker-pool.ts';
import { rollUpBucket, type OverflowRemap, type RollupTaskInput } from './rollup-task.ts';

/** SHA-256 of a partition's metadata.json: names exactly the data a roll-up was made from. */
export function partitionDigest(dir: string): string {
  return crypto.createHash('sha256').update(fs.readFileSync(path.join(dir, METADATA_FILE))).digest('hex');
}

/** The roll-up's overflow lists (every input's, interned in partition order) and each input's codes in them. */
function overflowOf(parts: SmbSource['partitions']): { overflow: BucketMetadata['overflow']; remap: OverflowRemap } {
  const overflow = { track: [] as string[], artist: [] as string[], album: [] as string[] };
  const index = { track: new Map<string, number>(), artist: new Map<string, number>(), album: new Map<string, number>() };
  const codes = (col: 'track' | 'artist' | 'album') => parts.map((p) => Int32Array.from(p.metadata.overflow[col], (id) => -(RowBlock.intern(overflow[col], index[col], id) + 1)));
  return { overflow, remap: { track: codes('track'), artist: codes('artist'), album: codes('album') } };
}

export interface RollupOptions {
  /** The SMB root, to check each partition's dictionaries against its store. */
  readonly smb?: string;
  /** Worker threads (default: one per core); 0 rolls up on this thread. */
  readonly workers?: number;
  readonly onBucket?: (done: number, total: number, rows: number) => void;
}

/**
 * Rolls several SMB partitions (the days of a week, or of a whole year) up
 * into one, bucket by bucket with the same bucketing (read → merge → write;
 * the SMB transform), buckets in parallel on the worker pool. Rows keep their
 * arrival_day, so every SPEC §3 rule applies to the roll-up exactly as to
 * the days it replaces.
 *
 * Why rows and not per-(user, track) sums: SPEC §3 counts duplicates once
 * "wherever they sit in the lake", and a re-sent play can land in the next
 * week; a partial sum cannot tell a duplicate from a second play, a row can.
 *
 * What it buys: one file per bucket, and each user's rows as ONE range sorted
 * by (track, ts) (ROLLUP_SORT_KEYS) — stage 1 reads a user as a single range,
 * looks a track up once per run of its plays, and finds duplicates among
 * neighbours instead of through a hash table.
 *
 * The merge, in typed arrays: a bucket's files are concatenated in arrival
 * order; the key-group scan lays each user's runs out one after another
 * (per user and file, not per row); within a user the rows that arrived in
 * time order stay put and only those that go back in time are sorted and
 * merged in. That is the k-way merge by (key, ts) with ties to the earlier
 * partition, at the cost of a scan plus a sort of the late rows; a stable
 * radix sort by track code (CodeOrder) then groups each user's tracks.
 * Output is the same whatever the number of workers.
 */
export async function rollUpPartitions(inputDirs: readonly string[], outDir: string, options: RollupOptions = {}): Promise<BucketMetadata> {
  const source = SmbSource.open(inputDirs, { strategy: 'min', smb: options.smb });
  const parts = source.partitions;
  fs.rmSync(outDir, { recursive: true, force: true });
  fs.mkdirSync(outDir, { recursive: true });
  const { overflow, remap } = overflowOf(parts);
  const files: BucketFileInfo[] = new Array(source.numBuckets);
  let done = 0;
  if (options.workers === 0) {
    // A writer of its own: its buffer (the size of the largest bucket's file) is dropped when the roll-up returns.
    const writer = new BucketWriter();
    for (let j = 0; j < source.numBuckets; j++) {
      files[j] = rollUpBucket(source, j, remap, outDir, writer);
      options.onBucket?.(++done, source.numBuckets, files[j]!.rows);
    }
  } else {
    const pool = new WorkerPool({ workers: options.workers });
    const module = new URL('./rollup-task.ts', import.meta.url).href;
    try {
      await Promise.all(Array.from({ length: source.numBuckets }, async (_, j) => {
        files[j] = await pool.run<RollupTaskInput, BucketFileInfo>({ module, fn: 'rollupTask', input: { dirs: inputDirs, smb: options.smb, outDir, bucket: j, remap } });
        options.onBucket?.(++done, source.numBuckets, files[j]!.rows);
      }));
    } finally {
      await pool.close();
    }
  }
  const rows = files.reduce((s, f) => s + f.rows, 0);
  // Rejects travel with the roll-up: the rows, and their counts.
  const rejectTables = parts.map((p) => arrow.tableFromIPC(fs.readFileSync(path.join(p.dir, REJECTS_FILE)))).filter((t) => t.numRows > 0);
  const rejectsTable = rejectTables.length > 0 ? rejectTables.reduce((a, b) => a.concat(b)) : arrow.tableFromIPC(fs.readFileSync(path.join(parts[0]!.dir, REJECTS_FILE)));
  writeFileAtomic(path.join(outDir, REJECTS_FILE), arrow.tableToIPC(rejectsTable, 'file'));
  const rejects: Partial<Record<RejectReason, number>> = {};
  for (const p of parts) for (const [k, v] of Object.entries(p.metadata.rejects) as Array<[RejectReason, number]>) rejects[k] = (rejects[k] ?? 0) + v;
  const latest = (col: 'track' | 'artist' | 'album') => parts.map((p) => p.metadata.dictionaries[col]).reduce((a, b) => (b.version > a.version ? b : a));
  const first = parts[0]!.metadata;
  const metadata: BucketMetadata = {
    ...first,
    numBuckets: source.numBuckets, numShards: 1, sortKeys: [...ROLLUP_SORT_KEYS],
    dictionaries: { track: latest('track'), artist: latest('artist'), album: latest('album') },
    overflow,
    arrivalDays: { first: Math.min(...parts.map((p) => p.metadata.arrivalDays.first)), last: Math.max(...parts.map((p) => p.metadata.arrivalDays.last)) },
    rows, rejects, files,
    inputs: parts.map((p) => ({ path: p.dir, bytes: fs.statSync(path.join(p.dir, METADATA_FILE)).size, sha256: partitionDigest(p.dir) })),
  };
  writeMetadata(outDir, metadata);
  return metadata;
}
