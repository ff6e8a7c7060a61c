import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { catalogHash } from '../../engine/catalog/catalog-text.ts';
import { wrappedError } from '../../engine/errors/registry.ts';
import { epochDay } from '../../engine/lake/calendar.ts';
import { writeFileAtomic } from '../../engine/lake/atomic-file.ts';
import { stageComplete } from '../../engine/plan/bucket-markers.ts';
import { bucketLake } from '../../engine/smb/bucket-lake.ts';
import { listSmbPartitions } from '../../engine/smb/smb-layout.ts';
import { rollUpDays } from '../../engine/smb/partition-plan.ts';
import { runAggregate, type AggregateResult } from '../aggregate/index.ts';
import { yearWindow } from '../aggregate/year-window.ts';
import { runEnrich } from '../enrich/index.ts';
import { readAggregateMetadata } from '../aggregate/metadata.ts';
import { loadPersonalityModel } from '../enrich/personality-model.ts';
import { runPackage } from '../package/index.ts';
import { runRank, type RankMode } from '../rank/index.ts';
import { MANIFEST_FILE, previousYearRun, publishRun, RUNS_DIR } from './publish.ts';
import { inputFingerprint, runId, type RunConfig } from './run-id.ts';
import { writeRunReport, type StageTiming } from './run-report.ts';

import { STAGES, type Stage } from './stages.ts';

export { STAGES, type Stage };

export interface PipelineOptions {
  readonly lake: string;
  readonly out: string;
  readonly year: number;
  /** SMB layout to use or fill (default <out>/smb). */
  readonly smb?: string;
  readonly stages?: readonly Stage[];
  /** Buckets per SMB partition when bucketing (default: bucketLake's). */
  readonly buckets?: number;
  /**
   * After bucketing, roll the year's day partitions up into one partition
   * (one range per user sorted by (track, ts): stage 1's fast path, reused by later runs while
   * no day changes). Default false: made and read once, the roll-up costs more
   * than stage 1 saves (docs/benchmarks.md). The documents are the same
   * either way (tested), only the speed differs.
   */
  readonly rollup?: boolean;
  readonly workers?: number;
  readonly memoryBytes?: number;
  readonly mapping?: 'auto' | 'mmap' | 'read';
  /** Share of users (by hash) for a dry run; the run is written but not published. */
  readonly sample?: number;
  readonly cards?: boolean;
  readonly minListeners?: number;
  readonly ranks?: RankMode;
  /** Largest share of malformed rows that still publishes (default 1%). */
  readonly maxRejectRate?: number;
  /** Structured events: stage starts and ends, progress. */
  readonly log?: (event: Record<string, unknown>) => void;
  readonly onProgress?: (stage: string, done: number, total: number, rows: number) => void;
  /** With --profile: builds stage 1's profile.json (written beside its tables) from its result. */
  readonly onAggregate?: (r: AggregateResult) => Record<string, unknown>;
}

export interface PipelineResult {
  readonly runId: string;
  readonly runDir: string;
  readonly published: boolean;
  readonly manifest: Record<string, unknown> | null;
}

/**
 * `wrapped run`: bucket the lake, then aggregate → enrich → rank → package as a
 * DAG of resumable stages in a versioned run directory <out>/runs/<run id>, then
 * check and publish by swapping <out>/current. A stage that completed (its
 * metadata.json exists) is skipped; one that was interrupted resumes from its
 * completed buckets. The run id depends only on inputs and settings, so running
 * the same command again after a kill continues the same run.
 */
