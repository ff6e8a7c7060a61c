import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { runAggregate } from '../../../stages/aggregate/index.ts';
import { DAY_MS, epochDay } from '../../lake/calendar.ts';
import { listPlayPartitions } from '../../lake/lake-layout.ts';
import { wrappedError } from '../../errors/registry.ts';
import { writeFileAtomic } from '../../lake/parquet-io.ts';
import { bucketLake, parseSize } from '../../smb/bucket-lake.ts';
import type { Command } from '../command.ts';
import { formatCount, Progress } from '../progress.ts';

const ALL_STAGES = ['bucket', 'aggregate', 'enrich', 'rank', 'package'] as const;
const BUILT = new Set(['bucket', 'aggregate']);

/** The latest year whose counting window is complete in the lake (it has the arrival day Y-12-07). */
function defaultYear(lake: string): number | null {
  const days = new Set(listPlayPartitions(lake).map((p) => p.day));
  const years = [...new Set([...days].map((d) => new Date(d * DAY_MS).getUTCFullYear()))].sort((a, b) => b - a);
  return years.find((y) => days.has(epochDay(y, 12, 7))) ?? null;
}

export const runCommand: Command = {
  name: 'run',
  summary: 'run the stages (bucket → aggregate built; enrich, rank, package to come)',
  description: [
    'Runs the pipeline for one year: buckets the lake into SMB (skipping complete partitions),',
    'then the stages. Built today: bucket and aggregate (stage 1, every per-user number of',
    'SPEC §3, written per bucket to <out>/aggregate, docs/stage-outputs.md). Enrich, rank and',
    'package (issues #5, #6) are not built: run with --stages bucket,aggregate.',
  ].join('\n'),
  flags: [
    { name: 'lake', kind: 'string', value: 'DIR', required: true, help: 'the Parquet lake (SPEC §2)' },
    { name: 'out', kind: 'string', value: 'DIR', required: true, help: 'output directory' },
    { name: 'year', kind: 'int', value: 'Y', min: 1971, max: 2200, help: 'year to compute (default: the latest complete year in the lake)' },
    { name: 'smb', kind: 'string', value: 'DIR', help: 'SMB layout to use or fill (default: <out>/smb)' },
    { name: 'stages', kind: 'string-list', value: 'S[,S]', default: ['all'], help: `stages to run: all, or some of ${ALL_STAGES.join(', ')}` },
    { name: 'workers', kind: 'int', value: 'N', min: 1, max: 256, help: 'worker threads (default: one per core)' },
    { name: 'memory', kind: 'string', value: 'SIZE', check: (v) => (parseSize(String(v)) === null ? 'a size such as 2GiB or 512MB' : null), help: 'budget for bucket data in memory (sets how many buckets are in flight; default 2 buckets)' },
    { name: 'mapping', kind: 'string', value: 'auto|mmap|read', default: 'auto', check: (v) => (['auto', 'mmap', 'read'].includes(String(v)) ? null : 'auto, mmap or read'), help: 'how bucket files reach shared memory: read into reused buffers (auto does this today), or mmap through the addon' },
    { name: 'profile', kind: 'bool', help: 'write per-task timings, rows/s, worker utilization and peak RSS to <out>/aggregate/profile.json' },
  ],
  async run(f, ctx) {
    const asked = f['stages'] as string[];
    const stages = asked.includes('all') ? [...ALL_STAGES] : asked;
    for (const s of stages) {
      if (!(ALL_STAGES as readonly string[]).includes(s)) throw wrappedError('ERR_CLI_BAD_VALUE', { command: 'run', flag: 'stages', expected: `all or some of ${ALL_STAGES.join(', ')}`, actual: s });
    }
    const missing = stages.filter((s) => !BUILT.has(s));
    if (missing.length > 0) {
      throw wrappedError('ERR_NOT_IMPLEMENTED', { what: `wrapped run: stage${missing.length > 1 ? 's' : ''} ${missing.join(', ')} (run the built ones with --stages bucket,aggregate)`, issue: 'issues #5 and #6' });
    }
    const lake = path.resolve(String(f['lake']));
    const out = path.resolve(String(f['out']));
    const smb = path.resolve(String(f['smb'] ?? path.join(out, 'smb')));
    const year = (f['year'] as number | undefined) ?? defaultYear(lake);
    if (year === null) throw wrappedError('ERR_LAKE_NOT_FOUND', { lake, expected: 'a complete year (arrival partitions through Y-12-07); pass --year' });
    const workers = f['workers'] as number | undefined;
    if (stages.includes('bucket')) {
      let p: Progress | null = null;
      const b = await bucketLake({
        lake, smb, workers, from: epochDay(year), to: epochDay(year, 12, 7),
        onPartition: (_d, total, x) => {
          p ??= new Progress('bucket', total, (s) => process.stderr.write(s), ctx.isTTY);
          p.tick(1, x.rows + x.rejects);
        },
      });
      ctx.out(`bucket: ${b.partitions} arrival days (${b.skipped} already complete), ${formatCount(b.rows)} rows, ${b.rejects} rejected`);
    }
    if (stages.includes('aggregate')) {
      let p: Progress | null = null;
      const r = await runAggregate({
        lake, smb, out: path.join(out, 'aggregate'), year, workers, mapping: f['mapping'] as 'auto' | 'mmap' | 'read',
        memoryBytes: f['memory'] ? parseSize(String(f['memory']))! : undefined,
        onBucket: (_d, total, rows) => {
          p ??= new Progress('aggregate', total, (s) => process.stderr.write(s), ctx.isTTY);
          p.tick(1, rows);
        },
      });
      ctx.out(`aggregate ${year}: ${r.users} users with plays (${r.eligible} eligible), ${formatCount(r.rows)} rows in ${r.seconds.toFixed(1)} s (${formatCount(r.rows / r.seconds)} rows/s)`);
      ctx.out(`  skipped: ${Object.entries(r.skips).map(([k, v]) => `${k} ${v}`).join(', ')}`);
      ctx.out(`  output: ${path.join(out, 'aggregate')}`);
      if (f['profile']) {
        const taskMs = r.tasks.map((t) => t.ms).sort((a, b) => a - b);
        const busy = taskMs.reduce((s, x) => s + x, 0);
        const profile = {
          stage: 'aggregate', year, seconds: r.seconds, rows: r.rows, rows_per_s: Math.round(r.rows / r.seconds),
          bytes_mapped: r.bytesMapped, mapping: r.mapping, lanes: r.lanes, largest_bucket_bytes: r.largestBucketBytes, workers: workers ?? os.availableParallelism(),
          worker_utilization: busy / 1000 / (r.seconds * (workers ?? os.availableParallelism())),
          tasks: r.tasks.length, task_ms: { median: taskMs[Math.floor(taskMs.length / 2)] ?? 0, p90: taskMs[Math.floor(taskMs.length * 0.9)] ?? 0, max: taskMs[taskMs.length - 1] ?? 0 },
          peak_rss_bytes: process.resourceUsage().maxRSS * 1024,
          per_task: r.tasks,
        };
        const file = path.join(out, 'aggregate', 'profile.json');
        fs.mkdirSync(path.dirname(file), { recursive: true });
        writeFileAtomic(file, JSON.stringify(profile, null, 2) + '\n');
        ctx.out(`  profile: ${file} (utilization ${(profile.worker_utilization * 100).toFixed(0)}%, largest task ${(profile.task_ms.max / Math.max(1e-9, profile.task_ms.median)).toFixed(1)}x the median)`);
      }
    }
    return 0;
  },
};
