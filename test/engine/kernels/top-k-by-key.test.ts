import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { kthLargest, TopKByKey } from '../../../engine/kernels/top-k-by-key.ts';

describe('TopKByKey', () => {
  // One instance for every case: its scratch is reused across calls of every size, as in finalize.
  const top = new TopKByKey();

  it('equals sorting everything by (key desc, then the tie order) and keeping the first k', () => {
    // Few distinct keys: ties at the k-th key are the common case, not the rare one.
    fc.assert(fc.property(fc.array(fc.integer({ min: 0, max: 8 }), { maxLength: 400 }), fc.integer({ min: 1, max: 120 }), fc.integer({ min: 0, max: 400 }), (scores, k, skip) => {
      const key = Float64Array.from(scores, (s) => s * 2 ** 36 + (s % 3));
      const before = (x: number, y: number) => y - x; // a tie order other than the items' order
      const items = Int32Array.from(scores, (_, i) => i).reverse();
      const n = Math.max(0, items.length - skip);
      const want = Array.from(items.subarray(0, n)).sort((x, y) => key[y]! - key[x]! || before(x, y)).slice(0, k);
      expect(Array.from(top.select(items, n, k, key, before))).toEqual(want);
    }), { numRuns: 400 });
  });

  it('gives a view its next call overwrites (callers keep what they need first)', () => {
    const key = Float64Array.of(1, 2, 3);
    const first = top.select(Int32Array.of(0, 1, 2), 3, 2, key, (x, y) => x - y);
    expect(Array.from(first)).toEqual([2, 1]);
    top.select(Int32Array.of(0, 1, 2), 3, 2, Float64Array.of(3, 2, 1), (x, y) => x - y);
    expect(Array.from(first)).toEqual([0, 1]);
  });

  it('keeps exactly k when more items tie at the k-th key than places are left', () => {
    const key = Float64Array.of(5, 3, 3, 3, 3, 1);
    const items = Int32Array.of(0, 1, 2, 3, 4, 5);
    expect(Array.from(top.select(items, 6, 3, key, (x, y) => y - x))).toEqual([0, 4, 3]);
  });
});

describe('kthLargest', () => {
  it('is the value a descending sort puts at position k - 1', () => {
    fc.assert(fc.property(fc.array(fc.double({ min: -1e15, max: 1e15, noNaN: true }), { minLength: 1, maxLength: 300 }), fc.nat(), (xs, r) => {
      const k = 1 + (r % xs.length);
      const want = [...xs].sort((a, b) => b - a)[k - 1];
      // + 0: -0 and 0 are one value to a selection (they compare equal).
      expect(kthLargest(Float64Array.from(xs), k) + 0).toBe(want! + 0);
    }), { numRuns: 400 });
  });

  it('handles runs of one value', () => {
    expect(kthLargest(new Float64Array(1000).fill(7), 400)).toBe(7);
    expect(kthLargest(Float64Array.from({ length: 1000 }, (_, i) => i % 2), 500)).toBe(1);
    expect(kthLargest(Float64Array.from({ length: 1000 }, (_, i) => i % 2), 501)).toBe(0);
  });
});
