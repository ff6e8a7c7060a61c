import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { FixedKeyTable } from '../../../engine/kernels/fixed-key-table.ts';

describe('FixedKeyTable', () => {
  it('gives the codes of a Map from key text to first-seen index, keys read at any offset, through growth and colliding hashes', () => {
    for (const width of [1, 2, 3, 4, 7, 16, 22]) checkWidth(width);
  });

  function checkWidth(width: number): void {
    // Few distinct bytes make repeated keys; a hash of few bits makes colliding slots (equal hash, other key).
    // Keys differ in their last byte too, so a comparison that skips the tail is caught.
    const key = fc.uint8Array({ minLength: width, maxLength: width }).map((k) => k.map((b, i) => (i === 0 || i === width - 1 ? b % 4 : b % 2)));
    fc.assert(fc.property(fc.array(key, { maxLength: 400 }), fc.integer({ min: 0, max: 7 }), fc.integer({ min: 1, max: 64 }), (keys, at, capacity) => {
      const hashOf = (k: Uint8Array) => (k[0]! * 7 + (k[1] ?? 0)) & 15;
      const table = new FixedKeyTable(width, capacity);
      const ref = new Map<string, number>();
      for (const k of keys) {
        const src = new Uint8Array(at + width + 2).fill(9);
        src.set(k, at);
        const text = k.join(',');
        const want = ref.get(text) ?? -1;
        expect(table.find(src, at, hashOf(k))).toBe(want);
        if (want < 0) ref.set(text, ref.size);
        expect(table.add(src, at, hashOf(k))).toBe(ref.get(text));
      }
      expect(table.size).toBe(ref.size);
      for (const [text, code] of ref) {
        expect(Array.from(table.keys.subarray(code * table.stride, code * table.stride + width)).join(',')).toBe(text);
        expect(table.hashes[code]).toBe(hashOf(Uint8Array.from(text.split(',').map(Number))));
      }
    }), { numRuns: 100 });
  }

  it('hashes a key the same at any offset, and only by its own bytes', () => {
    fc.assert(fc.property(fc.uint8Array({ minLength: 22, maxLength: 22 }), fc.nat(9), fc.nat(255), (k, at, fill) => {
      const table = new FixedKeyTable(22);
      const src = new Uint8Array(at + 22 + 3).fill(fill);
      src.set(k, at);
      expect(table.hashAt(src, at)).toBe(table.hashAt(k, 0));
    }));
  });

  it('takes unsigned 32-bit hashes above 2^31', () => {
    const table = new FixedKeyTable(2);
    const a = Uint8Array.of(1, 2), b = Uint8Array.of(3, 4);
    expect(table.add(a, 0, 0xfffffff0)).toBe(0);
    expect(table.add(b, 0, 0xfffffff0)).toBe(1);
    expect(table.find(a, 0, 0xfffffff0)).toBe(0);
    expect(table.find(b, 0, 0xfffffff0)).toBe(1);
    expect(table.hashes[0]).toBe(0xfffffff0);
  });
});
