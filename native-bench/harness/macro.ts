/**
 * Macro benchmarks on a generated year: every stage and the whole run, each
 * beside its anchors in the same process — DuckDB (2 threads) computing the
 * stage-1 numbers from the same Parquet lake, the plain-JS reference, and the
 * memory-scan rate over the same SMB bytes. Checked before reporting: every
 * user's stage-1 totals equal the reference's and DuckDB's.
 */
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { generateLake } from '../../fixtures/sample-year/generate.ts';
import { listSmbPartitions } from '../../engine/smb/smb-layout.ts';
import { readAggregateBucket } from '../../stages/aggregate/output.ts';
import { runPipeline } from '../../stages/run/index.ts';
import { costModel, REAL_RUN, type StageTiming } from '../../stages/run/run-report.ts';
import { referenceLake } from '../../test/reference/stage1-reference.ts';
import { duckdb } from '../duckdb.ts';
import { stage1Sql } from '../duckdb-stage1.ts';
import { settleFileCreation, SLOW_CREATE_MS } from './fs-probe.ts';

export interface MacroRow {
  readonly name: string;
  readonly rows: number;
  readonly unit: string;
  readonly seconds: number;
  readonly note?: string;
}

export interface MacroResult {
  readonly users: number;
  readonly storedRows: number;
  /** What creating a file cost just before the pipeline ran (ms, `fileCreateMs`): bucket and package create thousands. */
  readonly fileCreateMs: number;
  /** Seconds spent waiting for file creation to settle before the pipeline ran. */
  readonly settleSeconds: number;
  readonly rows: MacroRow[];
  readonly cost: Record<string, number | null>;
}

const YEAR = 2025;

/**
 * `settleS`: how long to wait, at most, for file creation to be cheap again
 * before timing (`settleFileCreation`). `removeLater`: when given, the run's
 * scratch directory (lake, outputs) is added to it instead of deleted, so that
 * a benchmark timed after this one does not pay for the deletion (see
 * `fileCreateMs`); the caller removes it.
 */
