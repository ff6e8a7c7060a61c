import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { FixedKeyTable } from '../../../engine/kernels/fixed-key-table.ts';

describe('FixedKeyTable', () => {
  it('gives the codes of a Map from key text to first-seen index, keys read at any offset, through growth and colliding hashes', () => {
    const width = 3;
    // Few distinct bytes make repeated keys; a hash of few bits makes colliding slots (equal hash, other key).
    const key = fc.uint8Array({ minLength: width, maxLength: width }).map((k) => k.map((b) => b % 4));
    fc.assert(fc.property(fc.array(key, { maxLength: 400 }), fc.integer({ min: 0, max: 7 }), fc.integer({ min: 1, max: 64 }), (keys, at, capacity) => {
      const hashOf = (k: Uint8Array) => (k[0]! * 7 + k[1]!) & 15;
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
        expect(Array.from(table.keys.subarray(code * width, (code + 1) * width)).join(',')).toBe(text);
        expect(table.hashes[code]).toBe(hashOf(Uint8Array.from(text.split(',').map(Number))));
      }
    }), { numRuns: 300 });
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
