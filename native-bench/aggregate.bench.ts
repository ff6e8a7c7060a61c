/**
 * Stage 1 (aggregate) throughput (issue #4), side by side in one run:
 *   - stage 1 from SMB on the worker pool (2 workers, and 1 for scaling), from
 *     the day partitions and from the year roll-up (after timing the roll-up
 *     itself); the two must write byte-identical tables;
 *   - the plain-JS single-thread baseline: the naive reference (Maps and
 *     strings) over the Parquet lake — it is also the check: every user's
 *     numbers must equal the engine's before anything is reported;
 *   - DuckDB, 2 threads, computing the same SPEC §3 numbers from the Parquet
 *     lake (per-user totals, top tracks, artists, albums, genres, months, hours),
 *     its per-user totals checked against the engine;
 *   - the memory-scan rate: a typed-array sum over the same SMB bytes;
 *   - stage 1 with its catalog built from Parquet instead of read from the
 *     snapshot bucketing stores (the baseline for the snapshot), same tables;
 *   - stage 1 with workers compiling the sources through tsx instead of
 *     importing compiled modules (the baseline for worker bundles), same tables;
 *   - stage 1 reading the roll-up through the any-order kernel (the hash
 *     table) instead of the track-sorted one (its baseline), same tables.
 * Bucketing's row notes the files it created and what a file creation cost
 * just before it (`harness/fs-probe.ts`): on this machine that cost depends
 * on what was deleted in the last minutes (--settle S waits up to S seconds
 * for it to be cheap first), and bucketing's time is read with it.
 *
 *   node --import tsx native-bench/aggregate.bench.ts [--users 2000] [--json] [--settle 400]
 */
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { generateLake } from '../fixtures/sample-year/generate.ts';
import { bucketLake } from '../engine/smb/bucket-lake.ts';
import { listSmbPartitions } from '../engine/smb/smb-layout.ts';
import { rollUpDays } from '../engine/smb/partition-plan.ts';
import { runAggregate, taskCpuMs, type AggregateResult } from '../stages/aggregate/index.ts';
import { quantiles } from '../stages/run/run-report.ts';
import { SNAPSHOT_DIR } from '../engine/catalog/catalog-snapshot.ts';
import { readAggregateBucket } from '../stages/aggregate/output.ts';
import type { UserSummary } from '../stages/aggregate/user-accumulator.ts';
import { referenceLake } from '../test/reference/stage1-reference.ts';
import { duckdb } from './duckdb.ts';
import { stage1Sql } from './duckdb-stage1.ts';
import { benchArgs, printReport, rate, type BenchRow } from './report.ts';
import { prepareThisCheckout } from './harness/compare.ts';
import { inodesUnder, settleFileCreation } from './harness/fs-probe.ts';

const args = benchArgs(process.argv.slice(2));
const users = Number(args.get('users') ?? 2000);
const json = args.has('json');
const settleS = Number(args.get('settle') ?? 0);
const YEAR = 2025;
const tmp = fs.mkdtempSync(path.join(os.tmpdir(), 'wrapped-bench-agg-'));

function readAll(out: string, r: AggregateResult): Map<string, UserSummary> {
  const m = new Map<string, UserSummary>();
  for (let j = 0; j < r.numBuckets; j++) for (const [u, s] of readAggregateBucket(out, j, r.numBuckets)) m.set(u, s);
  return m;
}


