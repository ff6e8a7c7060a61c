import * as fs from 'node:fs';
import * as path from 'node:path';
import { sortByRankThenTs } from '../kernels/rank-ts-sort.ts';
import { TsOrder } from '../kernels/ts-order.ts';
import { writeFileAtomic } from '../lake/atomic-file.ts';
import { readPlayFile } from '../lake/play-file.ts';
import type { RejectReason } from '../lake/play-schema.ts';
import { schemaDescription, SORT_KEYS } from './bucket-schema.ts';
import { BucketWriter } from './bucket-writer.ts';
import type { Dictionaries, RejectedRow } from './encode-plays.ts';
import { encodePlays, Overflow, prepareFile } from './encode-plays.ts';
import { bucketFileName, METADATA_FILE, REJECTS_FILE } from './filename-policy.ts';
import { bucketOfHash, HASH_SEED } from './key.ts';
import { userRanks } from './user-order.ts';
import { metadataText, readMetadata, SMB_FORMAT, SMB_FORMAT_VERSION, type BucketFileInfo, type BucketMetadata } from './metadata.ts';
import { rejectsFileBytes } from './rejects-file.ts';
import { RowBlock } from './row-block.ts';
import { readRun, writeRun } from './spill-run.ts';

export interface BucketSinkOptions {
  readonly numBuckets: number;
  readonly numShards: number;
  /** Bytes of rows held before a sorted run is spilled to disk. */
  readonly memoryBytes: number;
}

export interface BucketSinkResult {
  readonly metadata: BucketMetadata;
  /** True when the partition was already complete with the same inputs and settings. */
  readonly skipped: boolean;
  readonly spilledRuns: number;
  /** Files written into the partition (bucket files, rejects, metadata), and the wall time of creating and writing them. */
  readonly files: number;
  readonly writeMs: number;
}

/** Ranks of the block's users by (bucket, key bytes) (user-order.ts). */
function userRanksOf(b: RowBlock, numBuckets: number): Int32Array {
  return userRanks(b.userKeys, b.userHash, b.userCount, numBuckets);
}

/** The block's rows in (rank of user, ts) order, ties in arrival order. */
function sortBlock(b: RowBlock, rank: Int32Array, tsOrder: TsOrder): Uint32Array {
  return sortByRankThenTs(b.n, b.user, rank, b.ts, tsOrder);
}

/**
 * Rows of bucket files encoded together before they are written: the writer
 * gathers a batch a column at a time, so a batch should cover a day's block;
 * bounded so the encoded bytes held stay ~12 MB (a larger bucket is a batch of its own).
 */
const WRITE_BATCH_ROWS = 1 << 18;

/** The thread's writer: its output buffer is reused from partition to partition (fresh memory is slow to touch). */
const writer = new BucketWriter();

function sameInputs(m: BucketMetadata, inputs: BucketMetadata['inputs'], o: BucketSinkOptions): boolean {
  return m.numBuckets === o.numBuckets && m.numShards === o.numShards && JSON.stringify(m.inputs) === JSON.stringify(inputs);
}

/**
 * Converts one arrival-day partition of the lake into an SMB partition in
 * `outDir`. Bucket files first, metadata.json last (the commit marker); a
 * partition already complete with the same inputs and settings is a no-op.
 *
 * Memory: rows are held up to `memoryBytes`, then sorted and spilled as a run
 * (one record batch per bucket); runs are merged one bucket at a time, so the
 * merge holds one bucket. Limitation: a single bucket larger than memory is
 * still merged in memory (shard it, or use more buckets).
 */
