/**
 * The whole pipeline of this checkout and of another commit, run in turn on
 * one lake, several rounds each: this machine's speed swings by up to 1.5×
 * over minutes, so one run per side (`--compare` alone) can show either
 * commit faster. Alternating — this, other; other, this; … — puts both sides
 * in the same stretches, and the spread of the per-round ratios shows how
 * far a ratio can be trusted.
 *
 * Each run is `wrapped run` in a fresh node process, as a user runs it (each
 * process compiles its code again, which is part of what is timed).
 */
import { spawnSync } from 'node:child_process';
import * as fs from 'node:fs';
import * as path from 'node:path';
import { fileURLToPath } from 'node:url';

const ROOT = fileURLToPath(new URL('../../', import.meta.url));

/** The stages `wrapped run` times, in order; then the process as a whole. */
export const ROUND_STAGES = ['bucket', 'aggregate', 'enrich', 'rank', 'package'] as const;
export const WHOLE = 'whole run (process)';

/** One pipeline run: seconds per stage (and WHOLE), and what it counted. */
export interface RoundTimes {
  readonly seconds: Readonly<Record<string, number>>;
  readonly storedRows: number;
  readonly users: number;
}

export interface AlternateRow {
  readonly name: string;
  /** Median seconds over the rounds, this checkout and the other commit. */
  readonly now: number;
  readonly base: number;
  /** base / now: > 1 is faster now. */
  readonly ratio: number;
  /** The smallest and largest ratio of one round's pair. */
  readonly min: number;
  readonly max: number;
}

export interface AlternateResult {
  readonly ref: string;
  readonly rounds: number;
  readonly rows: AlternateRow[];
  /** Set when the two commits counted different rows or users (a change of results, not only of speed). */
  readonly countsDiffer: string | null;
}

/** Which side runs first in each round: this checkout, then the other; then the other first; … */
export function roundOrder(rounds: number): Array<readonly ['now', 'base'] | readonly ['base', 'now']> {
  return Array.from({ length: rounds }, (_, r) => (r % 2 === 0 ? (['now', 'base'] as const) : (['base', 'now'] as const)));
}

const median = (xs: readonly number[]) => {
  const s = [...xs].sort((a, b) => a - b);
  const m = s.length >> 1;
  return s.length % 2 ? s[m]! : (s[m - 1]! + s[m]!) / 2;
};

/** Per stage: the medians, their ratio, and the range of the rounds' own ratios (round r pairs now[r] with base[r]). */
export function summarizeRounds(now: readonly RoundTimes[], base: readonly RoundTimes[]): AlternateRow[] {
  if (now.length === 0 || now.length !== base.length) throw new Error(`expected as many rounds of each commit (at least one), found ${now.length} and ${base.length}`);
  return [...ROUND_STAGES, WHOLE].map((name) => {
    const a = now.map((r) => r.seconds[name] ?? 0), b = base.map((r) => r.seconds[name] ?? 0);
    const per = a.map((x, i) => b[i]! / Math.max(x, 1e-9));
    return { name, now: median(a), base: median(b), ratio: median(b) / Math.max(median(a), 1e-9), min: Math.min(...per), max: Math.max(...per) };
  });
}

/** Runs `wrapped run` of the checkout in `dir` on `lake` into a new `out`, and reads its timings from the published manifest. */
export function runPipelineAt(dir: string, lake: string, out: string, year: number): RoundTimes {
  const t0 = performance.now();
  const r = spawnSync(process.execPath, [path.join(dir, 'engine/cli/wrapped.mjs'), 'run', '--lake', lake, '--out', out, '--year', String(year), '--min-listeners', '100'], { cwd: dir, encoding: 'utf8', maxBuffer: 64 << 20 });
  const whole = (performance.now() - t0) / 1000;
  if (r.status !== 0) throw new Error(`wrapped run in ${dir} failed (exit ${r.status}): ${(r.stderr || '').split('\n').filter(Boolean).slice(-3).join(' | ')}`);
  const manifestFile = path.join(out, 'current', 'manifest.json');
  if (!fs.existsSync(manifestFile)) throw new Error(`wrapped run in ${dir} published no manifest: expected ${manifestFile}`);
  const m = JSON.parse(fs.readFileSync(manifestFile, 'utf8')) as { stages: Array<{ stage: string; seconds: number }>; counts: { stored_rows: number; users: number } };
  const seconds: Record<string, number> = { [WHOLE]: whole };
  for (const s of m.stages) seconds[s.stage] = s.seconds;
  return { seconds, storedRows: m.counts.stored_rows, users: m.counts.users };
}

/**
 * `rounds` runs of each side on `lake`, alternating (`roundOrder`), outputs
 * under `scratch` (left for the caller to remove after all timing: deleting
 * thousands of files slows the files created soon after). `otherDir` is a
 * prepared checkout of `ref` (`checkoutAt`).
 */
export function alternateRounds(o: { ref: string; otherDir: string; lake: string; year: number; rounds: number; scratch: string; log: (s: string) => void }): AlternateResult {
  const now: RoundTimes[] = [], base: RoundTimes[] = [];
  roundOrder(o.rounds).forEach((order, r) => {
    for (const side of order) {
      o.log(`  round ${r + 1}/${o.rounds}: ${side === 'now' ? 'this checkout' : o.ref} …`);
      const out = path.join(o.scratch, `round-${r}-${side}`);
      (side === 'now' ? now : base).push(runPipelineAt(side === 'now' ? ROOT : o.otherDir, o.lake, out, o.year));
    }
  });
  const differ = (k: 'storedRows' | 'users') => (now[0]![k] !== base[0]![k] ? `${k}: ${now[0]![k]} now, ${base[0]![k]} at ${o.ref}` : null);
  const countsDiffer = [differ('storedRows'), differ('users')].filter(Boolean).join('; ') || null;
  return { ref: o.ref, rounds: o.rounds, rows: summarizeRounds(now, base), countsDiffer };
}