try {
  const lake = path.join(tmp, 'lake');
  const smb = path.join(tmp, 'smb');
  await generateLake({ lake, users, seed: 7, years: [YEAR] });
  // Worker bundles and native addons built before the first timed step (bucketing).
  await prepareThisCheckout();
  // What a file creation costs here now: bucketing creates thousands, and after recent deletions each can
  // cost ~50x more (fs-probe.ts). Report it (after waiting up to --settle seconds for it to be cheap).
  const { ms: createMs } = await settleFileCreation(tmp, settleS, (s) => process.stderr.write(`${s}\n`));
  const tb = performance.now();
  await bucketLake({ lake, smb });
  const bucketSeconds = (performance.now() - tb) / 1000;
  const bucketInodes = inodesUnder(smb);
  const cutoff = Date.UTC(YEAR, 11, 8) / 86_400_000;
  const storedRows = listSmbPartitions(smb, Date.UTC(YEAR, 0, 1) / 86_400_000, cutoff - 1).reduce((s, p) => s + p.metadata.rows, 0);

  // Warm the machine once on the same data (page cache, the compiled worker modules' cache).
  await runAggregate({ lake, smb, out: path.join(tmp, 'warm'), year: YEAR });
  const timed = async (workers: number, tag = 'days', sortedKernel = true) => {
    const out = path.join(tmp, `agg-${tag}-${workers}`);
    const r = await runAggregate({ lake, smb, out, year: YEAR, workers, sortedKernel });
    return { r, out };
  };
  const two = await timed(2);
  const one = await timed(1);
  // The year roll-up (one range per user, sorted by (track, ts)), made after the day runs so they read the days.
  const firstDay = Date.UTC(YEAR, 0, 1) / 86_400_000;
  const tr = performance.now();
  await rollUpDays(smb, firstDay, cutoff - 1, { workers: 2 });
  const rollupSeconds = (performance.now() - tr) / 1000;
  const rolledTwo = await timed(2, 'rollup');
  const rolledOne = await timed(1, 'rollup');
  // Baseline for the catalog snapshot: the same run with the catalog built from Parquet (no snapshot).
  const snapshotDir = path.join(smb, SNAPSHOT_DIR);
  fs.renameSync(snapshotDir, `${snapshotDir}.aside`);
  const rolledBuilt = await timed(2, 'rollup-built-catalog').finally(() => fs.renameSync(`${snapshotDir}.aside`, snapshotDir));
  // Baseline for compiled worker modules (engine/pool/worker-bundle.ts): the same run with workers compiling the sources through tsx.
  process.env.WRAPPED_WORKER_BUNDLE = '0';
  const rolledTsx = await timed(2, 'rollup-tsx-workers').finally(() => delete process.env.WRAPPED_WORKER_BUNDLE);
  // Baseline for the track-sorted kernel: the same roll-up through the any-order kernel.
  const rolledAnyOrder = await timed(2, 'rollup-any-order', false);
  if (rolledTwo.r.catalog.source !== 'snapshot' || rolledBuilt.r.catalog.source !== 'built') throw new Error('check failed: the catalog did not come from where this benchmark says');
  if (rolledTwo.r.partitions.length !== 1) throw new Error(`check failed: stage 1 read ${rolledTwo.r.partitions.length} partitions, not the roll-up`);
  // Check: the tables from the roll-up are the tables from the days, byte for byte.
  for (const f of fs.readdirSync(two.out, { recursive: true }) as string[]) {
    const a = path.join(two.out, f);
    if (f === 'metadata.json' || fs.statSync(a).isDirectory()) continue;
    const bytes = fs.readFileSync(a);
    if (!bytes.equals(fs.readFileSync(path.join(rolledTwo.out, f)))) throw new Error(`check failed: ${f} differs between the days and the roll-up`);
    if (!bytes.equals(fs.readFileSync(path.join(rolledBuilt.out, f)))) throw new Error(`check failed: ${f} differs with the catalog built`);
    if (!bytes.equals(fs.readFileSync(path.join(rolledTsx.out, f)))) throw new Error(`check failed: ${f} differs with workers loading the sources through tsx`);
    if (!bytes.equals(fs.readFileSync(path.join(rolledAnyOrder.out, f)))) throw new Error(`check failed: ${f} differs through the any-order kernel`);
  }

  const t0 = performance.now();
  const ref = referenceLake(lake, YEAR);
  const refSeconds = (performance.now() - t0) / 1000;
  const engine = readAll(two.out, two.r);
  if (engine.size !== ref.size) throw new Error(`check failed: ${engine.size} users from the engine, ${ref.size} from the reference`);
  for (const [u, r] of ref) {
    const s = engine.get(u);
    if (!s || s.plays !== r.plays || s.streams !== r.streams || s.totalMs !== r.totalMs || s.uniqueTracks !== r.uniqueTracks
      || s.uniqueArtists !== r.uniqueArtists || s.topTracks.length !== r.topTracks.length
      || (r.topTracks[0] && two.r.names.trackIds[s.topTracks[0]!] !== r.topTracks[0].id)) throw new Error(`check failed for user ${u}`);
  }

  const db = await duckdb(2);
  const td = performance.now();
  for (const stmt of stage1Sql(lake, YEAR).split(';').map((x) => x.trim()).filter(Boolean)) await db.run(stmt);
  const duckSeconds = (performance.now() - td) / 1000;
  const duckUsers = (await db.runAndReadAll('SELECT user_id, plays, streams, total_ms, unique_tracks, unique_artists FROM r_users')).getRowObjects();
  if (duckUsers.length !== ref.size) throw new Error(`check failed: DuckDB found ${duckUsers.length} users, the reference ${ref.size}`);
  for (const d of duckUsers) {
    const s = engine.get(String(d['user_id']))!;
    if (Number(d['plays']) !== s.plays || Number(d['streams']) !== s.streams || Number(d['total_ms']) !== s.totalMs || Number(d['unique_tracks']) !== s.uniqueTracks) {
      throw new Error(`check failed: DuckDB and the engine disagree on user ${String(d['user_id'])}`);
    }
  }

  // Memory-scan anchor: summing every 32-bit word of the same SMB bucket bytes (already in page cache).
  const files = listSmbPartitions(smb, Date.UTC(YEAR, 0, 1) / 86_400_000, cutoff - 1).flatMap((p) => p.metadata.files.map((f) => path.join(p.dir, f.name)));
  const bufs = files.map((f) => new Int32Array(new Uint8Array(fs.readFileSync(f)).buffer.slice(0, Math.floor(fs.statSync(f).size / 4) * 4)));
  const ts = performance.now();
  let sum = 0;
  for (const b of bufs) for (let i = 0; i < b.length; i++) sum = (sum + b[i]!) | 0;
  const scanSeconds = (performance.now() - ts) / 1000;
  const scanBytes = bufs.reduce((s, b) => s + b.byteLength, 0);

  const rows: BenchRow[] = [
    { name: 'stage 1 from the SMB year roll-up, 2 workers', rows: storedRows, seconds: rolledTwo.r.seconds },
    { name: 'stage 1 from the SMB year roll-up, 1 worker', rows: storedRows, seconds: rolledOne.r.seconds },
    { name: 'plain-JS reference, 1 thread (baseline)', rows: storedRows, seconds: refSeconds },
    { name: 'DuckDB 2 threads from Parquet (anchor)', rows: storedRows, seconds: duckSeconds },
    { name: 'memory scan of the SMB bytes, 1 thread', rows: storedRows, seconds: scanSeconds, note: `${(scanBytes / scanSeconds / 2 ** 30).toFixed(2)} GiB/s (checksum ${sum})` },
    { name: 'bucketing lake → SMB, 2 workers (for the whole path)', rows: storedRows, seconds: bucketSeconds,
      note: `created ${bucketInodes} files and directories; at the probe's ${createMs.toFixed(3)} ms each, ~${(bucketInodes * createMs / 1000).toFixed(2)} s of system CPU` },
    { name: 'roll-up of the year\'s days, 2 workers (for the whole path)', rows: storedRows, seconds: rollupSeconds },
    { name: 'stage 1 from SMB day partitions, 2 workers', rows: storedRows, seconds: two.r.seconds },
    { name: 'stage 1 from SMB day partitions, 1 worker', rows: storedRows, seconds: one.r.seconds },
    { name: 'stage 1 from the roll-up, 2 workers, catalog built from Parquet (no snapshot: the baseline)', rows: storedRows, seconds: rolledBuilt.r.seconds },
    { name: 'stage 1 from the roll-up, 2 workers loading the sources through tsx (the baseline)', rows: storedRows, seconds: rolledTsx.r.seconds },
    { name: 'stage 1 from the roll-up, 2 workers, any-order kernel (the baseline)', rows: storedRows, seconds: rolledAnyOrder.r.seconds },
  ];
  const r2 = rate(rows[0]!);
  rows[0] = { ...rows[0]!, note: `${(r2 / rate(rows[2]!)).toFixed(1)}x the JS baseline, ${(r2 / rate(rows[3]!)).toFixed(1)}x DuckDB, ${(r2 / rate(rows[1]!)).toFixed(2)}x 1 worker` };
  rows[7] = { ...rows[7]!, note: `the roll-up reads ${(r2 / rate(rows[7]!)).toFixed(2)}x as fast` };
  rows[10] = { ...rows[10]!, note: `compiled worker modules make stage 1 ${(r2 / rate(rows[10]!)).toFixed(2)}x as fast` };
  const cpuSum = (r: AggregateResult) => (taskCpuMs(r.tasks) ?? []).reduce((s, x) => s + x, 0) / 1000;
  rows[11] = { ...rows[11]!, note: `the track-sorted kernel makes stage 1 ${(r2 / rate(rows[11]!)).toFixed(2)}x as fast (tasks' CPU ${cpuSum(rolledTwo.r).toFixed(2)} s against ${cpuSum(rolledAnyOrder.r).toFixed(2)} s)` };
  rows[9] = { ...rows[9]!, note: `the snapshot makes stage 1 ${(r2 / rate(rows[9]!)).toFixed(2)}x as fast (catalog ${rolledBuilt.r.catalog.seconds.toFixed(2)} s built, ${rolledTwo.r.catalog.seconds.toFixed(2)} s read)` };
  const wholePath = storedRows / (bucketSeconds + two.r.seconds);
  const wholePathRollup = storedRows / (bucketSeconds + rollupSeconds + rolledTwo.r.seconds);
  const { max: largest, median } = quantiles(rolledTwo.r.tasks.map((t) => t.ms));
  // The same tasks by CPU time on their threads: the work, without the waits for a core (null without the thread clock).
  const cpuTimes = taskCpuMs(rolledTwo.r.tasks);
  const cpu = cpuTimes ? quantiles(cpuTimes) : null;
  printReport('stage 1: aggregate', rows, json, {
    users, year: YEAR, rows_in_window_partitions: storedRows, cores: os.availableParallelism(), node: process.version,
    file_create_ms_before_bucketing: createMs.toFixed(3), bucketing_inodes_created: bucketInodes,
    whole_path_days_rows_per_s: Math.round(wholePath), whole_path_days_vs_duckdb: (wholePath / rate(rows[3]!)).toFixed(2),
    whole_path_rollup_rows_per_s: Math.round(wholePathRollup), whole_path_rollup_vs_duckdb: (wholePathRollup / rate(rows[3]!)).toFixed(2),
    tasks: two.r.tasks.length, largest_task_ms: largest.toFixed(1), median_task_ms: median.toFixed(1),
    largest_over_median: (largest / median).toFixed(2),
    largest_cpu_ms: cpu ? cpu.max.toFixed(1) : null, median_cpu_ms: cpu ? cpu.median.toFixed(1) : null,
    largest_over_median_cpu: cpu ? (cpu.max / cpu.median).toFixed(2) : null, peak_rss_mib: (process.resourceUsage().maxRSS / 1024).toFixed(0),
  });
} finally {
  fs.rmSync(tmp, { recursive: true, force: true });
}
