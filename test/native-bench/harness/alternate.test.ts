import * as path from 'node:path';
import { fileURLToPath } from 'node:url';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { generateLake } from '../../../fixtures/sample-year/generate.ts';
import { alternateRounds, roundOrder, ROUND_STAGES, runPipelineAt, summarizeRounds, WHOLE, type RoundTimes } from '../../../native-bench/harness/alternate.ts';
import { tempDir } from '../../helpers/tmp.ts';

const ROOT = fileURLToPath(new URL('../../../', import.meta.url));
const times = (s: Record<string, number>): RoundTimes => ({ seconds: s, storedRows: 10, users: 2 });

describe('alternating pipeline rounds', () => {
  it('takes turns going first, so both sides share the machine\'s slow and fast stretches', () => {
    expect(roundOrder(4)).toEqual([['now', 'base'], ['base', 'now'], ['now', 'base'], ['base', 'now']]);
    expect(roundOrder(1)).toEqual([['now', 'base']]);
  });

  it('reports each stage\'s medians, their ratio (> 1 faster now) and the range of the rounds\' own ratios', () => {
    const now = [times({ bucket: 4, aggregate: 2, [WHOLE]: 10 }), times({ bucket: 6, aggregate: 1, [WHOLE]: 12 }), times({ bucket: 5, aggregate: 3, [WHOLE]: 11 })];
    const base = [times({ bucket: 8, aggregate: 2, [WHOLE]: 10 }), times({ bucket: 6, aggregate: 2, [WHOLE]: 12 }), times({ bucket: 5, aggregate: 3, [WHOLE]: 22 })];
    const rows = summarizeRounds(now, base);
    expect(rows.map((r) => r.name)).toEqual([...ROUND_STAGES, WHOLE]);
    const bucket = rows.find((r) => r.name === 'bucket')!;
    expect(bucket).toEqual({ name: 'bucket', now: 5, base: 6, ratio: 6 / 5, min: 1, max: 2 });
    const agg = rows.find((r) => r.name === 'aggregate')!;
    expect([agg.now, agg.base, agg.min, agg.max]).toEqual([2, 2, 1, 2]);
    expect(rows.find((r) => r.name === WHOLE)!.max).toBe(2);
    expect(() => summarizeRounds(now, base.slice(1))).toThrow(/as many rounds of each commit \(at least one\), found 3 and 2/);
  });

  describe('on real pipeline runs', () => {
    let dir = '', cleanup = () => {};
    beforeAll(async () => {
      ({ dir, cleanup } = tempDir('alternate'));
      await generateLake({ lake: path.join(dir, 'lake'), users: 30, seed: 5, years: [2025] });
    });
    afterAll(() => cleanup());

    it('runs `wrapped run` of each checkout in turn and reads every stage\'s time from the published manifest', () => {
      const log: string[] = [];
      // This checkout on both sides: the timings are not compared, the mechanics are.
      const r = alternateRounds({ ref: 'SAME', otherDir: ROOT, lake: path.join(dir, 'lake'), year: 2025, rounds: 2, scratch: path.join(dir, 'runs'), log: (s) => log.push(s.trim()) });
      expect(log).toEqual(['round 1/2: this checkout …', 'round 1/2: SAME …', 'round 2/2: SAME …', 'round 2/2: this checkout …']);
      expect(r.countsDiffer).toBeNull();
      expect(r.rows.map((x) => x.name)).toEqual([...ROUND_STAGES, WHOLE]);
      for (const x of r.rows) expect(x.now > 0 && x.base > 0, x.name).toBe(true);
      // The process's wall time holds its stages.
      const whole = r.rows.find((x) => x.name === WHOLE)!;
      expect(whole.now).toBeGreaterThan(r.rows.filter((x) => x.name !== WHOLE).reduce((s, x) => s + x.now, 0) * 0.9);
    });

    it('names the checkout and the exit code when a run fails', () => {
      expect(() => runPipelineAt(ROOT, path.join(dir, 'no-such-lake'), path.join(dir, 'failed'), 2025)).toThrow(new RegExp(`wrapped run in ${ROOT.replace(/[/.]/g, '\\$&')} failed \\(exit [1-9]`));
    });
  });
});
