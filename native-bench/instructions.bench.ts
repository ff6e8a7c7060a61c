/**
 * Instructions a row costs, counted by valgrind (cachegrind, no cache
 * simulation) rather than timed: on these machines wall and CPU time swing by
 * up to 1.6× between minutes; instructions do not depend on what else the
 * machine does. V8 is made to run as alike as it allows: optimizing compiles
 * on the requesting thread, no heap helper threads, a garbage-collection
 * schedule that does not follow the clock, WebAssembly compiled once, fixed
 * seeds, no address randomization. Not alike enough yet: the same commit
 * against itself differed by 1.4% on stage 1 and by 12% on bucketing
 * (docs/benchmarks.md, session 14) — read a bucketing ratio only with its
 * same-commit spread beside it.
 *
 * Two workloads (`harness/instructions-workload.ts`), each run short and long;
 * the difference over the rows between is the figure (start-up, the pool, the
 * kernel's warm-up and most of V8's compiling cancel out):
 *   - bucketing the first --from-days, then --days, arrival days in one thread;
 *   - stage 1 from the year roll-up with one worker, for 20% then 60% of the
 *     users (`sample`): the worker's kernel and the coordinator together.
 * With --compare REF the same workloads run at REF (a detached worktree
 * sharing node_modules) in the same run, and the ratio is printed (> 1: this
 * commit executes fewer); the outputs' bytes are compared too.
 *
 * What it does not measure: memory stalls (an instruction that misses cache
 * costs the same as one that hits), and code V8 would have optimized sooner
 * with background compilation. A change that trades instructions for misses
 * needs a timed benchmark as well.
 *
 *   node --import tsx native-bench/instructions.bench.ts [--users 1000] [--from-days 5] [--days 25] [--only bucket|stage1] [--compare REF] [--json]
 *
 * Needs valgrind (Debian's package). Under valgrind a row costs ~50–100× its
 * native time: the defaults take a few minutes per commit.
 */
import { execFileSync, spawnSync } from 'node:child_process';
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { fileURLToPath } from 'node:url';
import { generateLake } from '../fixtures/sample-year/generate.ts';
import { bucketLake } from '../engine/smb/bucket-lake.ts';
import { rollUpDays } from '../engine/smb/partition-plan.ts';
import { benchArgs } from './report.ts';
import { currentCommit } from './harness/compare.ts';
import { treeHashesOf } from './tree-hash.ts';

const ROOT = fileURLToPath(new URL('../', import.meta.url));
/**
 * V8 made to run alike every time: optimizing compiles on the requesting
 * thread and no heap helper threads (`--predictable`), a garbage-collection
 * schedule that does not follow the clock, WebAssembly compiled once by its
 * optimizing tier (no tier-up in the background), fixed seeds.
 */
const V8_DETERMINISTIC = ['--predictable', '--predictable-gc-schedule', '--no-liftoff', '--hash-seed=1', '--random-seed=1'];
const NO_ASLR = spawnSync('setarch', [process.arch === 'x64' ? 'x86_64' : process.arch, '-R', 'true']).status === 0;
const WORKLOAD = 'native-bench/harness/instructions-workload.ts';
const BUCKETS = 8;

const args = benchArgs(process.argv.slice(2));
const users = Number(args.get('users') ?? 1000);
const fromDays = Number(args.get('from-days') ?? 5);
const toDays = Number(args.get('days') ?? 25);
const only = args.get('only');
const compare = args.get('compare');
const json = args.has('json');
const YEAR = 2025;

/** Instructions executed by `node <flags> <workload> <args>` under valgrind, and what the workload printed. */
function countInstructions(cwd: string, workloadArgs: readonly string[]): { instructions: number; rows: number } {
  const valgrind = ['valgrind', '--tool=cachegrind', '--cache-sim=no', '--cachegrind-out-file=/dev/null', '--smc-check=all-non-file'];
  const node = [process.execPath, ...V8_DETERMINISTIC, '--import', 'tsx', WORKLOAD, ...workloadArgs];
  // Without address-space randomization where setarch can turn it off (tables keyed by address probe alike).
  const cmd = NO_ASLR ? ['setarch', process.arch === 'x64' ? 'x86_64' : process.arch, '-R', ...valgrind, ...node] : [...valgrind, ...node];
  const r = spawnSync(cmd[0]!, cmd.slice(1), { cwd, encoding: 'utf8', maxBuffer: 64 << 20 });
  const m = /I\s+refs:\s+([\d,]+)/.exec(r.stderr ?? '');
  if (r.status !== 0 || !m) throw new Error(`valgrind run in ${cwd} failed (exit ${r.status}): ${(r.stderr || '').split('\n').filter(Boolean).slice(-3).join(' | ')}`);
  return { instructions: Number(m[1]!.replaceAll(',', '')), rows: (JSON.parse(r.stdout.trim().split('\n').at(-1)!) as { rows: number }).rows };
}

/** A workload: its arguments, and those of a first run (not counted), a short run and a long one. */
interface Workload {
  readonly name: string;
  readonly args: (lake: string, smb: string, out: string) => string[];
  readonly warm: readonly string[];
  readonly short: readonly string[];
  readonly long: readonly string[];
  /** Which rows the figure is over, for the report. */
  readonly span: string;
}

