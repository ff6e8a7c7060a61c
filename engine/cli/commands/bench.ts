import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import type { AlternateResult } from '../../../native-bench/harness/alternate.ts';
import type { BenchJson } from '../../../native-bench/harness/compare.ts';
import type { MacroResult } from '../../../native-bench/harness/macro.ts';
import type { MicroResult } from '../../../native-bench/harness/micro.ts';
import { wrappedError } from '../../errors/registry.ts';
import type { Command } from '../command.ts';

const fmt = (x: number) => (x >= 100 ? Math.round(x).toLocaleString('en-US') : x.toPrecision(3));

export const benchCommand: Command = {
  name: 'bench',
  summary: 'run the benchmark harness: micro kernels and the stages beside DuckDB',
  description: [
    'Micro benchmarks (tinybench) for every kernel and hot path, each checked against a reference',
    'before it is timed; then macro benchmarks on a generated year: each stage and the whole run',
    'beside DuckDB (2 threads, same Parquet lake, checked), the plain-JS reference and the',
    'memory-scan rate, and a cost model scaled to 600 M users / 3 T plays. --json for machines;',
    '--compare REF then runs another commit (with its own harness) the same way and prints the ratios;',
    'with --rounds N it also runs the whole pipeline (`wrapped run`) of both commits N times each on one',
    'generated lake, in turn (this, other; other, this; ...), and prints each stage\'s median seconds,',
    'their ratio and the range of the rounds\' ratios: one run per side can show either commit faster here;',
    '--only rounds runs just those rounds (no micro, macro or plain --compare run).',
    'Scratch directories are removed after everything is timed. Each macro run reports what creating',
    'a file cost just before it (after mass deletions up to ~50x the usual, for ~6 minutes here);',
    '--settle S waits up to S seconds for it to be cheap first.',
    'DuckDB is installed on first use into native-bench/.deps (not an npm dependency).',
  ].join('\n'),
  flags: [
    { name: 'users', kind: 'int', value: 'N', default: 1000, min: 10, max: 1_000_000, help: 'users in the generated year (macro)' },
    { name: 'only', kind: 'string', value: 'micro|macro|rounds', check: (v) => (['micro', 'macro', 'rounds'].includes(String(v)) ? null : 'micro, macro or rounds'), help: 'run one half, or only the alternating rounds of --compare --rounds' },
    { name: 'time-ms', kind: 'int', value: 'MS', default: 500, min: 50, help: 'time per micro benchmark' },
    { name: 'no-duckdb', kind: 'bool', help: 'skip the DuckDB anchor' },
    { name: 'json', kind: 'bool', help: 'print JSON' },
    { name: 'compare', kind: 'string', value: 'GIT-REF', help: 'run another commit side by side and print the ratio per benchmark' },
    { name: 'rounds', kind: 'int', value: 'N', default: 1, min: 1, max: 20, help: 'with --compare: also run both commits\' whole pipeline N times each, alternating, on one lake (2 or more)' },
    { name: 'settle', kind: 'int', value: 'S', default: 0, min: 0, max: 3600, help: 'before each macro run, wait up to S seconds for file creation to be cheap again after recent deletions (~400 is enough here)' },
  ],
  async run(f, ctx) {
    const log = (s: string) => ctx.err(s);
    const { runMicro } = await import('../../../native-bench/harness/micro.ts');
    const { runMacro } = await import('../../../native-bench/harness/macro.ts');
    const { benchAtRef, currentCommit, prepareThisCheckout, ratios } = await import('../../../native-bench/harness/compare.ts');
    const { fileCreateMs, settleFileCreation, SLOW_CREATE_MS } = await import('../../../native-bench/harness/fs-probe.ts');
    const only = f['only'] as string | undefined;
    const rounds = f['rounds'] as number;
    if (rounds > 1 && (!f['compare'] || only === 'micro')) {
      throw wrappedError('ERR_CLI_BAD_VALUE', { command: 'bench', flag: 'rounds', expected: '1 unless --compare is given and the macro half runs (not --only micro)', actual: String(rounds) });
    }
    if (only === 'rounds' && (!f['compare'] || rounds < 2)) {
      throw wrappedError('ERR_CLI_BAD_VALUE', { command: 'bench', flag: 'only', expected: "'rounds' only with --compare REF and --rounds 2 or more", actual: `rounds (--compare ${f['compare'] ? String(f['compare']) : 'not given'}, --rounds ${rounds})` });
    }
    const passArgs = ['--users', String(f['users']), '--time-ms', String(f['time-ms']), ...(only ? ['--only', only] : []), ...(f['no-duckdb'] ? ['--no-duckdb'] : [])];
    // Scratch directories are removed at the end, after every timed step: deleting thousands
    // of files makes the files created soon after slow on some filesystems (fileCreateMs),
    // so whichever run followed a deletion would pay for it. This commit runs first, then
    // the other one (which removes its own scratch after its timings).
    const removeLater: string[] = [];
    let base: BenchJson | null = null, baseCreateMs: number | null = null, alternate: AlternateResult | null = null;
    let micro: MicroResult[] = [], macro: MacroResult | null = null;
    try {
      // Worker bundles and native addons built before anything is timed.
      await prepareThisCheckout();
      if (only !== 'macro' && only !== 'rounds') {
        log('bench: micro …');
        micro = await runMicro(f['time-ms'] as number, log);
      }
      if (only !== 'micro' && only !== 'rounds') {
        log('bench: macro …');
        macro = await runMacro(f['users'] as number, log, !f['no-duckdb'], removeLater, f['settle'] as number);
      }
      if (f['compare'] && only !== 'rounds') {
        const probeDir = fs.mkdtempSync(path.join(os.tmpdir(), 'wrapped-fs-probe-'));
        removeLater.push(probeDir);
        baseCreateMs = only === 'micro' ? fileCreateMs(probeDir) : (await settleFileCreation(probeDir, f['settle'] as number, log)).ms;
        log(`bench: running ${String(f['compare'])} …`);
        base = benchAtRef(String(f['compare']), passArgs);
      }
      if (rounds > 1) alternate = await alternatePipelines(String(f['compare']), f['users'] as number, rounds, f['settle'] as number, removeLater, log);
    } finally {
      for (const d of removeLater) fs.rmSync(d, { recursive: true, force: true });
    }
    const result = { commit: currentCommit(), node: process.version, cpus: os.availableParallelism(), micro, macro };
    if (f['json']) {
      const compare = base ? { ref: f['compare'], base_commit: base.commit, base_file_create_ms: baseCreateMs, ratios: ratios(result, base), ...(alternate ? { alternate } : {}) }
        : alternate ? { ref: f['compare'], alternate } : undefined;
      ctx.out(JSON.stringify(compare ? { ...result, compare } : result, null, 2));
      return 0;
    }
    ctx.out(`wrapped bench — commit ${result.commit}, node ${result.node}, ${result.cpus} cpus`);
    if (micro.length) {
      ctx.out('\nmicro (checked against a reference before timing)');
      for (const m of micro) ctx.out(`  ${m.name.padEnd(66)} ${fmt(m.itemsPerS).padStart(16)} ${m.unit}/s  ±${m.rme.toFixed(1)}%`);
    }
    if (macro) {
      ctx.out(`\nmacro: a generated year of ${macro.users} users, ${macro.storedRows.toLocaleString('en-US')} stored plays (stage 1 checked against the plain-JS reference${macro.rows.some((r) => r.name.startsWith("DuckDB")) ? " and DuckDB" : ""}); creating a file cost ${macro.fileCreateMs.toFixed(3)} ms before the pipeline`);
      for (const r of macro.rows) ctx.out(`  ${r.name.padEnd(58)} ${r.seconds.toFixed(2).padStart(8)} s ${fmt(r.rows / Math.max(r.seconds, 1e-9)).padStart(14)} ${r.unit}/s  ${r.note ?? ''}`);
      const c = macro.cost;
      ctx.out(`\ncost model (scaled to 600 M users / 3 T plays): stages ${fmt(c['stages_vcpu_hours'] ?? 0)} vCPU-h (published estimate for aggregation ~${fmt(c['published_aggregation_vcpu_hours'] ?? 0)}), cards ${c['cards_vcpu_hours'] === null ? '—' : fmt(c['cards_vcpu_hours']!)} vCPU-h, total ${fmt(c['total_vcpu_hours'] ?? 0)} vCPU-h (published ~${fmt(c['published_total_vcpu_hours'] ?? 0)})`);
    }
    if (base) {
      ctx.out(`\ncompared with ${String(f['compare'])} (${base.commit}), run after this commit (creating a file cost ${baseCreateMs!.toFixed(3)} ms before it): ratio > 1 is faster now`);
      const headMs = macro?.fileCreateMs ?? null;
      if (headMs !== null && baseCreateMs !== null && Math.max(headMs, baseCreateMs) > SLOW_CREATE_MS && Math.max(headMs, baseCreateMs) > 2 * Math.min(headMs, baseCreateMs)) {
        ctx.out(`  (creating a file cost ${headMs.toFixed(3)} ms before this commit's run and ${baseCreateMs.toFixed(3)} ms before the other's: bucket and package are not comparable in this run)`);
      }
      for (const r of ratios(result, base)) ctx.out(`  ${r.name.padEnd(66)} ${r.ratio.toFixed(2)}×  (${fmt(r.base)} → ${fmt(r.now)} ${r.unit})`);
    }
    if (alternate) {
      ctx.out(`\nthe whole pipeline, ${alternate.rounds} runs of each commit in turn on one lake of ${String(f['users'])} users: median seconds now and at ${alternate.ref}, their ratio (> 1 is faster now), and the lowest and highest ratio of one round`);
      if (alternate.countsDiffer) ctx.out(`  (the commits counted differently: ${alternate.countsDiffer})`);
      for (const r of alternate.rows) ctx.out(`  ${r.name.padEnd(24)} ${r.now.toFixed(2).padStart(8)} s ${r.base.toFixed(2).padStart(8)} s ${r.ratio.toFixed(2).padStart(6)}×  (rounds ${r.min.toFixed(2)}–${r.max.toFixed(2)}×)`);
    }
    return 0;
  },
};