export async function runPipeline(o: PipelineOptions): Promise<PipelineResult> {
  const stages = new Set(o.stages ?? STAGES);
  const log = o.log ?? (() => {});
  const smb = o.smb ?? path.join(o.out, 'smb');
  const window = yearWindow(o.year);
  const sample = o.sample ?? 1;
  const model = loadPersonalityModel();
  const previous = previousYearRun(o.out, o.year - 1);
  const config: RunConfig = {
    year: o.year, sample, cards: o.cards ?? false, minListeners: o.minListeners ?? 100,
    catalogSha256: catalogHash(o.lake), model: model.version, previousRun: previous ? path.basename(previous) : null,
  };
  const inputs = inputFingerprint(o.lake, o.year, window.cutoffDay);
  const id = runId(config, inputs.sha256);
  const runDir = path.join(o.out, RUNS_DIR, id);
  fs.mkdirSync(runDir, { recursive: true });
  const resumed = fs.existsSync(path.join(runDir, 'run.json'));
  if (!resumed) writeFileAtomic(path.join(runDir, 'run.json'), JSON.stringify({ run_id: id, config, inputs }, null, 2) + '\n');
  log({ event: 'run_start', run_id: id, run_dir: runDir, resumed });
  const timings: StageTiming[] = [];
  const dirs = { aggregate: path.join(runDir, 'aggregate'), enrich: path.join(runDir, 'enrich'), rank: path.join(runDir, 'rank'), package: path.join(runDir, 'package') };
  let aggregate: AggregateResult | null = null;

  const stage = async (name: Stage, dir: string | null, body: () => Promise<Omit<StageTiming, 'stage' | 'seconds' | 'skipped'>>) => {
    if (!stages.has(name)) return;
    if (dir && stageComplete(dir)) {
      log({ event: 'stage_skip', stage: name, reason: 'complete' });
      timings.push({ stage: name, seconds: 0, skipped: true, rows: 0, taskMs: [] });
      return;
    }
    log({ event: 'stage_start', stage: name });
    const t0 = performance.now();
    const r = await body();
    const seconds = (performance.now() - t0) / 1000;
    timings.push({ stage: name, seconds, skipped: false, ...r });
    log({ event: 'stage_done', stage: name, seconds: Math.round(seconds * 1000) / 1000, rows: r.rows });
  };
  const progress = (s: string) => (done: number, total: number, rows = 0) => o.onProgress?.(s, done, total, rows);

  await stage('bucket', null, async () => {
    const b = await bucketLake({ lake: o.lake, smb, workers: o.workers, numBuckets: o.buckets, from: epochDay(o.year), to: window.cutoffDay, onPartition: (d, total, x) => progress('bucket')(d, total, x.rows + x.rejects) });
    if (b.buckets.from === 'lake') log({ event: 'buckets_chosen', buckets: b.buckets.numBuckets, median_day_rows: b.buckets.medianDayRows });
    // The days stage 1 reads, as one roll-up (kept for the next run while no day changes).
    const r = !o.rollup ? null : await rollUpDays(smb, epochDay(o.year), window.cutoffDay - 1, { workers: o.workers, onBucket: progress('rollup') });
    if (r?.built) log({ event: 'rollup', dir: r.dir });
    // Files written and the workers' time writing them: slow file creation shows here (docs/architecture.md §2).
    return { rows: b.rows, taskMs: [], extra: { files_written: b.filesWritten, write_seconds: Math.round(b.writeSeconds * 1000) / 1000 } };
  });
  await stage('aggregate', dirs.aggregate, async () => {
    aggregate = await runAggregate({ lake: o.lake, smb, out: dirs.aggregate, year: o.year, workers: o.workers, mapping: o.mapping, memoryBytes: o.memoryBytes, sample, onBucket: progress('aggregate') });
    // A stale roll-up is not an error (the days are read), but it is slower: say so.
    for (const r of aggregate.skippedRollups) log({ event: 'rollup_skipped', dir: r.dir, why: r.why });
    // Likewise a catalog snapshot that could not be used (the catalog was built instead).
    if (aggregate.catalog.source === 'built') log({ event: 'catalog_built', why: aggregate.catalog.why, seconds: aggregate.catalog.seconds });
    if (o.onAggregate) writeFileAtomic(path.join(dirs.aggregate, 'profile.json'), JSON.stringify(o.onAggregate(aggregate), null, 2) + '\n');
    return { rows: aggregate.rows, taskMs: aggregate.tasks.map((t) => t.ms) };
  });
  await stage('enrich', dirs.enrich, async () => {
    const r = await runEnrich({ lake: o.lake, aggregateDir: dirs.aggregate, out: dirs.enrich, workers: o.workers, model, previousAggregateDir: previous ? path.join(previous, 'aggregate') : null, onBucket: progress('enrich') });
    return { rows: r.users, taskMs: r.taskMs };
  });
  await stage('rank', dirs.rank, async () => {
    const r = await runRank({ lake: o.lake, aggregateDir: dirs.aggregate, out: dirs.rank, workers: o.workers, minListeners: config.minListeners, mode: o.ranks, onBucket: progress('rank') });
    return { rows: r.valuesCollected, taskMs: r.taskMs };
  });
  await stage('package', dirs.package, async () => {
    const r = await runPackage({
      lake: o.lake, runDir, aggregateDir: dirs.aggregate, enrichDir: dirs.enrich, rankDir: dirs.rank, out: dirs.package, cards: config.cards, workers: o.workers,
      onBucket: (step, d, t) => progress(step)(d, t),
    });
    return { rows: r.documents, taskMs: r.taskMs, extra: { cards: r.cards, card_seconds: r.cardSeconds, png_bytes: r.pngBytes, gz_bytes: r.gzBytes } };
  });

  if (!STAGES.every((s) => stages.has(s))) {
    log({ event: 'run_partial', run_id: id, stages: [...stages], published: false });
    return { runId: id, runDir, published: false, manifest: null };
  }
  const manifest = checkAndDescribe(o, id, runDir, smb, config, inputs, timings);
  writeFileAtomic(path.join(runDir, MANIFEST_FILE), JSON.stringify(manifest, null, 2) + '\n');
  writeRunReport(path.join(runDir, 'report.html'), manifest, timings, aggregate);
  const publish = sample >= 1;
  if (publish) publishRun(o.out, runDir, o.year);
  log({ event: publish ? 'published' : 'dry_run_complete', run_id: id, current: publish ? path.join(o.out, 'current') : null });
  return { runId: id, runDir, published: publish, manifest };
}

