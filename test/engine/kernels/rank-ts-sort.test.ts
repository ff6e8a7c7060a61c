import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { sortByRankThenTs } from '../../../engine/kernels/rank-ts-sort.ts';
import { TsOrder } from '../../../engine/kernels/ts-order.ts';

/** The naive reference: a stable comparator sort (Array.prototype.sort is stable) by (rank of the row's user, ts). */
function naive(user: number[], rank: number[], ts: number[]): number[] {
  return user.map((_, i) => i).sort((a, b) => rank[user[a]!]! - rank[user[b]!]! || ts[a]! - ts[b]!);
}

describe('sortByRankThenTs', () => {
  it('equals a stable comparator sort, ties included, for rows in time order, nearly so, or not at all', () => {
    // Users 0..u-1 ranked by a permutation; ts ascending with late rows, or arbitrary, or a few values (ties).
    const input = fc.integer({ min: 1, max: 12 }).chain((u) => fc.record({
      rank: fc.shuffledSubarray(Array.from({ length: u }, (_, i) => i), { minLength: u, maxLength: u }),
      rows: fc.array(fc.tuple(fc.nat(u - 1), fc.integer({ min: 0, max: 4 }), fc.boolean()), { maxLength: 300 }),
      shape: fc.constantFrom('ascending', 'arbitrary', 'ties'),
      huge: fc.boolean(),
    }));
    const scratch = new TsOrder();
    fc.assert(fc.property(input, ({ rank, rows, shape, huge }) => {
      let t = huge ? 2 ** 45 : 0;
      const ts = rows.map(([, d, late], i) => shape === 'ties' ? d : shape === 'arbitrary' ? (i * 7919 + d * 104729) % 1009 : late ? Math.max(0, t - 1000 * d) : (t += d));
      const user = rows.map((r) => r[0]);
      const got = sortByRankThenTs(rows.length, Int32Array.from(user), Int32Array.from(rank), Float64Array.from(ts), scratch);
      expect(Array.from(got)).toEqual(naive(user, rank, ts));
    }), { numRuns: 400 });
  });

  it('keeps arrival order for fully equal keys (stability is what makes spilled runs merge identically)', () => {
    const n = 5000;
    const got = sortByRankThenTs(n, new Int32Array(n).fill(1), Int32Array.from([1, 0]), new Float64Array(n).fill(123));
    expect(Array.from(got)).toEqual(Array.from({ length: n }, (_, i) => i));
  });
});
