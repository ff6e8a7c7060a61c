import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { radixSortByRankThenOffset } from '../../../engine/kernels/radix-sort.ts';

/** The naive reference: a stable comparator sort (Array.prototype.sort is stable). */
function naive(major: number[], minor: number[]): number[] {
  return major.map((_, i) => i).sort((a, b) => major[a]! - major[b]! || minor[a]! - minor[b]!);
}

describe('radixSortByRankThenOffset', () => {
  it('equals a stable comparator sort, ties included, over small and huge ranges', () => {
    const row = fc.tuple(
      fc.oneof(fc.integer({ min: 0, max: 3 }), fc.integer({ min: 0, max: 2 ** 31 - 1 })),
      fc.oneof(fc.integer({ min: 0, max: 5 }), fc.integer({ min: 0, max: 2 ** 40 }), fc.maxSafeInteger().map((x) => Math.abs(x))),
    );
    fc.assert(fc.property(fc.array(row, { maxLength: 300 }), (rows) => {
      const major = rows.map((r) => r[0]);
      const minor = rows.map((r) => r[1]);
      const got = radixSortByRankThenOffset(rows.length, Int32Array.from(major), Float64Array.from(minor));
      expect(Array.from(got)).toEqual(naive(major, minor));
    }), { numRuns: 300 });
  });

  it('keeps input order for fully equal keys (stability is what makes spilled runs merge identically)', () => {
    const n = 5000;
    const got = radixSortByRankThenOffset(n, new Int32Array(n).fill(7), new Float64Array(n).fill(123));
    expect(Array.from(got)).toEqual(Array.from({ length: n }, (_, i) => i));
  });
});
