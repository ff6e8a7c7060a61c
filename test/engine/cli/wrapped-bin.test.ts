import { spawnSync } from 'node:child_process';
import * as fs from 'node:fs';
import * as path from 'node:path';
import { fileURLToPath } from 'node:url';
import { afterAll, describe, expect, it } from 'vitest';
import { tempDir } from '../../helpers/tmp.ts';

const BIN = fileURLToPath(new URL('../../../engine/cli/wrapped.mjs', import.meta.url));

/** Runs the real `wrapped` executable, as a user would. */
function wrapped(...args: string[]) {
  return wrappedWith({}, ...args);
}

function wrappedWith(env: NodeJS.ProcessEnv, ...args: string[]) {
  const r = spawnSync(process.execPath, [BIN, ...args], { encoding: 'utf8', timeout: 120_000, env: { ...process.env, ...env } });
  return { code: r.status, out: r.stdout, err: r.stderr };
}

describe('the wrapped executable', () => {
  const tmp = tempDir('cli');
  afterAll(() => tmp.cleanup());

  it('lists every subcommand in --help', () => {
    const r = wrapped('--help');
    expect(r.code).toBe(0);
    for (const c of ['generate', 'bucket', 'run', 'serve', 'token', 'bench', 'demo']) expect(r.out).toContain(`  ${c}`);
  });

  it('has --help on every subcommand, naming its flags', () => {
    for (const [c, flag] of [['generate', '--users'], ['bucket', '--buckets'], ['run', '--stages'], ['serve', '--port'], ['token', '--admin'], ['bench', '--json'], ['demo', '--dir']] as const) {
      const r = wrapped(c, '--help');
      expect(r.code, c).toBe(0);
      expect(r.out, c).toContain(`Usage: wrapped ${c}`);
      expect(r.out, c).toContain(flag);
    }
  });

  it('refuses a garbage-collector flag in WRAPPED_V8_FLAGS before doing anything, with exit code 2 and no stack', () => {
    const r = wrappedWith({ WRAPPED_V8_FLAGS: '--single-threaded-gc' }, 'generate', '--lake', path.join(tmp.dir, 'never'), '--users', '3');
    expect(r.code).toBe(2);
    expect(r.err).toMatch(/^error ERR_V8_FLAG_NOT_SETTABLE: \$WRAPPED_V8_FLAGS: '--single-threaded-gc' .*node --single-threaded-gc engine\/cli\/wrapped.mjs/);
    expect(r.err).not.toMatch(/\n\s+at /);
    expect(fs.existsSync(path.join(tmp.dir, 'never'))).toBe(false);
  });

  it('rejects an unknown command, unknown flags, bad values and missing flags with exit code 2 and no stack', () => {
    const cases: Array<[string[], RegExp]> = [
      [['frobnicate'], /ERR_CLI_UNKNOWN_COMMAND: unknown command 'frobnicate'/],
      [['generate', '--lake', 'x', '--colour', 'red'], /ERR_CLI_UNKNOWN_FLAG.*'--colour'/],
      [['generate', '--lake', 'x', '--users', 'many'], /ERR_CLI_BAD_VALUE.*--users must be an integer, got 'many'/],
      [['generate', '--lake', 'x', '--users', '0'], /--users must be an integer >= 1, got '0'/],
      [['generate', '--lake', 'x', '--years', '2025,2027'], /--years must be consecutive ascending years/],
      [['generate', '--users', '10'], /ERR_CLI_MISSING_FLAG.*--lake is required/],
      [['generate', '--lake'], /ERR_CLI_MISSING_VALUE.*--lake expects a value/],
      [['bucket', '--lake', 'l', '--smb', 's', '--from', '2025-02-30'], /--from must be a real calendar date/],
      [['bench', '--rounds', '3'], /--rounds must be 1 unless --compare is given and the macro half runs \(not --only micro\), got '3'/],
      [['bench', '--only', 'rounds', '--compare', 'HEAD'], /--only must be 'rounds' only with --compare REF and --rounds 2 or more, got 'rounds \(--compare HEAD, --rounds 1\)'/],
    ];
    for (const [args, re] of cases) {
      const r = wrapped(...args);
      expect(r.code, args.join(' ')).toBe(2);
      expect(r.err, args.join(' ')).toMatch(re);
      expect(r.err).not.toMatch(/\n\s+at /);
    }
  });

  it('runs the micro benchmarks, each checked against its reference, and prints JSON', () => {
    const r = wrapped('bench', '--only', 'micro', '--time-ms', '50', '--json');
    expect(r.code, r.err).toBe(0);
    const j = JSON.parse(r.out) as { micro: Array<{ name: string; itemsPerS: number }>; macro: unknown };
    expect(j.micro.length).toBeGreaterThanOrEqual(9);
    for (const m of j.micro) expect(m.itemsPerS, m.name).toBeGreaterThan(0);
    expect(j.micro.map((m) => m.name)).toContain('card rendering (SVG → 1080×1920 PNG, resvg)');
    expect(j.macro).toBeNull();
  });

  it('rejects an unknown stage by name', () => {
    const bad = wrapped('run', '--lake', 'l', '--out', 'o', '--stages', 'aggregate,polish');
    expect(bad.code).toBe(2);
    expect(bad.err).toMatch(/--stages must be all or some of bucket, aggregate, enrich, rank, package, got 'polish'/);
  });

  it('prints tokens for a user (first argument) or the admin, and refuses to serve an output with nothing published', () => {
    const out = path.join(tmp.dir, 'empty-out');
    const t = wrapped('token', 'a'.repeat(32), '--out', out, '--ttl', '60');
    expect(t.code, t.err).toBe(0);
    expect(t.out.trim()).toMatch(/^[A-Za-z0-9_-]+\.[A-Za-z0-9_-]+$/);
    expect(fs.statSync(path.join(out, '.secrets', 'server-secret')).mode & 0o777).toBe(0o600);
    const admin = wrapped('token', '--admin', '--out', out);
    expect(admin.out.trim()).toBe(fs.readFileSync(path.join(out, '.secrets', 'admin-token'), 'utf8').trim());
    const bad = wrapped('token', 'nope', '--out', out);
    expect(bad.code).toBe(2);
    expect(bad.err).toMatch(/ERR_BAD_USER_ID/);
    const serve = wrapped('serve', '--out', out, '--port', '0');
    expect(serve.code).toBe(1);
    expect(serve.err).toMatch(/ERR_NO_PUBLISHED_RUN: .*empty-out has no published run/);
  });

  it('generates a lake, refuses to overwrite it without --force, and buckets it', () => {
    const lake = path.join(tmp.dir, 'lake');
    const r = wrapped('generate', '--lake', lake, '--users', '20', '--seed', '3', '--years', '2026');
    expect(r.code, r.err).toBe(0);
    expect(r.out).toMatch(/wrote .*plays of 20 users/);
    expect(fs.existsSync(path.join(lake, 'users.parquet'))).toBe(true);
    expect(fs.existsSync(path.join(lake, 'plays', 'year=2026', 'month=06'))).toBe(true);
    const again = wrapped('generate', '--lake', lake, '--users', '20');
    expect(again.code).toBe(1);
    expect(again.err).toMatch(/ERR_OUTPUT_NOT_EMPTY: .*lake already holds data/);
    const forced = wrapped('generate', '--lake', lake, '--users', '20', '--seed', '4', '--years', '2026', '--force');
    expect(forced.code, forced.err).toBe(0);

    const smb = path.join(tmp.dir, 'smb');
    const b = wrapped('bucket', '--lake', lake, '--smb', smb, '--buckets', '8', '--from', '2026-06-01', '--to', '2026-06-03');
    expect(b.code, b.err).toBe(0);
    expect(b.out).toMatch(/bucketed 3 partitions \(0 already complete\)/);
    // 3 days × (8 bucket files, rejects, metadata).
    expect(b.out).toMatch(/wrote 30 files: [\d.]+ s of the workers' time, [\d.]+ ms a file/);
    const day = path.join(smb, 'plays', 'year=2026', 'month=06', 'day=02');
    expect(fs.readdirSync(day).filter((f) => f.endsWith('.arrow')).sort()).toEqual([
      ...Array.from({ length: 8 }, (_, i) => `bucket-0000${i}-of-00008.arrow`), 'rejects.arrow',
    ]);
    expect(fs.existsSync(path.join(day, 'metadata.json'))).toBe(true);
    const rerun = wrapped('bucket', '--lake', lake, '--smb', smb, '--buckets', '8', '--from', '2026-06-01', '--to', '2026-06-03');
    expect(rerun.out).toMatch(/bucketed 3 partitions \(3 already complete\)/);
    expect(rerun.out).not.toMatch(/wrote/);
    const bad = wrapped('bucket', '--lake', lake, '--smb', smb, '--buckets', '48');
    expect(bad.code).toBe(2);
    expect(bad.err).toMatch(/--buckets must be a power of two/);
    const out = path.join(tmp.dir, 'out');
    const run = wrapped('run', '--lake', lake, '--out', out, '--stages', 'bucket,aggregate', '--profile', '--memory', '1KiB');
    expect(run.code, run.err).toBe(0);
    expect(run.out).toMatch(/run 2026-[0-9a-f]{12}: stages bucket, aggregate done in [\d.]+ s \(partial run, not published\)/);
    const runDir = /run: +(\S+)/.exec(run.out)![1]!;
    expect(fs.existsSync(path.join(runDir, 'aggregate', 'metadata.json'))).toBe(true);
    expect(fs.existsSync(path.join(out, 'current'))).toBe(false);
    const profile = JSON.parse(fs.readFileSync(path.join(runDir, 'aggregate', 'profile.json'), 'utf8'));
    expect(profile.tasks).toBeGreaterThan(0);
    expect(profile.per_task.length).toBe(profile.tasks);
    expect(profile.peak_rss_bytes).toBeGreaterThan(0);
    // Each task's CPU time on its thread: some work, never more than its wall time.
    for (const t of profile.per_task) {
      expect(t.cpuMs).toBeGreaterThan(0);
      expect(t.cpuMs).toBeLessThanOrEqual(t.ms + 0.5);
    }
    expect(profile.task_cpu_ms.max).toBe(Math.max(...profile.per_task.map((t: { cpuMs: number }) => t.cpuMs)));
    // A budget below one bucket still runs, one logical bucket at a time.
    expect(profile.lanes).toBe(1);
    const notLake = wrapped('bucket', '--lake', tmp.dir, '--smb', smb);
    expect(notLake.code).toBe(1);
    expect(notLake.err).toMatch(/ERR_LAKE_NOT_FOUND: .* is not a Wrapped lake: expected a plays\/ directory/);
  });
});
