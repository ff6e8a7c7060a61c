/**
 * A hash table of fixed-width byte keys (16-byte user keys, 22-byte ids), each
 * given a dense code 0, 1, 2, … in the order it was added. Keys are looked up
 * straight from the bytes they arrive in (a Parquet dictionary's UTF-8
 * buffer, a bucket file's key column): no string is built, no `Map` is
 * touched. The caller supplies each key's 32-bit hash (murmur3, which
 * bucketing computes anyway), so the table never hashes twice.
 *
 * Open addressing with linear probing over a power-of-two slot array at most
 * half full; slots hold code + 1 (0 = empty). Keys and hashes are kept by code
 * (`keys`, `hashes`), so a table is also the list of its keys.
 */
export class FixedKeyTable {
  /** Key of code c: keys[c * width, (c + 1) * width). */
  keys: Uint8Array;
  /** Hash of code c, as given when it was added. */
  hashes: Uint32Array;
  size = 0;
  private slots: Int32Array;
  private mask: number;

  constructor(readonly width: number, capacity = 64) {
    let cap = 16;
    while (cap < capacity) cap *= 2;
    this.keys = new Uint8Array(cap * width);
    this.hashes = new Uint32Array(cap);
    this.slots = new Int32Array(cap * 2);
    this.mask = cap * 2 - 1;
  }

  /** The code of the key at src[at, at + width), or -1. */
  find(src: Uint8Array, at: number, hash: number): number {
    const { slots, mask, keys, width, hashes } = this;
    for (let s = hash & mask; ; s = (s + 1) & mask) {
      const c = slots[s]! - 1;
      if (c < 0) return -1;
      if (hashes[c] === hash >>> 0 && sameKey(keys, c * width, src, at, width)) return c;
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
      const hashes = new Uint32Array(this.hashes.length * 2);
      hashes.set(this.hashes);
      this.hashes = hashes;
    }
    this.keys.set(src.subarray(at, at + this.width), c * this.width);
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

function sameKey(a: Uint8Array, ao: number, b: Uint8Array, bo: number, width: number): boolean {
  for (let i = 0; i < width; i++) if (a[ao + i] !== b[bo + i]) return false;
  return true;
}