export async function runMacro(users: number, log: (s: string) => void, withDuckdb = true, removeLater?: string[], settleS = 0): Promise<MacroResult> {
  const tmp = fs.mkdtempSync(path.join(os.tmpdir(), 'wrapped-macro-'));
  try {
    const lake = path.join(tmp, 'lake');
    log(`  generating ${users} users …`);
    await generateLake({ lake, users, seed: 7, years: [YEAR] });
    const { ms: createMs, waitedS } = await settleFileCreation(tmp, settleS, log);
    log(`  creating a file costs ${createMs.toFixed(3)} ms here now${createMs > SLOW_CREATE_MS ? ' (slow: bucket and package will be slower than usual)' : ''}`);
    const stage = new Map<string, number>();
    const t0 = performance.now();
    const run = await runPipeline({ lake, out: path.join(tmp, 'out'), year: YEAR, minListeners: 100, log: (e) => {
      if (e['event'] === 'stage_done') stage.set(String(e['stage']), Number(e['seconds']));
      if (e['event'] === 'stage_start') log(`  ${String(e['stage'])} …`);
    } });
    const wholeSeconds = (performance.now() - t0) / 1000;
    const m = run.manifest as { counts: { stored_rows: number; users: number; eligible: number; documents: number } };
    const storedRows = m.counts.stored_rows;
    // Cards on a 5% sample (a dry run): the per-card cost scales with users.
    log('  cards (5% sample) …');
    const sampleRun = await runPipeline({ lake, out: path.join(tmp, 'out'), year: YEAR, minListeners: 100, sample: 0.05, cards: true });
    const sm = JSON.parse(fs.readFileSync(path.join(sampleRun.runDir, 'manifest.json'), 'utf8')) as { stages: Array<{ stage: string; card_seconds?: number; cards?: number }> };
    const pk = sm.stages.find((s) => s.stage === 'package')!;
    // Check: stage 1 against the plain-JS reference (also the JS baseline's timing).
    log('  plain-JS reference …');
    const tr = performance.now();
    const ref = referenceLake(lake, YEAR);
    const refSeconds = (performance.now() - tr) / 1000;
    const aggDir = path.join(run.runDir, 'aggregate');
    const buckets = JSON.parse(fs.readFileSync(path.join(aggDir, 'metadata.json'), 'utf8')).num_buckets as number;
    const engine = new Map<string, { plays: number; totalMs: number; streams: number }>();
    for (let b = 0; b < buckets; b++) for (const [u, s] of readAggregateBucket(aggDir, b, buckets)) engine.set(u, s);
    if (engine.size !== ref.size) throw new Error(`check failed: ${engine.size} users from the engine, ${ref.size} from the reference`);
    for (const [u, r] of ref) {
      const s = engine.get(u);
      if (!s || s.plays !== r.plays || s.totalMs !== r.totalMs || s.streams !== r.streams) throw new Error(`check failed: user ${u} differs from the reference`);
    }
    const rows: MacroRow[] = [];
    for (const s of ['bucket', 'aggregate', 'enrich', 'rank', 'package']) {
      const secs = stage.get(s) ?? 0;
      const perUser = s === 'enrich' || s === 'rank' || s === 'package';
      rows.push({ name: `stage: ${s}`, rows: perUser ? m.counts.users : storedRows, unit: perUser ? 'users' : 'plays', seconds: secs });
    }
    rows.push({ name: 'whole run (lake → published documents)', rows: storedRows, unit: 'plays', seconds: wholeSeconds });
    rows.push({ name: 'cards (5% sample)', rows: pk.cards ?? 0, unit: 'cards', seconds: pk.card_seconds ?? 0 });
    rows.push({ name: 'plain-JS reference, stage 1, 1 thread (baseline)', rows: storedRows, unit: 'plays', seconds: refSeconds });
    if (withDuckdb) {
      log('  DuckDB (2 threads) …');
      const db = await duckdb(2);
      const td = performance.now();
      for (const stmt of stage1Sql(lake, YEAR).split(';').map((x) => x.trim()).filter(Boolean)) await db.run(stmt);
      const duckSeconds = (performance.now() - td) / 1000;
      const du = (await db.runAndReadAll('SELECT user_id, plays, total_ms FROM r_users')).getRowObjects();
      if (du.length !== ref.size || du.some((d) => Number(d['plays']) !== engine.get(String(d['user_id']))?.plays || Number(d['total_ms']) !== engine.get(String(d['user_id']))?.totalMs)) {
        throw new Error('check failed: DuckDB and the engine disagree');
      }
      rows.push({ name: 'DuckDB 2 threads, stage-1 numbers from Parquet (anchor)', rows: storedRows, unit: 'plays', seconds: duckSeconds });
    }
    // Memory-scan anchor: a typed-array sum over the same SMB bytes, one thread.
    const files = listSmbPartitions(path.join(tmp, 'out', 'smb')).flatMap((p) => p.metadata.files.map((f) => path.join(p.dir, f.name)));
    const bufs = files.map((f) => {
      const b = fs.readFileSync(f);
      return new Int32Array(b.buffer, b.byteOffset, b.length >> 2);
    });
    const ts = performance.now();
    let sum = 0;
    for (const b of bufs) for (let i = 0; i < b.length; i++) sum = (sum + b[i]!) | 0;
    const scanSeconds = (performance.now() - ts) / 1000;
    const scanBytes = bufs.reduce((s, b) => s + b.byteLength, 0);
    rows.push({ name: 'memory scan of the SMB bytes, 1 thread (physical anchor)', rows: storedRows, unit: 'plays', seconds: scanSeconds, note: `${(scanBytes / scanSeconds / 2 ** 30).toFixed(2)} GiB/s, checksum ${sum}` });
    const agg = rows.find((r) => r.name === 'stage: aggregate')!;
    const rate = (r: MacroRow) => r.rows / Math.max(r.seconds, 1e-9);
    const duck = rows.find((r) => r.name.startsWith('DuckDB'));
    const whole = rows.find((r) => r.name.startsWith('whole run'))!;
    rows[rows.indexOf(agg)] = { ...agg, note: [
      duck ? `${(rate(agg) / rate(duck)).toFixed(2)}× DuckDB` : null,
      `${(rate(agg) / rate(rows.find((r) => r.name.startsWith('plain-JS'))!)).toFixed(1)}× plain JS`,
      `${((rate(agg) / rate(rows[rows.length - 1]!)) * 100).toFixed(1)}% of the memory-scan rate`,
    ].filter(Boolean).join(', ') };
    if (duck) rows[rows.indexOf(whole)] = { ...whole, note: `${(rate(whole) / rate(duck)).toFixed(2)}× DuckDB's stage 1 alone` };
    const timings: StageTiming[] = [...stage].map(([s, secs]) => ({ stage: s, seconds: secs, skipped: false, rows: 0, taskMs: [], extra: s === 'package' ? { card_seconds: pk.card_seconds ?? 0, cards: pk.cards ?? 0 } : undefined }));
    // The card step ran in the sample run: cost it from there, the stages from the full run.
    const c = costModel(timings.map((t) => (t.stage === 'package' ? { ...t, seconds: t.seconds + (pk.card_seconds ?? 0) } : t)), storedRows, os.availableParallelism(), m.counts.eligible / m.counts.users);
    return {
      users, storedRows, rows, fileCreateMs: createMs, settleSeconds: waitedS,
      cost: {
        vcpu_seconds_per_play: c.vcpuSecondsPerPlay, vcpu_ms_per_card: c.cardVcpuSecondsPerCard === null ? null : c.cardVcpuSecondsPerCard * 1000,
        stages_vcpu_hours: c.pipelineVcpuHours, cards_vcpu_hours: c.cardVcpuHours, total_vcpu_hours: c.totalVcpuHours,
        published_aggregation_vcpu_hours: REAL_RUN.aggregationVcpuHours, published_total_vcpu_hours: REAL_RUN.vcpuHours,
      },
    };
  } finally {
    if (removeLater) removeLater.push(tmp);
    else fs.rmSync(tmp, { recursive: true, force: true });
  }
}
