/**
 * Instructions a row of bucketing costs, counted by valgrind (cachegrind,
 * no cache simulation) rather than timed: on these machines wall and CPU time
 * swing by up to 1.6× between minutes, while the count of instructions a
 * deterministic run executes does not (docs/benchmarks.md, session 14). V8 is
 * made deterministic for it: optimizing compiles happen on the main thread
 * (`--no-concurrent-recompilation`) and the heap has no helper threads
 * (`--single-threaded`), so when code gets optimized does not depend on timing,
 * and hash seeds are fixed (`--hash-seed`, `--random-seed`).
 *
 * The workload (`harness/instructions-workload.ts`) buckets the first days
 * of a generated lake in one thread. It runs over the first --from-days and
 * over the first --days; the difference over the rows between is the figure
 * (start-up and most of V8's compiling cancel out). With --compare REF the
 * same workload runs at REF (a detached worktree sharing node_modules) in the
 * same run, and the ratio is printed (> 1: this commit executes fewer).
 *
 * What it does not measure: memory stalls (an instruction that misses cache
 * costs the same as one that hits), other threads, and code V8 would have
 * optimized sooner with background compilation. A change that trades
 * instructions for misses needs a timed benchmark too.
 *
 *   node --import tsx native-bench/instructions.bench.ts [--users 1000] [--from-days 5] [--days 25] [--compare REF] [--json]
 *
 * Needs valgrind (Debian's package). Under valgrind a row costs ~100× its
 * native time: the defaults take a few minutes per commit.
 */
import { execFileSync, spawnSync } from 'node:child_process';
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { fileURLToPath } from 'node:url';
import { generateLake } from '../fixtures/sample-year/generate.ts';
import { bucketLake } from '../engine/smb/bucket-lake.ts';
import { benchArgs } from './report.ts';
import { currentCommit } from './harness/compare.ts';
import { treeHashesOf } from './tree-hash.ts';

const ROOT = fileURLToPath(new URL('../', import.meta.url));
const WORKLOAD = 'native-bench/harness/instructions-workload.ts';
const BUCKETS = 8;

const args = benchArgs(process.argv.slice(2));
const users = Number(args.get('users') ?? 1000);
const fromDays = Number(args.get('from-days') ?? 5);
const toDays = Number(args.get('days') ?? 25);
const compare = args.get('compare');
const json = args.has('json');

/** Instructions executed by `node <flags> <workload> <args>` under valgrind, and what the workload printed. */
function countInstructions(cwd: string, workloadArgs: readonly string[]): { instructions: number; rows: number } {
  const r = spawnSync('valgrind', [
    '--tool=cachegrind', '--cache-sim=no', '--cachegrind-out-file=/dev/null', '--smc-check=all-non-file',
    process.execPath, '--no-concurrent-recompilation', '--single-threaded', '--hash-seed=1', '--random-seed=1', '--import', 'tsx', WORKLOAD, ...workloadArgs,
  ], { cwd, encoding: 'utf8', maxBuffer: 64 << 20 });
  const m = /I\s+refs:\s+([\d,]+)/.exec(r.stderr ?? '');
  if (r.status !== 0 || !m) throw new Error(`valgrind run in ${cwd} failed (exit ${r.status}): ${(r.stderr || '').split('\n').filter(Boolean).slice(-3).join(' | ')}`);
  return { instructions: Number(m[1]!.replaceAll(',', '')), rows: (JSON.parse(r.stdout.trim().split('\n').at(-1)!) as { rows: number }).rows };
}

/**
 * Marginal instructions per row: the workload over the first `from` days and
 * over the first `to` days, the difference over the rows between. Start-up
 * (Node, tsx, modules) and most of V8's compiling fall in both runs and cancel
 * out; a first run, not counted, fills tsx's cache of compiled sources (a
 * commit new to it would otherwise count compiling them in the first run only).
 */
function perRow(cwd: string, lake: string, smb: string, out: string): { instructions: number; rows: number; perRow: number } {
  const common = ['--lake', lake, '--smb', smb, '--out', out, '--buckets', String(BUCKETS)];
  countInstructions(cwd, [...common, '--days', '1']);
  const a = countInstructions(cwd, [...common, '--days', String(fromDays)]);
  const b = countInstructions(cwd, [...common, '--days', String(toDays)]);
  const rows = b.rows - a.rows;
  if (rows <= 0) throw new Error(`the workload bucketed no more rows over ${toDays} days than over ${fromDays} in ${cwd}`);
  const instructions = b.instructions - a.instructions;
  return { instructions, rows, perRow: instructions / rows };
}

if (spawnSync('valgrind', ['--version']).status !== 0) {
  process.stderr.write('instructions.bench: valgrind not found (apt-get install valgrind)\n');
  process.exit(2);
}
const tmp = fs.mkdtempSync(path.join(os.tmpdir(), 'wrapped-bench-instr-'));
let worktree: string | null = null;
try {
  const lake = path.join(tmp, 'lake'), smb = path.join(tmp, 'smb');
  await generateLake({ lake, users, seed: 7, years: [2025] });
  // The dictionaries (and a bucketing to check the workload's output against).
  await bucketLake({ lake, smb, numBuckets: BUCKETS });
  const now = perRow(ROOT, lake, smb, path.join(tmp, 'out-now'));
  let base: ReturnType<typeof perRow> | null = null;
  if (compare) {
    worktree = path.join(tmp, 'base');
    execFileSync('git', ['-C', ROOT, 'worktree', 'add', '--detach', worktree, compare], { stdio: 'ignore' });
    fs.symlinkSync(path.join(ROOT, 'node_modules'), path.join(worktree, 'node_modules'));
    fs.mkdirSync(path.dirname(path.join(worktree, WORKLOAD)), { recursive: true });
    fs.copyFileSync(path.join(ROOT, WORKLOAD), path.join(worktree, WORKLOAD));
    base = perRow(worktree, lake, smb, path.join(tmp, 'out-base'));
    // The same work: the same rows (checked), and whether the same bytes (reported: a commit may change the format).
    if (base.rows !== now.rows) throw new Error(`check failed: ${compare} bucketed ${base.rows} rows, this commit ${now.rows}`);
  }
  const same = base ? JSON.stringify([...treeHashesOf(path.join(tmp, 'out-now'))]) === JSON.stringify([...treeHashesOf(path.join(tmp, 'out-base'))]) : null;
  const result = {
    benchmark: 'instructions per row, bucketing in one thread (valgrind)', commit: currentCommit(), users, fromDays, toDays, rows: now.rows,
    now: { perRow: now.perRow, instructions: now.instructions },
    ...(base ? { compare, base: { perRow: base.perRow, instructions: base.instructions }, ratio: base.perRow / now.perRow, sameBytes: same } : {}),
  };
  if (json) process.stdout.write(`${JSON.stringify(result, null, 2)}\n`);
  else {
    process.stdout.write(`\n${result.benchmark}\n  ${users} users, days ${fromDays + 1}–${toDays}: ${now.rows.toLocaleString('en-US')} rows\n`);
    process.stdout.write(`  this commit (${result.commit}): ${now.perRow.toFixed(0)} instructions a row\n`);
    if (base) process.stdout.write(`  ${compare}: ${base.perRow.toFixed(0)} instructions a row\n  ratio ${(base.perRow / now.perRow).toFixed(3)} (> 1: this commit executes fewer); outputs byte-identical: ${same ? 'yes' : 'no'}\n`);
  }
} finally {
  if (worktree) spawnSync('git', ['-C', ROOT, 'worktree', 'remove', '--force', worktree]);
  fs.rmSync(tmp, { recursive: true, force: true });
}
