import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { STAGES, type Stage } from '../../../stages/run/stages.ts';
import { DAY_MS, epochDay } from '../../lake/calendar.ts';
import { listPlayPartitions } from '../../lake/lake-layout.ts';
import { wrappedError } from '../../errors/registry.ts';
import { parseSize } from '../../memory/size.ts';
import type { Command, CommandContext } from '../command.ts';
import { Progress } from '../progress.ts';

/** The latest year whose counting window is complete in the lake (it has the arrival day Y-12-07). */
function defaultYear(lake: string): number | null {
  const days = new Set(listPlayPartitions(lake).map((p) => p.day));
  const years = [...new Set([...days].map((d) => new Date(d * DAY_MS).getUTCFullYear()))].sort((a, b) => b - a);
  return years.find((y) => days.has(epochDay(y, 12, 7))) ?? null;
}

/** Progress per stage: a live line on a terminal, JSON lines otherwise (with the pipeline's events). */
function reporter(ctx: CommandContext) {
  const bars = new Map<string, Progress>();
  const write = (s: string) => process.stderr.write(s);
  return {
    log: (e: Record<string, unknown>) => {
      if (!ctx.isTTY) write(JSON.stringify({ time: new Date().toISOString(), ...e }) + '\n');
      else if (e['event'] === 'stage_skip') ctx.err(`${String(e['stage'])}: already complete (resumed run)`);
      else if (e['event'] === 'rollup_skipped') ctx.err(`roll-up ${String(e['dir'])} not used (its days are read instead): ${String(e['why'])}`);
      else if (e['event'] === 'catalog_built') ctx.err(`aggregate: catalog snapshot not used (${String(e['why'])}): built the catalog instead; wrapped bucket writes it again`);
      else if (e['event'] === 'run_start') ctx.err(`run ${String(e['run_id'])}${e['resumed'] ? ' (resuming)' : ''} in ${String(e['run_dir'])}`);
    },
    onProgress: (stage: string, done: number, total: number, rows: number) => {
      let p = bars.get(stage);
      if (!p) bars.set(stage, (p = new Progress(stage, total, write, ctx.isTTY)));
      p.tick(1, rows);
    },
  };
}

