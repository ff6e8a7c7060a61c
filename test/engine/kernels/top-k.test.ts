import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { topK } from '../../../engine/kernels/top-k.ts';

describe('topK', () => {
  it('equals sorting everything and keeping the first k, with many ties broken by a total order', () => {
    fc.assert(fc.property(fc.array(fc.integer({ min: 0, max: 6 }), { maxLength: 300 }), fc.integer({ min: 1, max: 120 }), (scores, k) => {
      // Order: score desc, then index asc (a total order with frequent ties on score).
      const before = (x: number, y: number) => scores[y]! - scores[x]! || x - y;
      const items = Int32Array.from(scores, (_, i) => i);
      const want = Array.from(items).sort(before).slice(0, k);
      expect(Array.from(topK(items, items.length, k, before))).toEqual(want);
    }), { numRuns: 300 });
  });

  it('reads only the first n items', () => {
    const items = Int32Array.of(5, 1, 9, 7, 100);
    expect(Array.from(topK(items, 4, 2, (x, y) => y - x))).toEqual([9, 7]);
  });
});
