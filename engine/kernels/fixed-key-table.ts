/**
 * A hash table of fixed-width byte keys (16-byte user keys; 22-byte ids in the
 * baseline of the id lookups' benchmark, engine/smb/id-byte-index.ts), each
 * given a dense code 0, 1, 2, … in the order it was added. Keys are looked up
 * straight from the bytes they arrive in (a Parquet dictionary's UTF-8
 * buffer, a bucket file's key column): no string is built, no `Map` is
 * touched. The caller supplies each key's 32-bit hash — murmur3 for user keys,
 * whose value decides their bucket, or `hashAt` when any good hash will do.
 *
 * Open addressing with linear probing over a power-of-two slot array at most
 * half full; slots hold code + 1 (0 = empty). Keys and hashes are kept by code
 * (`keys`, `hashes`), so a table is also the list of its keys. Keys are
 * compared four bytes at a time through DataViews (unaligned reads are fine):
 * byte by byte, a 22-byte id cost ~4× as much per lookup (measured).
 */
export class FixedKeyTable {
  /** Bytes from one key to the next in `keys`: the width rounded up to 4 (the padding is zero). */
  readonly stride: number;
  /** Key of code c: keys[c * stride, c * stride + width). */
  keys: Uint8Array;
  /** Hash of code c, as given when it was added. */
  hashes: Uint32Array;
  size = 0;
  private slots: Int32Array;
  private mask: number;
  private keyView: DataView;
  /** Whole 32-bit words in a key, and the bytes after them (0–3). */
  private readonly words: number;
  private readonly tail: number;
  /** The view of the last source read (callers read many keys from one buffer). */
  private src: Uint8Array | null = null;
  private srcView: DataView<ArrayBufferLike> = new DataView(new ArrayBuffer(0));

  constructor(readonly width: number, capacity = 64) {
    let cap = 16;
    while (cap < capacity) cap *= 2;
    this.stride = (width + 3) & ~3;
    this.words = width >> 2;
    this.tail = width & 3;
    this.keys = new Uint8Array(cap * this.stride);
    this.keyView = new DataView(this.keys.buffer);
    this.hashes = new Uint32Array(cap);
    this.slots = new Int32Array(cap * 2);
    this.mask = cap * 2 - 1;
  }

  private view(src: Uint8Array): DataView<ArrayBufferLike> {
    if (src !== this.src) {
      this.src = src;
      this.srcView = new DataView(src.buffer, src.byteOffset, src.byteLength);
    }
    return this.srcView;
  }

  /** A 32-bit hash of the key at src[at, at + width), word by word (multiply-xorshift, then murmur3's finalizer). */
  hashAt(src: Uint8Array, at: number): number {
    const v = this.view(src);
    let h = this.width;
    for (let w = 0; w < this.words; w++) h = Math.imul(h ^ (h >>> 15) ^ v.getInt32(at + 4 * w, true), 0x9e3779b1);
    if (this.tail > 0) h = Math.imul(h ^ (h >>> 15) ^ tailWord(v, at + 4 * this.words, this.tail), 0x9e3779b1);
    h = Math.imul(h ^ (h >>> 16), 0x85ebca6b);
    h = Math.imul(h ^ (h >>> 13), 0xc2b2ae35);
    return (h ^ (h >>> 16)) >>> 0;
  }

  /** The code of the key at src[at, at + width), or -1. */
  find(src: Uint8Array, at: number, hash: number): number {
    const v = this.view(src);
    const { slots, mask, hashes, keyView, stride, words, tail } = this;
    const h = hash >>> 0;
    for (let s = h & mask; ; s = (s + 1) & mask) {
      const c = slots[s]! - 1;
      if (c < 0) return -1;
      if (hashes[c] !== h) continue;
      const o = c * stride;
      let w = 0;
      while (w < words && keyView.getInt32(o + 4 * w, true) === v.getInt32(at + 4 * w, true)) w++;
      if (w === words && (tail === 0 || keyView.getInt32(o + 4 * words, true) === tailWord(v, at + 4 * words, tail))) return c;
    }
  }

  /** The code of the key at src[at, at + width), adding it when absent. */
  add(src: Uint8Array, at: number, hash: number): number {
    const found = this.find(src, at, hash);
    if (found >= 0) return found;
    if (2 * (this.size + 1) > this.slots.length) this.grow();
    const c = this.size++;
    if (c >= this.hashes.length) {
      const keys = new Uint8Array(this.keys.length * 2);
      keys.set(this.keys);
      this.keys = keys;
      this.keyView = new DataView(keys.buffer);
      const hashes = new Uint32Array(this.hashes.length * 2);
      hashes.set(this.hashes);
      this.hashes = hashes;
    }
    this.keys.set(src.subarray(at, at + this.width), c * this.stride);
    this.hashes[c] = hash >>> 0;
    this.place(c);
    return c;
  }

  private place(c: number): void {
    const { slots, mask } = this;
    let s = this.hashes[c]! & mask;
    while (slots[s] !== 0) s = (s + 1) & mask;
    slots[s] = c + 1;
  }

  private grow(): void {
    this.slots = new Int32Array(this.slots.length * 2);
    this.mask = this.slots.length - 1;
    for (let c = 0; c < this.size; c++) this.place(c);
  }
}

/** The last 1–3 bytes of a key as a little-endian word, zero above (as they are stored). */
function tailWord(v: DataView, at: number, tail: number): number {
  if (tail === 1) return v.getUint8(at);
  if (tail === 2) return v.getUint16(at, true);
  return v.getUint16(at, true) | (v.getUint8(at + 2) << 16);
}
