/**
 * Bucket file names: `bucket-00003-of-00064.arrow`, and with shards
 * `bucket-00003-of-00064-shard-00001-of-00004.arrow`. Five digits, zero-padded,
 * so names sort in bucket order.
 */
const pad = (n: number) => String(n).padStart(5, '0');

export function bucketFileName(bucket: number, numBuckets: number, shard: number, numShards: number): string {
  const base = `bucket-${pad(bucket)}-of-${pad(numBuckets)}`;
  return numShards === 1 ? `${base}.arrow` : `${base}-shard-${pad(shard)}-of-${pad(numShards)}.arrow`;
}

export const METADATA_FILE = 'metadata.json';
export const REJECTS_FILE = 'rejects.arrow';
