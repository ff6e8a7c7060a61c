import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { stringTable } from '../../../engine/columns/string-table.ts';
import { BASE62_ALPHABET } from '../../../engine/lake/id-format.ts';
import { IdByteIndex } from '../../../engine/smb/id-byte-index.ts';

const base62 = fc.string({ unit: fc.constantFrom(...BASE62_ALPHABET.slice(0, 3)), minLength: 22, maxLength: 22 });

describe('IdByteIndex', () => {
  it('finds each id of the dictionary at its code from UTF-8 bytes, and nothing else', () => {
    fc.assert(fc.property(fc.uniqueArray(base62, { maxLength: 200 }), fc.array(base62, { maxLength: 50 }), (ids, probes) => {
      // Ids not of the SPEC's form sit in the dictionary too (codes keep their places); they are never looked up.
      // A repeated id keeps its first code.
      const dict = ['short', ...ids, 'x'.repeat(22) + 'é', ...ids.slice(0, 3)];
      const index = IdByteIndex.of(dict);
      const code = new Map<string, number>();
      dict.forEach((id, c) => code.has(id) || code.set(id, c));
      const all = [...ids, ...probes];
      const { bytes, offsets } = stringTable(all);
      all.forEach((id, k) => expect(index.get(bytes, offsets[k]!)).toBe(code.get(id) ?? -1));
    }), { numRuns: 200 });
  });

  it('tells apart ids that differ only in their first or last byte', () => {
    const ids = Array.from(BASE62_ALPHABET, (ch) => ch + 'A'.repeat(21)).concat(Array.from(BASE62_ALPHABET, (ch) => 'B'.repeat(21) + ch));
    const index = IdByteIndex.of(ids);
    // At odd offsets in the buffer too: ids are read unaligned from a dictionary's bytes.
    const { bytes, offsets } = stringTable(['x', ...ids, 'A'.repeat(22), 'B'.repeat(22)]);
    ids.forEach((_, c) => expect(index.get(bytes, offsets[c + 1]!)).toBe(c));
    expect(index.get(bytes, offsets[ids.length + 1]!)).toBe(BASE62_ALPHABET.indexOf('A'));
    expect(index.get(bytes, offsets[ids.length + 2]!)).toBe(BASE62_ALPHABET.length + BASE62_ALPHABET.indexOf('B'));
  });
});
