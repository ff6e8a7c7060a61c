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
});