/** `--rounds`: a lake generated here, then both commits' pipelines in turn (native-bench/harness/alternate.ts). */
async function alternatePipelines(ref: string, users: number, rounds: number, settleS: number, removeLater: string[], log: (s: string) => void): Promise<AlternateResult> {
  const { alternateRounds } = await import('../../../native-bench/harness/alternate.ts');
  const { checkoutAt } = await import('../../../native-bench/harness/compare.ts');
  const { settleFileCreation } = await import('../../../native-bench/harness/fs-probe.ts');
  const { generateLake } = await import('../../../fixtures/sample-year/generate.ts');
  log(`bench: ${rounds} rounds of the whole pipeline, this checkout and ${ref} in turn …`);
  const scratch = fs.mkdtempSync(path.join(os.tmpdir(), 'wrapped-rounds-'));
  removeLater.push(scratch);
  const lake = path.join(scratch, 'lake');
  log(`  generating ${users} users …`);
  await generateLake({ lake, users, seed: 7, years: [ROUNDS_YEAR] });
  const other = checkoutAt(ref);
  try {
    await settleFileCreation(scratch, settleS, log);
    return alternateRounds({ ref, otherDir: other.dir, lake, year: ROUNDS_YEAR, rounds, scratch, log });
  } finally {
    other.remove();
  }
}

/** The year generated for `--rounds` (the macro suite's). */
const ROUNDS_YEAR = 2025;