const ALL_WORKLOADS: readonly Workload[] = [
  {
    name: 'bucketing, in process, one thread', span: `days ${fromDays + 1}–${toDays}`,
    args: (lake, smb, out) => ['--kind', 'bucket', '--lake', lake, '--smb', smb, '--out', out, '--buckets', String(BUCKETS)],
    warm: ['--days', '1'], short: ['--days', String(fromDays)], long: ['--days', String(toDays)],
  },
  {
    name: 'stage 1 from the year roll-up, one worker (pool, warm-up and coordinator included)', span: 'users sampled at 0.6 but not at 0.2',
    args: (lake, smb, out) => ['--kind', 'stage1', '--lake', lake, '--smb', smb, '--out', out, '--year', String(YEAR)],
    warm: ['--sample', '0.05'], short: ['--sample', '0.2'], long: ['--sample', '0.6'],
  },
];
const WORKLOADS = ALL_WORKLOADS.filter((w) => only === undefined || w.name.startsWith(only === 'stage1' ? 'stage 1' : only));

/**
 * Marginal instructions per row: the workload's long run less its short run,
 * over the rows between. Start-up (Node, tsx, modules, the pool, the kernel's
 * warm-up) and most of V8's compiling fall in both runs and cancel out; a
 * first run, not counted, fills tsx's cache of compiled sources and the worker
 * bundles (a commit new to them would otherwise count that in one run only).
 */
function perRow(w: Workload, cwd: string, common: string[]): { instructions: number; rows: number; perRow: number } {
  countInstructions(cwd, [...common, ...w.warm]);
  const a = countInstructions(cwd, [...common, ...w.short]);
  const b = countInstructions(cwd, [...common, ...w.long]);
  const rows = b.rows - a.rows;
  if (rows <= 0) throw new Error(`${w.name}: the long run did no more rows than the short one in ${cwd}`);
  const instructions = b.instructions - a.instructions;
  return { instructions, rows, perRow: instructions / rows };
}

if (spawnSync('valgrind', ['--version']).status !== 0) {
  process.stderr.write('instructions.bench: valgrind not found (apt-get install valgrind)\n');
  process.exit(2);
}
if (WORKLOADS.length === 0) {
  process.stderr.write(`instructions.bench: --only takes bucket or stage1, got ${only}\n`);
  process.exit(2);
}
const tmp = fs.mkdtempSync(path.join(os.tmpdir(), 'wrapped-bench-instr-'));
let worktree: string | null = null;
try {
  const lake = path.join(tmp, 'lake'), smb = path.join(tmp, 'smb');
  await generateLake({ lake, users, seed: 7, years: [YEAR] });
  // The dictionaries and the catalog snapshot, and the year roll-up stage 1 reads (made by this commit).
  await bucketLake({ lake, smb, numBuckets: BUCKETS });
  await rollUpDays(smb, Date.UTC(YEAR, 0, 1) / 86_400_000, Date.UTC(YEAR, 11, 31) / 86_400_000);
  if (compare) {
    worktree = path.join(tmp, 'base');
    execFileSync('git', ['-C', ROOT, 'worktree', 'add', '--detach', worktree, compare], { stdio: 'ignore' });
    fs.symlinkSync(path.join(ROOT, 'node_modules'), path.join(worktree, 'node_modules'));
    fs.mkdirSync(path.dirname(path.join(worktree, WORKLOAD)), { recursive: true });
    fs.copyFileSync(path.join(ROOT, WORKLOAD), path.join(worktree, WORKLOAD));
  }
  const results = WORKLOADS.map((w, k) => {
    const out = (who: string) => path.join(tmp, `out-${k}-${who}`);
    const now = perRow(w, ROOT, w.args(lake, smb, out('now')));
    const base = worktree ? perRow(w, worktree, w.args(lake, smb, out('base'))) : null;
    // The same work: the same rows (checked), and whether the same bytes (reported: a commit may change a format).
    if (base && base.rows !== now.rows) throw new Error(`check failed: ${w.name}: ${compare} did ${base.rows} rows between its runs, this commit ${now.rows}`);
    const same = base ? JSON.stringify([...treeHashesOf(out('now'))]) === JSON.stringify([...treeHashesOf(out('base'))]) : null;
    return {
      workload: w.name, span: w.span, rows: now.rows, now: { perRow: now.perRow, instructions: now.instructions },
      ...(base ? { base: { perRow: base.perRow, instructions: base.instructions }, ratio: base.perRow / now.perRow, sameBytes: same } : {}),
    };
  });
  const report = { benchmark: 'instructions per row (valgrind)', commit: currentCommit(), users, ...(compare ? { compare } : {}), results };
  if (json) process.stdout.write(`${JSON.stringify(report, null, 2)}\n`);
  else {
    process.stdout.write(`\n${report.benchmark}, ${users} users; this commit ${report.commit}${compare ? `, beside ${compare}` : ''}\n`);
    for (const r of results) {
      process.stdout.write(`  ${r.workload}, ${r.span}: ${r.rows.toLocaleString('en-US')} rows\n    this commit: ${r.now.perRow.toFixed(0)} instructions a row\n`);
      if (r.base) process.stdout.write(`    ${compare}: ${r.base.perRow.toFixed(0)} instructions a row\n    ratio ${r.ratio!.toFixed(3)} (> 1: this commit executes fewer); outputs byte-identical: ${r.sameBytes ? 'yes' : 'no'}\n`);
    }
  }
} finally {
  if (worktree) spawnSync('git', ['-C', ROOT, 'worktree', 'remove', '--force', worktree]);
  fs.rmSync(tmp, { recursive: true, force: true });
}
