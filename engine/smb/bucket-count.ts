import type { PlayPartition } from '../lake/lake-layout.ts';

/**
 * How many buckets a partition gets when `--buckets` is not given.
 *
 * Every bucket of every day is a file, and a file has a fixed cost (creating
 * it, its Arrow IPC framing, its metadata entry, opening it again in stage 1
 * and the roll-up) that a few hundred rows do not pay back: a 2,000-user year
 * in 64 buckets is 23,000 files of ~480 rows. So the count follows the data:
 * the largest power of two that leaves a median day's bucket files at least
 * TARGET_ROWS rows, never below MIN_BUCKETS (the unit of restart and of
 * memory in the stages). A bigger lake gets more buckets, so a bucket of the
 * year roll-up stays a size the stages hold in memory.
 *
 * An SMB directory that already has partitions keeps their count (the latest
 * partition's): partitions of one directory are meant to be read together.
 */
export const TARGET_ROWS = 4096;
export const MIN_BUCKETS = 8;
export const MAX_BUCKETS = 65536;
/** Days whose footers are read to estimate a day's rows (spread over the range). */
const SAMPLE_DAYS = 9;

export interface BucketCount {
  readonly numBuckets: number;
  /** Where the count came from: the option, the directory's partitions, or the lake's size. */
  readonly from: 'option' | 'existing' | 'lake';
  /** The median rows of the sampled days, when the count came from the lake. */
  readonly medianDayRows?: number;
}

/** The bucket count for rows per day: the largest power of two with ≥ TARGET_ROWS rows per bucket, within [MIN_BUCKETS, MAX_BUCKETS]. */
export function bucketsForDayRows(rows: number): number {
  let n = MIN_BUCKETS;
  while (n < MAX_BUCKETS && rows / (n * 2) >= TARGET_ROWS) n *= 2;
  return n;
}

export async function chooseBucketCount(smb: string, partitions: readonly PlayPartition[], option?: number): Promise<BucketCount> {
  if (option !== undefined) return { numBuckets: option, from: 'option' };
  // Loaded here, not with this module: the CLI reads this module's constants for its help (and they would bring Arrow).
  const { latestSmbPartition } = await import('./smb-layout.ts');
  const existing = latestSmbPartition(smb);
  if (existing) return { numBuckets: existing.numBuckets, from: 'existing' };
  const withFiles = partitions.filter((p) => p.files.length > 0);
  if (withFiles.length === 0) return { numBuckets: MIN_BUCKETS, from: 'lake', medianDayRows: 0 };
  const k = Math.min(SAMPLE_DAYS, withFiles.length);
  const sample = Array.from({ length: k }, (_, i) => withFiles[Math.floor(((i + 0.5) * withFiles.length) / k)]!);
  const { parquetRowCount } = await import('../lake/parquet-io.ts');
  const rows = await Promise.all(sample.map(async (p) => (await Promise.all(p.files.map(parquetRowCount))).reduce((s, x) => s + x, 0)));
  rows.sort((a, b) => a - b);
  const median = rows[Math.floor(rows.length / 2)]!;
  return { numBuckets: bucketsForDayRows(median), from: 'lake', medianDayRows: median };
}

/** Where a bucket count came from, for people. */
export function bucketCountOrigin(b: BucketCount): string {
  if (b.from === 'option') return '--buckets';
  if (b.from === 'existing') return 'the count of the partitions already in the SMB directory';
  return `chosen from the lake: a median day of ${b.medianDayRows ?? 0} rows`;
}
