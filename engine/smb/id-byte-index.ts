import { BASE62_ID_LENGTH, isBase62Id } from '../lake/id-format.ts';

/** Int32 words per slot: the code + 1 (0 = empty), then the id's 22 bytes as five words and a 16-bit tail, then padding. */
const SLOT = 8;

/**
 * A dictionary's ids looked up by their UTF-8 bytes: bucketing maps each
 * entry of a day file's track, artist and album dictionaries (tens of
 * thousands per file) to a code straight from the Parquet dictionary's
 * buffer, with no string decoded and no `Map` lookup. Only ids of the SPEC's
 * form (22 base62 characters) are held: a row's id is checked for that form
 * first, so no other id could ever be looked up.
 *
 * Open addressing with linear probing, at most half full, each slot 32 bytes
 * holding the code and the id's bytes themselves: a lookup reads one slot
 * (usually one cache line) and compares six words, instead of a slot, then the
 * code's hash, then its key elsewhere — three dependent misses into a table of
 * megabytes that the rest of bucketing evicts between files (docs/benchmarks.md,
 * session 19).
 */
export class IdByteIndex {
  /** The view of the last source read (callers read many ids from one buffer). */
  private src: Uint8Array | null = null;
  private view: DataView<ArrayBufferLike> = new DataView(new ArrayBuffer(0));

  private constructor(private readonly slots: Int32Array, private readonly mask: number) {}

  static of(ids: readonly string[]): IdByteIndex {
    let cap = 16;
    while (cap < 2 * ids.length) cap *= 2;
    const slots = new Int32Array(cap * SLOT);
    const mask = cap - 1;
    const w = new Int32Array(6);
    ids.forEach((id, code) => {
      if (!isBase62Id(id)) return;
      for (let k = 0; k < 5; k++) w[k] = id.charCodeAt(4 * k) | (id.charCodeAt(4 * k + 1) << 8) | (id.charCodeAt(4 * k + 2) << 16) | (id.charCodeAt(4 * k + 3) << 24);
      w[5] = id.charCodeAt(20) | (id.charCodeAt(21) << 8);
      for (let s = hashWords(w[0]!, w[1]!, w[2]!, w[3]!, w[4]!, w[5]!) & mask; ; s = (s + 1) & mask) {
        const o = s * SLOT;
        if (slots[o] === 0) {
          slots[o] = code + 1;
          slots.set(w, o + 1);
          return;
        }
        // A dictionary holds each id once; were one repeated, its first code would stand.
        if (slots[o + 1] === w[0] && slots[o + 2] === w[1] && slots[o + 3] === w[2] && slots[o + 4] === w[3] && slots[o + 5] === w[4] && slots[o + 6] === w[5]) return;
      }
    });
    return new IdByteIndex(slots, mask);
  }

  /** The code of the id at bytes[at, at + 22) (already checked to be base62), or -1. */
  get(bytes: Uint8Array, at: number): number {
    if (bytes !== this.src) {
      this.src = bytes;
      this.view = new DataView(bytes.buffer, bytes.byteOffset, bytes.byteLength);
    }
    const v = this.view;
    const w0 = v.getInt32(at, true), w1 = v.getInt32(at + 4, true), w2 = v.getInt32(at + 8, true);
    const w3 = v.getInt32(at + 12, true), w4 = v.getInt32(at + 16, true), w5 = v.getUint16(at + 20, true);
    const slots = this.slots, mask = this.mask;
    for (let s = hashWords(w0, w1, w2, w3, w4, w5) & mask; ; s = (s + 1) & mask) {
      const o = s * SLOT;
      const c = slots[o]!;
      if (c === 0) return -1;
      if (slots[o + 1] === w0 && slots[o + 2] === w1 && slots[o + 3] === w2 && slots[o + 4] === w3 && slots[o + 5] === w4 && slots[o + 6] === w5) return c - 1;
    }
  }
}

/** A 32-bit hash of an id's six words (multiply-xorshift, then murmur3's finalizer). */
function hashWords(w0: number, w1: number, w2: number, w3: number, w4: number, w5: number): number {
  let h = Math.imul(w0 ^ BASE62_ID_LENGTH, 0x9e3779b1);
  h = Math.imul(h ^ (h >>> 15) ^ w1, 0x9e3779b1);
  h = Math.imul(h ^ (h >>> 15) ^ w2, 0x9e3779b1);
  h = Math.imul(h ^ (h >>> 15) ^ w3, 0x9e3779b1);
  h = Math.imul(h ^ (h >>> 15) ^ w4, 0x9e3779b1);
  h = Math.imul(h ^ (h >>> 15) ^ w5, 0x9e3779b1);
  h = Math.imul(h ^ (h >>> 16), 0x85ebca6b);
  h = Math.imul(h ^ (h >>> 13), 0xc2b2ae35);
  return (h ^ (h >>> 16)) >>> 0;
}
