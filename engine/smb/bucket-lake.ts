import * as fs from 'node:fs';
import * as path from 'node:path';
import { wrappedError } from '../errors/registry.ts';
import { partitionPath } from '../lake/calendar.ts';
import { listPlayPartitions } from '../lake/lake-layout.ts';
import { readParquetFile } from '../lake/parquet-io.ts';
import { WorkerPool } from '../pool/worker-pool.ts';
import type { BucketTaskInput, BucketTaskResult } from './bucket-task.ts';
import { chooseBucketCount, type BucketCount } from './bucket-count.ts';
import { extendDictionary } from './dictionary.ts';
import { isPowerOfTwo } from './key.ts';
import { utf8Strings } from '../columns/utf8-strings.ts';

export interface BucketLakeOptions {
  readonly lake: string;
  readonly smb: string;
  /** Buckets per partition (a power of two); default: chosen by `chooseBucketCount` (engine/smb/bucket-count.ts). */
  readonly numBuckets?: number;
  readonly numShards?: number;
  /** First and last arrival day (epoch days), inclusive. */
  readonly from?: number;
  readonly to?: number;
  /** Bytes of rows a worker holds before spilling a sorted run. */
  readonly memoryBytes?: number;
  readonly workers?: number;
  readonly onPartition?: (done: number, total: number, r: BucketTaskResult) => void;
}

export interface BucketLakeResult {
  /** Whether the stage catalog snapshot was (re)written; false when the one there was current. */
  readonly catalogSnapshot: boolean;
  readonly partitions: number;
  readonly skipped: number;
  readonly rows: number;
  readonly rejects: number;
  readonly bytes: number;
  readonly spilledRuns: number;
  /** Files the partitions wrote, and the workers' time creating and writing them (seconds, summed over workers). */
  readonly filesWritten: number;
  readonly writeSeconds: number;
  /** The bucket count used, and where it came from. */
  readonly buckets: BucketCount;
}

/** The SMB directory of an arrival day. */
export function smbPartitionDir(smb: string, day: number): string {
  return path.join(smb, 'plays', partitionPath(day));
}

function catalogIds(lake: string, file: string, column: string): string[] {
  const p = path.join(lake, 'catalog', file);
  if (!fs.existsSync(p)) throw wrappedError('ERR_LAKE_NOT_FOUND', { lake, expected: `a catalog file ${p}` });
  const v = readParquetFile(p, [column]).getChild(column);
  if (!v) throw wrappedError('ERR_LAKE_MISSING_COLUMN', { file: p, column, found: [] });
  return utf8Strings(v) as string[];
}

/**
 * Converts the lake's arrival-day partitions to SMB (`wrapped bucket`). First
 * extends the id dictionaries with the catalog's ids (tracks, then old alias
 * ids; artists; albums) and stores the stage catalog for them, then buckets
 * each partition on the pool. Complete partitions with unchanged inputs are skipped.
 */
export async function bucketLake(o: BucketLakeOptions): Promise<BucketLakeResult> {
  const numShards = o.numShards ?? 1;
  if (o.numBuckets !== undefined && (!isPowerOfTwo(o.numBuckets) || o.numBuckets > 65536)) throw wrappedError('ERR_SMB_BAD_OPTION', { option: '--buckets', expected: 'a power of two from 1 to 65536', actual: String(o.numBuckets) });
  if (!Number.isInteger(numShards) || numShards < 1 || numShards > 1024) throw wrappedError('ERR_SMB_BAD_OPTION', { option: '--shards', expected: 'an integer from 1 to 1024', actual: String(numShards) });
  const partitions = listPlayPartitions(o.lake, o.from, o.to).filter((p) => p.files.length > 0);
  const buckets = await chooseBucketCount(o.smb, partitions, o.numBuckets);
  const numBuckets = buckets.numBuckets;
  await extendDictionary(o.smb, 'track', [...catalogIds(o.lake, 'tracks.parquet', 'track_id'), ...catalogIds(o.lake, 'track_id_aliases.parquet', 'old_track_id')]);
  await extendDictionary(o.smb, 'artist', catalogIds(o.lake, 'artists.parquet', 'artist_id'));
  await extendDictionary(o.smb, 'album', catalogIds(o.lake, 'albums.parquet', 'album_id'));
  const pool = new WorkerPool({ workers: o.workers });
  const module = new URL('./bucket-task.ts', import.meta.url).href;
  let done = 0;
  try {
    // Stage 1's catalog, built once here rather than on every run (engine/catalog/catalog-snapshot.ts):
    // the first task, on a worker, while the other workers bucket partitions.
    const catalogSnapshot = pool.run<{ lake: string; smb: string }, boolean>({ module, fn: 'catalogSnapshotTask', input: { lake: o.lake, smb: o.smb } });
    const [snapshotWritten, results] = await Promise.all([catalogSnapshot, Promise.all(partitions.map(async (p) => {
      const input: BucketTaskInput = {
        smb: o.smb, day: p.day, files: p.files, outDir: smbPartitionDir(o.smb, p.day),
        numBuckets, numShards, memoryBytes: o.memoryBytes ?? 512 * 2 ** 20,
      };
      const r = await pool.run<BucketTaskInput, BucketTaskResult>({ module, fn: 'bucketTask', input });
      o.onPartition?.(++done, partitions.length, r);
      return r;
    }))]);
    const sum = (f: (r: BucketTaskResult) => number) => results.reduce((s, r) => s + f(r), 0);
    return {
      catalogSnapshot: snapshotWritten, partitions: results.length, skipped: sum((r) => (r.skipped ? 1 : 0)), rows: sum((r) => r.rows),
      rejects: sum((r) => r.rejects), bytes: sum((r) => r.bytes), spilledRuns: sum((r) => r.spilledRuns), buckets,
      filesWritten: sum((r) => r.files), writeSeconds: sum((r) => r.writeMs) / 1000,
    };
  } finally {
    await pool.close();
  }
}
