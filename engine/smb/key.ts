import { murmur3_32 } from './murmur3.ts';

/**
 * The SMB key: user_id's 32 hex characters decoded to 16 bytes (big-endian
 * nibble order, so byte order = hex string order), stored as FixedSizeBinary(16)
 * `user_key`. The bucket of a key is the low bits of murmur3_32(key bytes, seed 0):
 * `hash & (numBuckets - 1)`, numBuckets a power of two. With low-bit bucketing a
 * key's bucket among 16 is its bucket among 64 mod 16, which is what lets
 * sources with different bucket counts merge without a rehash of the data.
 */
export const KEY_BYTES = 16;
export const HASH_SEED = 0;

const NIBBLE = new Int8Array(256).fill(-1);
for (let i = 0; i < 10; i++) NIBBLE[48 + i] = i;
for (let i = 0; i < 6; i++) NIBBLE[97 + i] = 10 + i;

/** Decodes 32 lowercase hex characters at src[s..s+32) into dst[d..d+16). False when not valid hex. */
export function decodeHexKey(src: Uint8Array, s: number, dst: Uint8Array, d: number): boolean {
  for (let i = 0; i < KEY_BYTES; i++) {
    const hi = NIBBLE[src[s + 2 * i]!]!;
    const lo = NIBBLE[src[s + 2 * i + 1]!]!;
    if ((hi | lo) < 0) return false;
    dst[d + i] = (hi << 4) | lo;
  }
  return true;
}

const HEX = '0123456789abcdef';

/** The user_id of a key (for output and tests, not hot loops). */
export function keyToHex(key: Uint8Array, d = 0): string {
  let s = '';
  for (let i = 0; i < KEY_BYTES; i++) s += HEX[key[d + i]! >> 4]! + HEX[key[d + i]! & 15]!;
  return s;
}

export function hexToKey(hex: string): Uint8Array {
  const out = new Uint8Array(KEY_BYTES);
  if (!decodeHexKey(new TextEncoder().encode(hex), 0, out, 0)) throw new RangeError(`not a 32-hex-character user id: ${hex}`);
  return out;
}

/** The bucketing hash of row `row`'s key (murmur3 with HASH_SEED): what places a user in a bucket and what rehash filters test. */
export function keyHash(keys: Uint8Array, row: number): number {
  return murmur3_32(keys, row * KEY_BYTES, KEY_BYTES, HASH_SEED);
}

export function bucketOfHash(hash: number, numBuckets: number): number {
  return hash & (numBuckets - 1);
}

/** Compares the keys at rows a (of ka) and b (of kb) as unsigned bytes: <0, 0, >0. */
export function compareKeys(ka: Uint8Array, a: number, kb: Uint8Array, b: number): number {
  const oa = a * KEY_BYTES;
  const ob = b * KEY_BYTES;
  for (let i = 0; i < KEY_BYTES; i++) {
    const d = ka[oa + i]! - kb[ob + i]!;
    if (d !== 0) return d;
  }
  return 0;
}

/**
 * A key column as 32-bit words, four per key: a view of the same bytes when
 * they are 4-byte aligned (bucket files are: Arrow pads buffers to 8), else a
 * copy. For equality only (word order is not key order).
 */
export function keyWords(keys: Uint8Array): Int32Array {
  const aligned = keys.byteOffset % 4 === 0 ? keys : keys.slice();
  return new Int32Array(aligned.buffer, aligned.byteOffset, aligned.length >> 2);
}

/** True when rows a and b of a key column (as `keyWords`) hold the same key. */
export function sameKeyWords(wa: Int32Array, a: number, wb: Int32Array, b: number): boolean {
  const oa = 4 * a, ob = 4 * b;
  return wa[oa] === wb[ob] && wa[oa + 1] === wb[ob + 1] && wa[oa + 2] === wb[ob + 2] && wa[oa + 3] === wb[ob + 3];
}

/**
 * End of the run of rows whose key equals row `start`'s, in keys sorted by
 * key (n rows, as `keyWords`): galloping then binary search, O(log run) key
 * comparisons (a user's run in one file is often long), each four word
 * compares.
 */
export function keyRunEnd(words: Int32Array, n: number, start: number): number {
  let step = 1;
  let lo = start + 1;
  let hi = start + 1;
  while (hi < n && sameKeyWords(words, hi, words, start)) {
    lo = hi + 1;
    hi = start + (step *= 2);
  }
  if (hi > n) hi = n;
  while (lo < hi) {
    const mid = (lo + hi) >>> 1;
    if (sameKeyWords(words, mid, words, start)) lo = mid + 1;
    else hi = mid;
  }
  return lo;
}

export function isPowerOfTwo(n: number): boolean {
  return Number.isInteger(n) && n > 0 && (n & (n - 1)) === 0;
}
