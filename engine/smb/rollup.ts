import * as crypto from 'node:crypto';
import * as fs from 'node:fs';
import * as path from 'node:path';
import * as arrow from 'apache-arrow';
import { invariant } from '../errors/invariant.ts';
import { TsOrder } from '../kernels/ts-order.ts';
import { writeFileAtomic } from '../lake/parquet-io.ts';
import type { RejectReason } from '../lake/play-schema.ts';
import { BucketWriter } from './bucket-writer.ts';
import { bucketFileName, METADATA_FILE, REJECTS_FILE } from './filename-policy.ts';
import { KEY_BYTES, keyHash } from './key.ts';
import { userRuns } from './user-runs.ts';
import { writeMetadata, type BucketFileInfo, type BucketMetadata } from './metadata.ts';
import { RowBlock } from './row-block.ts';
import { SmbSource } from './smb-source.ts';
import { WorkerPool } from '../pool/worker-pool.ts';
import type { RollupTaskInput } from './rollup-task.ts';

/** SHA-256 of a partition's metadata.json: names exactly the data a roll-up was made from. */
export function partitionDigest(dir: string): string {
  return crypto.createHash('sha256').update(fs.readFileSync(path.join(dir, METADATA_FILE))).digest('hex');
}

/** Per partition and id column: overflow index → the roll-up's overflow code (negative). */
export interface OverflowRemap {
  readonly track: readonly Int32Array[];
  readonly artist: readonly Int32Array[];
  readonly album: readonly Int32Array[];
}

/** The roll-up's overflow lists (every input's, interned in partition order) and each input's codes in them. */
function overflowOf(parts: SmbSource['partitions']): { overflow: BucketMetadata['overflow']; remap: OverflowRemap } {
  const overflow = { track: [] as string[], artist: [] as string[], album: [] as string[] };
  const index = { track: new Map<string, number>(), artist: new Map<string, number>(), album: new Map<string, number>() };
  const codes = (col: 'track' | 'artist' | 'album') => parts.map((p) => Int32Array.from(p.metadata.overflow[col], (id) => -(RowBlock.intern(overflow[col], index[col], id) + 1)));
  return { overflow, remap: { track: codes('track'), artist: codes('artist'), album: codes('album') } };
}

/** Rolls up logical bucket j of `source` into `outDir` (one file, written atomically). */
export function rollUpBucket(source: SmbSource, j: number, remap: OverflowRemap, outDir: string, writer = new BucketWriter()): BucketFileInfo {
  const inputs = source.readBucket(j);
  const total = inputs.reduce((s, x) => s + x.columns.n, 0);
  const block = new RowBlock();
  block.reserve(total);
  block.n = total;
  const start = new Int32Array(inputs.length);
  let at = 0;
  inputs.forEach((x, k) => {
    start[k] = at;
    const c = x.columns;
    const n = c.n;
    for (let i = 0; i < n; i++) {
      const ts = c.tsWords[2 * i + 1]! * 4294967296 + (c.tsWords[2 * i]! >>> 0);
      block.ts[at + i] = ts;
    }
    block.ms.set(c.ms, at);
    block.arrival.set(c.arrival, at);
    block.source.set(c.source, at);
    block.priv.set(c.priv, at);
    for (const col of ['track', 'artist', 'album'] as const) {
      const to = block[col], from = c[col], map = remap[col][x.partition]!;
      to.set(from, at);
      for (let i = 0; i < n; i++) if (from[i]! < 0) to[at + i] = map[-from[i]! - 1]!;
    }
    const device = Int32Array.from(c.device.dictionary, (s) => RowBlock.intern(block.devices, block.deviceIndex, s));
    const country = Int32Array.from(c.country.dictionary, (s) => RowBlock.intern(block.countries, block.countryIndex, s));
    for (let i = 0; i < n; i++) {
      block.device[at + i] = device[c.device.codes[i]!]!;
      block.country[at + i] = country[c.country.codes[i]!]!;
    }
    at += n;
  });
  // Users in key order (userRuns: no heap over ~330 day files). Each user's runs (one per input that has the user) are laid out
  // one after another in input order: that is already the order by (user, arrival), and
  // a row's index in the concatenation is its arrival-order tie-break.
  const order = new Uint32Array(total);
  let q = 0;
  const tsOrder = new TsOrder();
  const ur = userRuns(inputs);
  for (let g = 0; g < ur.users; g++) {
    const keyCols = inputs[ur.keyInput[g]!]!.columns;
    const u = block.internUser(keyCols.keys, ur.keyRow[g]! * KEY_BYTES, keyHash(keyCols.keys, ur.keyRow[g]!));
    const first = q;
    for (let r = ur.runStart[g]!; r < ur.runStart[g + 1]!; r++) {
      const base = start[ur.runs[3 * r]!]!;
      const e = base + ur.runs[3 * r + 2]!;
      block.user.fill(u, base + ur.runs[3 * r + 1]!, e);
      for (let i = base + ur.runs[3 * r + 1]!; i < e; i++) order[q++] = i;
    }
    // Then by ts within the user (stable: equal ts keep arrival order). Day files arrive
    // roughly in time order, so most rows already follow (TsOrder).
    tsOrder.sort(order, first, q, block.ts);
  }
  invariant(q === total, () => `roll-up of bucket ${j}: ${total - q} rows belong to no key group`);
  const name = bucketFileName(j, source.numBuckets, 0, 1);
  const { bytes, buffers } = writer.encode(block, order, 0, total);
  writeFileAtomic(path.join(outDir, name), bytes);
  return { name, bucket: j, shard: 0, rows: total, bytes: bytes.length, buffers };
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
 * What it buys: one file per bucket, and each user's rows as ONE run sorted
 * by ts — stage 1 then reads a user as a single range and finds duplicates
 * among neighbours instead of through a hash table.
 *
 * The merge, in typed arrays: a bucket's files are concatenated in arrival
 * order; the key-group scan lays each user's runs out one after another
 * (per user and file, not per row); within a user the rows that arrived in
 * time order stay put and only those that go back in time are sorted and
 * merged in. The result is the k-way merge by (key, ts) with ties to the
 * earlier partition, at the cost of a scan plus a sort of the late rows.
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
    numBuckets: source.numBuckets, numShards: 1,
    dictionaries: { track: latest('track'), artist: latest('artist'), album: latest('album') },
    overflow,
    arrivalDays: { first: Math.min(...parts.map((p) => p.metadata.arrivalDays.first)), last: Math.max(...parts.map((p) => p.metadata.arrivalDays.last)) },
    rows, rejects, files,
    inputs: parts.map((p) => ({ path: p.dir, bytes: fs.statSync(path.join(p.dir, METADATA_FILE)).size, sha256: partitionDigest(p.dir) })),
  };
  writeMetadata(outDir, metadata);
  return metadata;
}
