/**
 * MurmurHash3 x86_32 (Austin Appleby), the hash of Scio's MURMUR3_32 bucketing,
 * over a byte range in plain JS: ~20× faster per short key than a WASM call.
 * Returns an unsigned 32-bit integer. Reads bytes little-endian, as the reference.
 */
export function murmur3_32(bytes: Uint8Array, start: number, length: number, seed = 0): number {
  let h = seed >>> 0;
  const blocks = length & ~3;
  for (let i = start; i < start + blocks; i += 4) {
    let k = bytes[i]! | (bytes[i + 1]! << 8) | (bytes[i + 2]! << 16) | (bytes[i + 3]! << 24);
    k = Math.imul(k, 0xcc9e2d51);
    k = (k << 15) | (k >>> 17);
    k = Math.imul(k, 0x1b873593);
    h ^= k;
    h = (h << 13) | (h >>> 19);
    h = (Math.imul(h, 5) + 0xe6546b64) | 0;
  }
  const rest = length & 3;
  if (rest > 0) {
    const tail = start + blocks;
    let k = 0;
    if (rest === 3) k ^= bytes[tail + 2]! << 16;
    if (rest >= 2) k ^= bytes[tail + 1]! << 8;
    k ^= bytes[tail]!;
    k = Math.imul(k, 0xcc9e2d51);
    k = (k << 15) | (k >>> 17);
    k = Math.imul(k, 0x1b873593);
    h ^= k;
  }
  h ^= length;
  h ^= h >>> 16;
  h = Math.imul(h, 0x85ebca6b);
  h ^= h >>> 13;
  h = Math.imul(h, 0xc2b2ae35);
  h ^= h >>> 16;
  return h >>> 0;
}
