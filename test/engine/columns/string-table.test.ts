import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { entryString, stringTable, tableSize } from '../../../engine/columns/string-table.ts';

/** The reference: each value through a TextEncoder, laid end to end. */
function naive(values: readonly string[]): { bytes: number[]; offsets: number[] } {
  const enc = new TextEncoder();
  const bytes: number[] = [];
  const offsets = [0];
  for (const v of values) {
    bytes.push(...enc.encode(v));
    offsets.push(bytes.length);
  }
  return { bytes, offsets };
}

describe('stringTable', () => {
  // Mostly ASCII arrays (the one-pass path), some with a non-ASCII value anywhere (the encoder path).
  const values = fc.oneof(
    fc.array(fc.string({ unit: 'grapheme-ascii', maxLength: 24 }), { maxLength: 60 }),
    fc.array(fc.oneof(fc.string({ unit: 'grapheme-ascii', maxLength: 8 }), fc.string({ unit: 'grapheme', maxLength: 4 }), fc.string({ unit: 'binary', maxLength: 4 })), { maxLength: 30 }),
  );

  it("equals UTF-8 encoding value by value, ASCII or not (bytes and offsets)", () => {
    fc.assert(fc.property(values, (vs) => {
      const t = stringTable(vs);
      const r = naive(vs);
      expect(Array.from(t.offsets)).toEqual(r.offsets);
      expect(Array.from(t.bytes)).toEqual(r.bytes);
      expect(tableSize(t)).toBe(vs.length);
    }), { numRuns: 300 });
  });

  it('gives every well-formed value back; one code unit past ASCII (0x80) among ASCII values is encoded, not copied', () => {
    for (const vs of [['a', '\u007f'], ['a', '\u0080'], ['x\u007fy', 'z\u0080'], ['', 'é'], ['音楽', 'b'], ['\u{1F3B5}'], ['A'.repeat(22), '']]) {
      const t = stringTable(vs);
      expect(vs.map((_, i) => entryString(t, i)), JSON.stringify(vs)).toEqual(vs);
      expect(Array.from(t.bytes), JSON.stringify(vs)).toEqual(naive(vs).bytes);
    }
    fc.assert(fc.property(fc.array(fc.string({ unit: 'grapheme', maxLength: 6 }), { maxLength: 20 }), (xs) => {
      const u = stringTable(xs);
      expect(xs.map((_, i) => entryString(u, i))).toEqual(xs);
    }));
  });
});