export function bucketPartition(day: number, files: readonly string[], outDir: string, dicts: Dictionaries, o: BucketSinkOptions): BucketSinkResult {
  // Path, size and modification time identify an input: a regenerated lake file is rebucketed.
  const inputs = files.map((f) => {
    const st = fs.statSync(f);
    return { path: f, bytes: st.size, mtimeMs: st.mtimeMs };
  });
  if (fs.existsSync(path.join(outDir, METADATA_FILE))) {
    const m = readMetadata(outDir);
    if (sameInputs(m, inputs, o)) return { metadata: m, skipped: true, spilledRuns: 0, files: 0, writeMs: 0 };
  }
  // Anything here is from an interrupted or outdated run: start clean.
  fs.rmSync(outDir, { recursive: true, force: true });
  fs.mkdirSync(outDir, { recursive: true });

  const block = new RowBlock();
  const tsOrder = new TsOrder();
  const overflow = new Overflow();
  const rejects: RejectedRow[] = [];
  const rejectCounts: Partial<Record<RejectReason, number>> = {};
  const spillDir = path.join(outDir, '_spill');
  const runs: string[] = [];
  const spill = () => {
    const rank = userRanksOf(block, o.numBuckets);
    const order = sortBlock(block, rank, tsOrder);
    const file = path.join(spillDir, `run-${String(runs.length).padStart(5, '0')}.arrow`);
    writeRun(file, block, order, (u) => bucketOfHash(block.userHash[u]!, o.numBuckets), o.numBuckets);
    runs.push(file);
    block.n = 0;
  };
  // Encode in chunks so the budget holds even inside one large file.
  const chunk = Math.max(256, Math.min(1 << 16, Math.floor(o.memoryBytes / RowBlock.BYTES_PER_ROW)));
  for (const file of files) {
    const f = readPlayFile(file);
    const prepared = prepareFile(f, dicts, block, overflow);
    for (let s = 0; s < f.n; s += chunk) {
      encodePlays(prepared, s, Math.min(f.n, s + chunk), day, block, rejects, rejectCounts);
      if (block.n * RowBlock.BYTES_PER_ROW > o.memoryBytes) spill();
    }
  }

  const out: Written = { dir: outDir, infos: [], rows: 0, files: 0, writeMs: 0 };
  if (runs.length === 0) {
    const rank = userRanksOf(block, o.numBuckets);
    const order = sortBlock(block, rank, tsOrder);
    const starts = [0];
    let end = 0;
    for (let bucket = 0; bucket < o.numBuckets; bucket++) {
      while (end < block.n && bucketOfHash(block.userHash[block.user[order[end]!]!]!, o.numBuckets) === bucket) end++;
      starts.push(end);
    }
    writeBuckets(block, order, 0, starts, o, out);
  } else {
    if (block.n > 0) spill();
    const rank = userRanksOf(block, o.numBuckets);
    for (let bucket = 0; bucket < o.numBuckets; bucket++) {
      // Concatenating the runs' slices in run order, then a stable sort by (rank, ts),
      // is the k-way merge of sorted runs with ties to the earlier run: the same
      // order as sorting everything in memory.
      block.n = 0;
      for (const run of runs) readRun(run, bucket, block);
      const order = sortBlock(block, rank, tsOrder);
      writeBuckets(block, order, bucket, [0, block.n], o, out);
    }
    fs.rmSync(spillDir, { recursive: true, force: true });
  }
  timedWrite(out, REJECTS_FILE, rejectsFileBytes(rejects));

  const metadata: BucketMetadata = {
    format: SMB_FORMAT, version: SMB_FORMAT_VERSION,
    numBuckets: o.numBuckets, numShards: o.numShards,
    hashType: 'murmur3_32', hashSeed: HASH_SEED, keyField: 'user_id', keyEncoding: 'hex16', keyColumn: 'user_key',
    sortKeys: [...SORT_KEYS], schema: schemaDescription(),
    dictionaries: { track: dicts.track.ref, artist: dicts.artist.ref, album: dicts.album.ref },
    overflow: { track: overflow.track, artist: overflow.artist, album: overflow.album },
    arrivalDays: { first: day, last: day },
    rows: out.rows, rejects: rejectCounts, files: out.infos, inputs,
  };
  // metadata.json last: the partition's commit marker.
  timedWrite(out, METADATA_FILE, metadataText(metadata));
  return { metadata, skipped: false, spilledRuns: runs.length, files: out.files, writeMs: out.writeMs };
}

/** What a partition has written so far: its bucket files, their rows, and the files created and the time it took. */
interface Written {
  readonly dir: string;
  readonly infos: BucketFileInfo[];
  rows: number;
  files: number;
  writeMs: number;
}

/**
 * Writes one file of the partition, timed: creating files can cost far more
 * than writing their bytes (docs/architecture.md §2), so the report shows it.
 */
function timedWrite(out: Written, name: string, bytes: Uint8Array | string): void {
  const t = performance.now();
  writeFileAtomic(path.join(out.dir, name), bytes);
  out.writeMs += performance.now() - t;
  out.files++;
}

/**
 * Files of consecutive buckets `first`, first + 1, …: bucket first + q holds
 * rows order[starts[q], starts[q + 1]), split evenly into shards. Encoded in
 * batches (BucketWriter gathers a batch a column at a time), then written.
 *
 * A module function, not a closure made per partition: calls through closures
 * that are new each partition failed V8's check of the call's target
 * ("wrong call target") and deoptimized `bucketPartition` again and again
 * (--trace-deopt; docs/benchmarks.md, session 16).
 */
function writeBuckets(b: RowBlock, order: Uint32Array, first: number, starts: readonly number[], o: BucketSinkOptions, out: Written): void {
  const bounds: number[] = [];
  for (let q = 0; q + 1 < starts.length; q++) {
    const n = starts[q + 1]! - starts[q]!;
    for (let s = 0; s < o.numShards; s++) bounds.push(starts[q]! + Math.floor((n * s) / o.numShards));
  }
  bounds.push(starts.at(-1)!);
  for (let k0 = 0; k0 + 1 < bounds.length;) {
    let k1 = k0 + 1;
    while (k1 + 1 < bounds.length && bounds[k1 + 1]! - bounds[k0]! <= WRITE_BATCH_ROWS) k1++;
    const encoded = writer.encodeRanges(b, order, bounds.slice(k0, k1 + 1));
    for (let i = 0; i < encoded.length; i++) {
      const { bytes, buffers } = encoded[i]!;
      const k = k0 + i, bucket = first + Math.floor(k / o.numShards), shard = k % o.numShards;
      const name = bucketFileName(bucket, o.numBuckets, shard, o.numShards);
      timedWrite(out, name, bytes);
      const fileRows = bounds[k + 1]! - bounds[k]!;
      out.infos.push({ name, bucket, shard, rows: fileRows, bytes: bytes.length, buffers });
      out.rows += fileRows;
    }
    k0 = k1;
  }
}