/** The pre-publish checks (throws ERR_RUN_CHECK_FAILED) and the run manifest. */
function checkAndDescribe(o: PipelineOptions, id: string, runDir: string, smb: string, config: RunConfig, inputs: { files: number; bytes: number }, timings: readonly StageTiming[]): Record<string, unknown> {
  const window = yearWindow(o.year);
  const agg = readAggregateMetadata('package', path.join(runDir, 'aggregate')) as unknown as Record<string, unknown> & { users: number; eligible: number };
  const pkg = JSON.parse(fs.readFileSync(path.join(runDir, 'package', 'metadata.json'), 'utf8')) as { documents: number; eligible: number; cards: number };
  const enrich = JSON.parse(fs.readFileSync(path.join(runDir, 'enrich', 'metadata.json'), 'utf8')) as Record<string, unknown>;
  const rank = JSON.parse(fs.readFileSync(path.join(runDir, 'rank', 'metadata.json'), 'utf8')) as Record<string, unknown>;
  const fail = (check: string, expected: string, actual: string) => {
    throw wrappedError('ERR_RUN_CHECK_FAILED', { run: id, check, expected, actual });
  };
  if (pkg.documents !== agg.users) fail('documents = eligible + ineligible users', String(agg.users), String(pkg.documents));
  if (pkg.eligible !== agg.eligible) fail('eligible documents', String(agg.eligible), String(pkg.eligible));
  if (config.cards && pkg.cards !== agg.eligible) fail('one card per eligible user', String(agg.eligible), String(pkg.cards));
  const rejects: Record<string, number> = {};
  let stored = 0;
  for (const p of listSmbPartitions(smb, epochDay(o.year), window.cutoffDay - 1)) {
    stored += p.metadata.rows;
    for (const [k, v] of Object.entries(p.metadata.rejects)) rejects[k] = (rejects[k] ?? 0) + (v ?? 0);
  }
  const rejected = Object.values(rejects).reduce((s, v) => s + v, 0);
  const rate = rejected / Math.max(1, stored + rejected);
  const max = o.maxRejectRate ?? 0.01;
  if (rate > max) fail('malformed rows within bounds', `at most ${(max * 100).toFixed(2)}%`, `${(rate * 100).toFixed(3)}% (${rejected} of ${stored + rejected})`);
  return {
    run_id: id, year: o.year, status: 'complete', finished_at: new Date().toISOString(),
    inputs: { lake: path.resolve(o.lake), play_files: inputs.files, play_bytes: inputs.bytes, smb: path.resolve(smb) },
    catalog_sha256: config.catalogSha256,
    config: { ...config, ranks: o.ranks ?? 'exact', workers: o.workers ?? os.availableParallelism(), max_reject_rate: max },
    counts: { stored_rows: stored, rows_read: agg['rows'], users: agg.users, eligible: agg.eligible, documents: pkg.documents, cards: pkg.cards, personalities: enrich['personalities'], statements: rank['statements'] },
    rejects_by_reason: rejects,
    skips_by_reason: agg['skips'],
    stages: timings.map((t) => ({ stage: t.stage, seconds: Math.round(t.seconds * 1000) / 1000, skipped: t.skipped, rows: t.rows, tasks: t.taskMs.length, ...(t.extra ?? {}) })),
    peak_rss_bytes: process.resourceUsage().maxRSS * 1024,
  };
}
