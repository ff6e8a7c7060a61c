import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { TsOrder } from '../../../engine/kernels/ts-order.ts';

describe('TsOrder', () => {
  it('equals a stable sort by (ts, index) of any range, mostly ordered or not, with ties', () => {
    const tsOf = fc.oneof(
      // Mostly ascending with a few late rows.
      fc.array(fc.tuple(fc.integer({ min: 0, max: 3 }), fc.boolean()), { maxLength: 120 }).map((xs) => {
        let t = 0;
        return xs.map(([d, late]) => (late ? Math.max(0, t - 5 * d) : (t += d)));
      }),
      fc.array(fc.integer({ min: 0, max: 6 }), { maxLength: 120 }),
    );
    const sorter = new TsOrder();
    fc.assert(fc.property(tsOf, fc.nat(5), fc.nat(5), (values, pre, post) => {
      const ts = Float64Array.from([...Array(pre).fill(99), ...values, ...Array(post).fill(-1)]);
      const order = Uint32Array.from(ts, (_, i) => i);
      const inOrder = sorter.sort(order, pre, pre + values.length, ts);
      const expected = values.map((_, i) => pre + i).sort((a, b) => ts[a]! - ts[b]! || a - b);
      expect(Array.from(order.subarray(pre, pre + values.length))).toEqual(expected);
      expect(inOrder).toBe(expected.every((r, i) => r === pre + i));
      // Outside the range nothing moves.
      expect(Array.from(order.subarray(0, pre))).toEqual(Array.from({ length: pre }, (_, i) => i));
      expect(Array.from(order.subarray(pre + values.length))).toEqual(Array.from({ length: post }, (_, i) => pre + values.length + i));
    }), { numRuns: 300 });
  });
});