export const runCommand: Command = {
  name: 'run',
  summary: 'run the four stages on a year and publish the documents',
  description: [
    'Buckets the lake into SMB (skipping complete partitions), then runs aggregate → enrich →',
    'rank → package in a versioned directory <out>/runs/<run id> and publishes it by swapping the',
    'symlink <out>/current. Each stage writes per-bucket outputs with completion markers: run the',
    'same command again after an interruption (even SIGKILL) and it resumes, producing',
    'byte-identical documents. Nothing is published unless every stage completed and the checks',
    'passed (document count, malformed-row rate). With --sample the run is a dry run on a share',
    'of users (chosen by hash), written but not published. Layout: docs/stage-outputs.md.',
  ].join('\n'),
  flags: [
    { name: 'lake', kind: 'string', value: 'DIR', required: true, help: 'the Parquet lake (SPEC §2)' },
    { name: 'out', kind: 'string', value: 'DIR', required: true, help: 'output directory (runs/, current)' },
    { name: 'year', kind: 'int', value: 'Y', min: 1971, max: 2200, help: 'year to compute (default: the latest complete year in the lake)' },
    { name: 'smb', kind: 'string', value: 'DIR', help: 'SMB layout to use or fill (default: <out>/smb)' },
    { name: 'stages', kind: 'string-list', value: 'S[,S]', default: ['all'], help: `stages to run: all, or some of ${STAGES.join(', ')} (a partial run is not published)` },
    { name: 'buckets', kind: 'int', value: 'N', min: 1, max: 65536, check: (v) => ((Number(v) & (Number(v) - 1)) === 0 ? null : 'a power of two'), help: 'buckets per SMB partition when bucketing (default: as `wrapped bucket` chooses; see its --help)' },
    { name: 'rollup', kind: 'bool', help: 'after bucketing, roll the year\'s days up into one partition, one range per user sorted by (track, ts): stage 1\'s fast path, kept for later runs while no day changes (costs more than it saves in a single run)' },
    { name: 'workers', kind: 'int', value: 'N', min: 1, max: 256, help: 'worker threads (default: one per core)' },
    { name: 'memory', kind: 'string', value: 'SIZE', check: (v) => (parseSize(String(v)) === null ? 'a size such as 2GiB or 512MB' : null), help: 'budget for bucket data in memory (sets how many buckets are in flight; default 2 buckets)' },
    { name: 'mapping', kind: 'string', value: 'auto|mmap|read', default: 'auto', check: (v) => (['auto', 'mmap', 'read'].includes(String(v)) ? null : 'auto, mmap or read'), help: 'how bucket files reach shared memory: mmap through the addon, or read into reused buffers (auto maps files of 64 KiB or more on average, such as a roll-up or day files at a few buckets, and reads smaller ones)' },
    { name: 'sample', kind: 'number', value: 'F', min: 1e-6, max: 1, help: 'dry run on this share of users (e.g. 0.01), chosen by hash; not published' },
    { name: 'cards', kind: 'bool', help: 'render share cards (story.png, story.json) for eligible users' },
    { name: 'ranks', kind: 'string', value: 'exact|sketch', default: 'exact', check: (v) => (['exact', 'sketch'].includes(String(v)) ? null : 'exact or sketch'), help: 'how rank candidates are found (statements are exact either way)' },
    { name: 'min-listeners', kind: 'int', value: 'K', default: 100, min: 1, help: 'an artist needs this many listeners for rank statements' },
    { name: 'max-reject-rate', kind: 'number', value: 'R', default: 0.01, min: 0, max: 1, help: 'largest share of malformed rows that still publishes' },
    { name: 'profile', kind: 'bool', help: 'write per-task timings, rows/s, worker utilization and peak RSS to <run>/aggregate/profile.json' },
  ],
  async run(f, ctx) {
    const asked = f['stages'] as string[];
    const stages = (asked.includes('all') ? [...STAGES] : asked) as Stage[];
    for (const s of stages) {
      if (!(STAGES as readonly string[]).includes(s)) throw wrappedError('ERR_CLI_BAD_VALUE', { command: 'run', flag: 'stages', expected: `all or some of ${STAGES.join(', ')}`, actual: s });
    }
    const lake = path.resolve(String(f['lake']));
    const out = path.resolve(String(f['out']));
    const year = (f['year'] as number | undefined) ?? defaultYear(lake);
    if (year === null) throw wrappedError('ERR_LAKE_NOT_FOUND', { lake, expected: 'a complete year (arrival partitions through Y-12-07); pass --year' });
    const workers = f['workers'] as number | undefined;
    // The pipeline is loaded when the command runs, not when the CLI starts.
    const [{ runPipeline }, { quantiles }, { taskCpuMs }] = await Promise.all([
      import('../../../stages/run/index.ts'), import('../../../stages/run/run-report.ts'), import('../../../stages/aggregate/index.ts'),
    ]);
    const rep = reporter(ctx);
    const t0 = performance.now();
    const r = await runPipeline({
      lake, out, year, stages, workers, buckets: f['buckets'] as number | undefined, rollup: f['rollup'] as boolean, smb: f['smb'] ? path.resolve(String(f['smb'])) : undefined,
      memoryBytes: f['memory'] ? parseSize(String(f['memory']))! : undefined, mapping: f['mapping'] as 'auto' | 'mmap' | 'read',
      sample: f['sample'] as number | undefined, cards: Boolean(f['cards']), ranks: f['ranks'] as 'exact' | 'sketch',
      minListeners: f['min-listeners'] as number, maxRejectRate: f['max-reject-rate'] as number,
      log: rep.log,
      onProgress: rep.onProgress,
      onAggregate: f['profile'] ? (a) => {
        const taskMs = a.tasks.map((t) => t.ms);
        const busy = taskMs.reduce((s, x) => s + x, 0);
        const w = workers ?? os.availableParallelism();
        const cpu = taskCpuMs(a.tasks);
        return {
          stage: 'aggregate', year, seconds: a.seconds, rows: a.rows, rows_per_s: Math.round(a.rows / a.seconds),
          bytes_mapped: a.bytesMapped, mapping: a.mapping, lanes: a.lanes, largest_bucket_bytes: a.largestBucketBytes, workers: w,
          catalog: a.catalog,
          worker_utilization: busy / 1000 / (a.seconds * w),
          tasks: a.tasks.length, task_ms: quantiles(taskMs),
          // CPU time per task on its worker thread (null without the thread clock): the work, without waiting for a core.
          task_cpu_ms: cpu ? quantiles(cpu) : null,
          worker_cpu_utilization: cpu ? cpu.reduce((s, x) => s + x, 0) / 1000 / (a.seconds * w) : null,
          peak_rss_bytes: process.resourceUsage().maxRSS * 1024,
          per_task: a.tasks,
        };
      } : undefined,
    });
    const secs = ((performance.now() - t0) / 1000).toFixed(1);
    const m = r.manifest as { counts: { users: number; eligible: number; documents: number; cards: number } } | null;
    if (m) {
      ctx.out(`run ${r.runId}: ${m.counts.documents} documents (${m.counts.eligible} eligible), ${m.counts.cards} cards, ${secs} s`);
      ctx.out(`  run:       ${r.runDir}`);
      ctx.out(`  report:    ${path.join(r.runDir, 'report.html')}`);
      ctx.out(r.published ? `  published: ${path.join(out, 'current')} → runs/${r.runId}` : '  dry run (--sample): not published');
    } else {
      ctx.out(`run ${r.runId}: stages ${stages.join(', ')} done in ${secs} s (partial run, not published)`);
      ctx.out(`  run:       ${r.runDir}`);
    }
    const profileFile = path.join(r.runDir, 'aggregate', 'profile.json');
    if (f['profile'] && fs.existsSync(profileFile)) ctx.out(`  profile:   ${profileFile}`);
    return 0;
  },
};
