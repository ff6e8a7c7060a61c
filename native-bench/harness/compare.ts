import { execFileSync, spawnSync } from 'node:child_process';
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { fileURLToPath, pathToFileURL } from 'node:url';
import { prebuildWorkerBundles, workerModules } from '../../engine/pool/worker-bundle.ts';
import { mmapAddon } from '../../engine/memory/mmap-file.ts';
import { threadCpuMs } from '../../engine/pool/thread-clock.ts';

/** The JSON `wrapped bench --json` prints. */
export interface BenchJson {
  readonly commit: string;
  readonly micro: ReadonlyArray<{ name: string; unit: string; itemsPerS: number }>;
  readonly macro: { rows: ReadonlyArray<{ name: string; unit: string; rows: number; seconds: number }> } | null;
}

const ROOT = fileURLToPath(new URL('../../', import.meta.url));

/**
 * A detached git worktree of `ref` sharing this checkout's node_modules (and
 * DuckDB's install), prepared for timing (`prepareForTiming`). `remove()`
 * deletes it.
 */
export function checkoutAt(ref: string): { readonly dir: string; readonly remove: () => void } {
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'wrapped-compare-'));
  const remove = () => {
    spawnSync('git', ['-C', ROOT, 'worktree', 'remove', '--force', dir]);
    fs.rmSync(dir, { recursive: true, force: true });
  };
  try {
    execFileSync('git', ['-C', ROOT, 'worktree', 'add', '--detach', dir, ref], { stdio: 'ignore' });
    fs.symlinkSync(path.join(ROOT, 'node_modules'), path.join(dir, 'node_modules'));
    // DuckDB, installed on first use (native-bench/duckdb.ts), shared too: otherwise the
    // other commit installs it again, and an older harness printed npm's report into its JSON.
    const deps = path.join(ROOT, 'native-bench', '.deps');
    if (fs.existsSync(deps) && fs.existsSync(path.join(dir, 'native-bench'))) fs.symlinkSync(deps, path.join(dir, 'native-bench', '.deps'));
    prepareForTiming(dir);
    return { dir, remove };
  } catch (e) {
    remove();
    throw e;
  }
}

/**
 * Runs `wrapped bench --json` of another commit (a worktree, `checkoutAt`)
 * with the same arguments, and returns its JSON. The other commit must have
 * the harness.
 */
export function benchAtRef(ref: string, args: readonly string[]): BenchJson {
  const other = checkoutAt(ref);
  try {
    const r = spawnSync(process.execPath, ['engine/cli/wrapped.mjs', 'bench', '--json', ...args], { cwd: other.dir, encoding: 'utf8', maxBuffer: 64 << 20 });
    if (r.status !== 0) throw new Error(`wrapped bench at ${ref} failed (exit ${r.status}): ${(r.stderr || '').split('\n').filter(Boolean).slice(-3).join(' | ')}`);
    return JSON.parse(r.stdout) as BenchJson;
  } finally {
    other.remove();
  }
}

/**
 * Prepares the other commit as `prepareThisCheckout` prepares this one, before
 * its benchmarks run: its worker bundles (its sources are new to the bundle
 * cache) and its native addons (built into its own worktree). Otherwise its
 * stages' first pool starts bundle (~0.9 s of esbuild in all) and its first stage-1 run
 * compiles the addons with node-gyp, all timed as its stages' work. Uses that
 * commit's own modules, where it has them.
 */
export function prepareForTiming(dir: string): void {
  const url = (rel: string) => (fs.existsSync(path.join(dir, rel)) ? pathToFileURL(path.join(dir, rel)).href : null);
  const bundler = url('engine/pool/worker-bundle.ts'), mmap = url('engine/memory/mmap-file.ts'), clock = url('engine/pool/thread-clock.ts');
  const modules = bundler ? workerModules(dir) : [];
  const script = [
    bundler && `{ const b = await import(${JSON.stringify(bundler)}); if (typeof b.bundledModule === 'function') for (const m of ${JSON.stringify(modules)}) await b.bundledModule(m); }`,
    mmap && `{ const m = await import(${JSON.stringify(mmap)}); if (typeof m.mmapAddon === 'function') m.mmapAddon(); }`,
    clock && `{ const c = await import(${JSON.stringify(clock)}); if (typeof c.threadCpuMs === 'function') c.threadCpuMs(); }`,
  ].filter(Boolean).join('\n');
  if (!script) return;
  const r = spawnSync(process.execPath, ['--import', 'tsx', '--input-type=module', '-e', script], { cwd: dir, encoding: 'utf8' });
  if (r.status !== 0) throw new Error(`preparing ${dir} for timing (worker bundles, native addons) failed (exit ${r.status}): ${(r.stderr || '').split('\n').filter(Boolean).slice(-3).join(' | ')}`);
}

/**
 * Prepares this checkout for timing: its worker bundles and native addons are
 * built now, not in the first timed pool start or stage-1 run (a fresh clone,
 * or sources edited since the last run, would otherwise time esbuild and
 * node-gyp). Benchmarks call it before their first timed step.
 */
export async function prepareThisCheckout(): Promise<void> {
  await prebuildWorkerBundles();
  mmapAddon();
  threadCpuMs();
}

export function currentCommit(): string {
  const r = spawnSync('git', ['-C', ROOT, 'rev-parse', '--short', 'HEAD'], { encoding: 'utf8' });
  return r.status === 0 ? r.stdout.trim() : 'unknown';
}

/** Per benchmark: this commit's rate over the other's (items/s; > 1 is faster). */
export function ratios(now: BenchJson, base: BenchJson): Array<{ name: string; unit: string; base: number; now: number; ratio: number }> {
  const rate = (j: BenchJson) => new Map([
    ...j.micro.map((m) => [m.name, { unit: m.unit, v: m.itemsPerS }] as const),
    ...(j.macro?.rows ?? []).map((r) => [r.name, { unit: `${r.unit}/s`, v: r.rows / Math.max(r.seconds, 1e-9) }] as const),
  ]);
  const a = rate(now), b = rate(base);
  return [...a].filter(([k]) => b.has(k)).map(([name, x]) => ({ name, unit: x.unit, base: b.get(name)!.v, now: x.v, ratio: x.v / b.get(name)!.v }));
}
