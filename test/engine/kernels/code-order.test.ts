import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { CodeOrder } from '../../../engine/kernels/code-order.ts';

describe('CodeOrder', () => {
  it('equals a stable sort by key of any range (index order kept among equal keys): small and radix ranges, negative keys, spans past 2^31', () => {
    const keysOf = fc.oneof(
      // Few distinct keys (long runs), as a user's tracks.
      fc.array(fc.integer({ min: 0, max: 7 }), { maxLength: 300 }),
      // Track codes with overflow codes (negative) among them.
      fc.array(fc.integer({ min: -40, max: 300_000 }), { maxLength: 300 }),
      // Extremes: the span does not fit an int32.
      fc.array(fc.constantFrom(-2147483648, -1, 0, 1, 2147483647), { maxLength: 200 }),
    );
    const sorter = new CodeOrder();
    fc.assert(fc.property(keysOf, fc.nat(5), fc.nat(5), fc.boolean(), (values, pre, post, shuffled) => {
      const key = Int32Array.from([...Array(pre).fill(5), ...values, ...Array(post).fill(-3)]);
      const order = Uint32Array.from(key, (_, i) => i);
      // The range's order need not be by index: reverse it, so stability is checked against the given order.
      if (shuffled) order.subarray(pre, pre + values.length).reverse();
      const given = Array.from(order.subarray(pre, pre + values.length));
      sorter.sort(order, pre, pre + values.length, key);
      const expected = given.map((r, k) => ({ r, k })).sort((a, b) => key[a.r]! - key[b.r]! || a.k - b.k).map((x) => x.r);
      expect(Array.from(order.subarray(pre, pre + values.length))).toEqual(expected);
      // Outside the range nothing moves.
      expect(Array.from(order.subarray(0, pre))).toEqual(Array.from({ length: pre }, (_, i) => i));
      expect(Array.from(order.subarray(pre + values.length))).toEqual(Array.from({ length: post }, (_, i) => pre + values.length + i));
    }), { numRuns: 300 });
  });
});
