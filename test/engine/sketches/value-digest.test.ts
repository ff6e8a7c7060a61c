import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { ValueDigest } from '../../../engine/sketches/value-digest.ts';

/** Share of values strictly below x (the exact rank a digest estimates). */
const exactBelow = (xs: readonly number[], x: number) => xs.filter((v) => v < x).length / xs.length;

describe('ValueDigest', () => {
  it('merged from per-bucket digests, agrees with a single-pass digest and with the exact ranks within the bound', () => {
    fc.assert(fc.property(
      fc.array(fc.double({ min: 0, max: 1e7, noNaN: true }), { minLength: 200, maxLength: 3000 }), fc.integer({ min: 2, max: 12 }),
      (xs, parts) => {
        const single = new ValueDigest();
        for (const x of xs) single.push(x);
        const merged = new ValueDigest();
        for (let p = 0; p < parts; p++) {
          const d = new ValueDigest();
          for (let i = p; i < xs.length; i += parts) d.push(xs[i]!);
          merged.merge(d.centroids());
        }
        expect(merged.count).toBe(xs.length);
        const sorted = [...xs].sort((a, b) => a - b);
        for (const q of [0.5, 0.8, 0.9, 0.95, 0.99]) {
          const v = sorted[Math.floor(q * (sorted.length - 1))]!;
          // t-digest's rank error is at most a few times delta (0.01) in the tails; 0.03 is the bound checked.
          expect(Math.abs(merged.shareBelow(v) - exactBelow(xs, v))).toBeLessThan(0.03);
          expect(Math.abs(merged.shareBelow(v) - single.shareBelow(v))).toBeLessThan(0.03);
        }
      }), { numRuns: 30 });
  });

  it('returns NaN when empty', () => {
    expect(new ValueDigest().quantile(0.5)).toBeNaN();
  });
});
