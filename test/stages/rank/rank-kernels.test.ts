import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { smallestThreshold, earlyFanBlurb, topListenerBlurb } from '../../../stages/rank/blurbs.ts';
import { exactRank } from '../../../stages/rank/worker.ts';

describe('smallestThreshold', () => {
  it('is the smallest of 0.1, 0.5, 1, 2, 5, 10 % with r / N <= t, exactly at the edges', () => {
    expect(smallestThreshold(1, 1000)).toBe(1);
    expect(smallestThreshold(2, 1000)).toBe(5);
    expect(smallestThreshold(5, 1000)).toBe(5);
    expect(smallestThreshold(6, 1000)).toBe(10);
    expect(smallestThreshold(100, 1000)).toBe(100);
    expect(smallestThreshold(101, 1000)).toBeNull();
    expect(smallestThreshold(1, 100)).toBe(10);
    fc.assert(fc.property(fc.integer({ min: 1, max: 100_000 }), fc.integer({ min: 1, max: 100_000 }), (r, n) => {
      const t = smallestThreshold(r, n);
      const naive = [0.1, 0.5, 1, 2, 5, 10].find((p) => r / n <= p / 100 + 1e-15 && BigInt(r) * 1000n <= BigInt(Math.round(p * 10)) * BigInt(n));
      expect(t === null ? undefined : t / 10).toBe(naive);
    }));
  });

  it('words the statements as SPEC §4 does', () => {
    expect(topListenerBlurb('a', 'Nosa', 5).text).toBe('You were in the top 0.5% of Nosa listeners');
    expect(earlyFanBlurb('a', 'Nosa', 5).text).toBe('You found Nosa before 99.5% of their listeners');
  });
});

describe('exactRank', () => {
  it('equals a naive count over all listeners whenever the value is at or above the cut, and declines below it', () => {
    fc.assert(fc.property(
      fc.array(fc.integer({ min: 0, max: 50 }), { minLength: 1, maxLength: 80 }), fc.integer({ min: 0, max: 50 }), fc.integer({ min: -1, max: 50 }), fc.boolean(),
      (all, v, cutRaw, strict) => {
        const cut = cutRaw < 0 ? -Infinity : cutRaw;
        const kept = Float64Array.from(all.filter((x) => x >= cut)).sort();
        const mv = { values: kept, offsets: Int32Array.from([0, kept.length]), cuts: Float64Array.from([cut]) };
        const r = exactRank(0, v, strict, mv);
        if (v < cut) expect(r).toBeNull();
        else expect(r).toBe(strict ? 1 + all.filter((x) => x > v).length : all.filter((x) => x >= v).length);
      }));
  });
});
