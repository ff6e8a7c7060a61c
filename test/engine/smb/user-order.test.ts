import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { userRanks } from '../../../engine/smb/user-order.ts';

/** Naive reference: users sorted by (hash & (buckets - 1), key bytes unsigned), rank = position. */
function naiveRanks(keys: Uint8Array, hashes: Uint32Array, count: number, numBuckets: number): number[] {
  const users = [...Array(count).keys()];
  const keyOf = (u: number) => [...keys.subarray(16 * u, 16 * u + 16)];
  users.sort((x, y) => {
    const b = (hashes[x]! & (numBuckets - 1)) - (hashes[y]! & (numBuckets - 1));
    if (b !== 0) return b;
    const kx = keyOf(x), ky = keyOf(y);
    for (let i = 0; i < 16; i++) if (kx[i] !== ky[i]) return kx[i]! - ky[i]!;
    return 0;
  });
  const rank: number[] = Array(count);
  users.forEach((u, r) => (rank[u] = r));
  return rank;
}

/** Distinct 16-byte keys; most share their first bytes (0 or 1 each), so keys whose packed prefixes tie are common. */
const keyArb = fc.oneof(
  fc.tuple(fc.uint8Array({ minLength: 6, maxLength: 6, min: 0, max: 1 }), fc.uint8Array({ minLength: 10, maxLength: 10 })).map(([a, b]) => Uint8Array.from([...a, ...b])),
  fc.uint8Array({ minLength: 16, maxLength: 16 }),
);
const keysArb = (maxUsers: number) => fc.uniqueArray(keyArb, { maxLength: maxUsers, selector: (k) => k.join(',') });

/** Where two rankings first differ (-1: equal), so a failure prints one position, not 65,536. */
const firstDiff = (a: ArrayLike<number>, b: ArrayLike<number>) => {
  for (let i = 0; i < Math.max(a.length, b.length); i++) if (a[i] !== b[i]) return i;
  return -1;
};

function layout(list: Uint8Array[]): Uint8Array {
  const keys = new Uint8Array(16 * list.length + 32); // spare capacity, as FixedKeyTable's buffer has
  list.forEach((k, u) => keys.set(k, 16 * u));
  return keys;
}

describe('userRanks', () => {
  it('ranks users by (bucket, key bytes) as a comparator sort does', () => {
    fc.assert(fc.property(keysArb(300), fc.integer({ min: 0, max: 16 }), fc.array(fc.nat(), { maxLength: 300 }), (list, bucketBits, hs) => {
      const keys = layout(list);
      const hashes = Uint32Array.from(list, (_, u) => (hs[u] ?? u * 2654435761) >>> 0);
      expect(firstDiff(userRanks(keys, hashes, list.length, 2 ** bucketBits), naiveRanks(keys, hashes, list.length, 2 ** bucketBits))).toBe(-1);
    }), { numRuns: 300 });
  });

  it('ranks exactly when the bucket and index bits leave only a few bits of key prefix (most users tie on it)', () => {
    // 2^30 buckets and 2^16 users: 30 + 16 bits, 7 left for a prefix.
    const count = 65_536;
    const keys = new Uint8Array(16 * count);
    let s = 7;
    for (let i = 0; i < keys.length; i++) keys[i] = (s = (Math.imul(s, 1103515245) + 12345) >>> 0) >>> 29; // bytes 0..7: many ties
    const hashes = Uint32Array.from({ length: count }, (_, u) => Math.imul(u, 2654435761) >>> 0);
    expect(firstDiff(userRanks(keys, hashes, count, 2 ** 30), naiveRanks(keys, hashes, count, 2 ** 30))).toBe(-1);
    expect(firstDiff(userRanks(keys, hashes, count, 8), naiveRanks(keys, hashes, count, 8))).toBe(-1);
  });

  it('ranks no users', () => {
    expect(userRanks(new Uint8Array(0), new Uint32Array(0), 0, 8)).toHaveLength(0);
  });
});
