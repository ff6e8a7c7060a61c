import { bucketOfHash, compareKeys } from '../../engine/smb/key.ts';

/**
 * The baseline for bucketing's user ranking (engine/smb/user-order.ts): the
 * comparator sort bucketing used before it, kept here to be timed beside it
 * in the micro benchmarks. Users sorted by (bucket, key bytes); rank = position.
 */
export function userRanksByComparator(keys: Uint8Array, hashes: Uint32Array, count: number, numBuckets: number): Int32Array {
  const users = Array.from({ length: count }, (_, u) => u);
  users.sort((x, y) => bucketOfHash(hashes[x]!, numBuckets) - bucketOfHash(hashes[y]!, numBuckets) || compareKeys(keys, x, keys, y));
  const rank = new Int32Array(count);
  users.forEach((u, r) => (rank[u] = r));
  return rank;
}
