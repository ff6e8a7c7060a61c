import * as arrow from 'apache-arrow';
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { utf8Strings } from '../../../engine/columns/utf8-strings.ts';

/** The reference: Arrow JS's own decoding, value by value. */
const naive = (v: arrow.Vector) => Array.from({ length: v.length }, (_, i) => v.get(i) as string | null);

describe('utf8Strings', () => {
  const value = fc.option(fc.oneof(fc.string({ unit: 'grapheme-ascii', maxLength: 12 }), fc.string({ unit: 'binary', maxLength: 6 })), { nil: null, freq: 5 });
  it("equals Arrow's decoding for ASCII and non-ASCII values, nulls, sliced and chunked vectors", () => {
    fc.assert(fc.property(fc.array(fc.array(value, { maxLength: 40 }), { minLength: 1, maxLength: 4 }), fc.nat(), fc.nat(), (chunks, a, b) => {
      const vectors = chunks.map((c) => arrow.vectorFromArray(c, new arrow.Utf8()));
      const whole = vectors.slice(1).reduce((x, y) => x.concat(y), vectors[0]!);
      expect(utf8Strings(whole)).toEqual(naive(whole));
      const from = whole.length === 0 ? 0 : a % whole.length;
      const sliced = whole.slice(from, from + (b % (whole.length - from + 1)));
      expect(utf8Strings(sliced)).toEqual(naive(sliced));
      for (const d of sliced.data) expect(utf8Strings(d)).toEqual(naive(arrow.makeVector(d)));
    }));
  });

  it('decodes a LargeUtf8 column through Arrow', () => {
    const v = arrow.vectorFromArray(['a', null, 'é'], new arrow.LargeUtf8());
    expect(utf8Strings(v)).toEqual(['a', null, 'é']);
  });
});
