import * as crypto from 'node:crypto';
import * as fs from 'node:fs';
import * as path from 'node:path';
import { DAY_MS } from '../../engine/lake/calendar.ts';
import { writeFileAtomic } from '../../engine/lake/atomic-file.ts';
import { readParquetFile } from '../../engine/lake/parquet-io.ts';
import { MAX_LIVE_MAPPINGS, mmapAddon, mmapUnavailableReason } from '../../engine/memory/mmap-file.ts';
import { readFilesInto, SabPool } from '../../engine/memory/sab-pool.ts';
import { wrappedError } from '../../engine/errors/registry.ts';
import { threadCpuMs } from '../../engine/pool/thread-clock.ts';
import { WorkerPool } from '../../engine/pool/worker-pool.ts';
import { bucketColumns, bucketViews, tsAt, type BucketViews } from '../../engine/smb/bucket-file.ts';
import { KEY_BYTES, keyToHex } from '../../engine/smb/key.ts';
import { inSample } from '../../engine/plan/sample.ts';
import { readMarker, writeMarker, completeStage } from '../../engine/plan/bucket-markers.ts';
import { isTrackSorted, isTsSorted } from '../../engine/smb/bucket-schema.ts';
import { forEachKeyGroup } from '../../engine/smb/key-group-iterator.ts';
import { planSmbPartitions } from '../../engine/smb/partition-plan.ts';
import { SmbSource, type BucketInput, type Strategy } from '../../engine/smb/smb-source.ts';
import { buildStageCatalog, type CatalogNames } from '../../engine/catalog/stage-catalog.ts';
import { readCatalogSnapshot } from '../../engine/catalog/catalog-snapshot.ts';
import type { AggregateTaskInput, AggregateTaskResult, InputDescriptor } from './messages.ts';
import { ARTIST_IDS_FILE, writeAggregateBucket, type BucketPart } from './output.ts';
import { SummaryColumns, type SummaryChunk } from './summary-columns.ts';
import { addSkips, emptySkips, UserAccumulator, type SkipCounts } from './user-accumulator.ts';
import { warmCombiner } from './kernel-warmup.ts';
import { yearWindow, type YearWindow } from './year-window.ts';
import { utf8Strings } from '../../engine/columns/utf8-strings.ts';

/**
 * Average bucket-file size from which `auto` maps files instead of reading them.
 * Measured over a year of day files (docs/benchmarks.md): at a median of 41 KB
 * per file the two are even, at 175 KB mapping is ~7% faster, at ~26 KB reading
 * was (mapping 0.82x); roll-up files (megabytes) map at 3.3x reading.
 */
export const MMAP_MIN_FILE_BYTES = 64 << 10;

/** Logical buckets in flight at once: 4 or 6 measured no faster on 2 cores (docs/benchmarks.md). */
export const LANES = 2;

export interface AggregateOptions {
  readonly lake: string;
  readonly smb: string;
  /** Stage output directory (tables per bucket, see output.ts). */
  readonly out: string;
  readonly year: number;
  /** Freeze instant (ISO); default Y-12-01T00:00Z. */
  readonly freeze?: string;
  readonly lateDays?: number;
  readonly workers?: number;
  readonly strategy?: Strategy;
  /** Rows per task; a user with more is split into time slices. Default: the rows of an average bucket / (2 × workers), at least 20,000. */
  readonly taskRows?: number;
  readonly onBucket?: (done: number, total: number, rows: number) => void;
  /**
   * How bucket files reach shared memory: `read` into reused SharedArrayBuffers,
   * or `mmap` through the addon (page cache, no copy; a bucket is read instead
   * when too many mappings are still alive). `auto` (default) maps files of
   * MMAP_MIN_FILE_BYTES or more on average and reads smaller ones, as measured
   * in docs/benchmarks.md, and reads when the addon cannot be built.
   */
  readonly mapping?: 'mmap' | 'read' | 'auto';
  /** Keep only this share of users, chosen by a hash of user_id (a deterministic dry run); default 1. */
  readonly sample?: number;
  /**
   * false: read roll-up ranges through the any-order kernel (`addRows`) instead
   * of the track-sorted one, the same numbers by another path (a benchmark's
   * baseline). Default true.
   */
  readonly sortedKernel?: boolean;
  /** Logical buckets in flight (default LANES, or what `memoryBytes` allows). */
  readonly lanes?: number;
  /**
   * Budget for bucket data in memory. The year is processed bucket by bucket; this
   * sets how many logical buckets may be in flight (at least one, whatever its size).
   */
  readonly memoryBytes?: number;
}

export interface TaskProfile {
  readonly bucket: number;
  readonly users: number;
  readonly sliced: boolean;
  readonly rows: number;
  /** Wall time of the task on its worker. */
  readonly ms: number;
  /** CPU time of the task on its worker thread, or null without the thread clock (engine/pool/thread-clock.ts). */
  readonly cpuMs: number | null;
}

/** Every task's CPU time (ms), or null when any lacks it (no thread clock). */
export function taskCpuMs(tasks: readonly TaskProfile[]): number[] | null {
  return tasks.every((t) => t.cpuMs !== null) ? tasks.map((t) => t.cpuMs!) : null;
}

export interface AggregateResult {
  readonly window: YearWindow;
  readonly numBuckets: number;
  readonly users: number;
  readonly eligible: number;
  readonly rows: number;
  readonly skips: SkipCounts;
  readonly tasks: readonly TaskProfile[];
  readonly bytesMapped: number;
  /** `mmap` when at least one bucket was memory-mapped. */
  readonly mapping: 'mmap' | 'read';
  readonly seconds: number;
  readonly names: CatalogNames;
  /** Where the stage catalog came from: bucketing's snapshot, or built by this run (and why), and how long that took. */
  readonly catalog: { readonly source: 'snapshot' | 'built'; readonly why: string | null; readonly seconds: number };
  /** Arrival-day ranges of the partitions read (those wholly past the cutoff are pruned). */
  readonly partitions: ReadonlyArray<{ readonly first: number; readonly last: number }>;
  /** Logical buckets that were in flight at once, and the largest bucket's bytes. */
  readonly lanes: number;
  readonly largestBucketBytes: number;
  /** Roll-ups found but not used, and why (their days were read instead). */
  readonly skippedRollups: ReadonlyArray<{ readonly dir: string; readonly why: string }>;
}

interface PlannedUser {
  readonly user: string;
  readonly offset: number;
  /** (input, start, end) triples (for a whole user, a view of the bucket's key-group runs). */
  readonly ranges: Int32Array;
  readonly rows: number;
}

/** Users of a bucket with their ranges, by a key-group scan (per key group, not per row). */
function scanUsers(inputs: readonly BucketInput<BucketViews>[], offsets: ReadonlyMap<string, number>, sample: number): PlannedUser[] {
  const users: PlannedUser[] = [];
  forEachKeyGroup(inputs, (g) => {
    if (sample < 1 && !inSample(inputs[g.keyInput]!.columns.keys, g.keyRow, sample)) return;
    const user = keyToHex(inputs[g.keyInput]!.columns.keys, g.keyRow * KEY_BYTES);
    // The group's ranges are a view of the bucket's runs, valid after the scan: kept as they are.
    const ranges = g.ranges;
    let rows = 0;
    for (let r = 0; r < g.count; r++) rows += ranges[3 * r + 2]! - ranges[3 * r + 1]!;
    // SPEC §3: a user missing from users.parquet is counted with UTC offset 0.
    users.push({ user, offset: offsets.get(user) ?? 0, ranges, rows });
  });
  return users;
}

/** First row of [start, end) whose ts >= t (a day partition's range: sorted by ts inside a user). */
function lowerBound(c: BucketViews, start: number, end: number, t: number): number {
  let lo = start, hi = end;
  while (lo < hi) {
    const mid = (lo + hi) >>> 1;
    if (tsAt(c, mid) < t) lo = mid + 1;
    else hi = mid;
  }
  return lo;
}

interface Slice extends PlannedUser {
  /** Rows outside [lo, hi) of ts belong to other slices (only when a range could not be cut by ts). */
  readonly sliceTs: Float64Array | null;
}

/**
 * Splits a heavy user into about `count` slices whose partials combine
 * exactly: exact duplicates (same track, ts, ms) must fall in the same slice.
 *
 * A user held by one roll-up range (sorted by track, ts) is cut by rows, each
 * cut moved forward to the next change of (track, ts): each slice is a range
 * the sorted kernel reads as it is.
 *
 * Otherwise the slices are time slices: boundaries are quantiles of a sample
 * of the user's timestamps, and each day range (sorted by ts) is cut by binary
 * search. A roll-up range among them cannot be cut by ts: every slice reads it
 * whole and keeps only its own [lo, hi) (`sliceTs`).
 */
function slicesOf(u: PlannedUser, inputs: readonly BucketInput<BucketViews>[], trackSorted: readonly boolean[], count: number): Slice[] {
  if (u.ranges.length === 3 && trackSorted[u.ranges[0]!]) {
    const x = u.ranges[0]!, start = u.ranges[1]!, end = u.ranges[2]!;
    const c = inputs[x]!.columns;
    const cuts = [start];
    for (let s = 1; s < count; s++) {
      let at = Math.max(cuts[cuts.length - 1]!, start + Math.floor(((end - start) * s) / count));
      while (at > start && at < end && c.track[at] === c.track[at - 1] && tsAt(c, at) === tsAt(c, at - 1)) at++;
      if (at > cuts[cuts.length - 1]! && at < end) cuts.push(at);
    }
    cuts.push(end);
    return cuts.slice(1).map((hi, k) => ({ user: u.user, offset: u.offset, ranges: Int32Array.of(x, cuts[k]!, hi), rows: hi - cuts[k]!, sliceTs: null }));
  }
  const step = Math.max(1, Math.floor(u.rows / 4096));
  const sample: number[] = [];
  for (let r = 0; r < u.ranges.length; r += 3) {
    const c = inputs[u.ranges[r]!]!.columns;
    for (let i = u.ranges[r + 1]!; i < u.ranges[r + 2]!; i += step) sample.push(tsAt(c, i));
  }
  sample.sort((a, b) => a - b);
  const bounds = [-Infinity, ...Array.from({ length: count - 1 }, (_, k) => sample[Math.floor(((k + 1) * sample.length) / count)]!), Infinity];
  const uncut = Array.from({ length: u.ranges.length / 3 }, (_, r) => trackSorted[u.ranges[3 * r]!]!).some(Boolean);
  return Array.from({ length: count }, (_, s) => {
    const ranges: number[] = [];
    let rows = 0;
    for (let r = 0; r < u.ranges.length; r += 3) {
      const x = u.ranges[r]!, start = u.ranges[r + 1]!, end = u.ranges[r + 2]!;
      const c = inputs[x]!.columns;
      const lo = trackSorted[x] || bounds[s] === -Infinity ? start : lowerBound(c, start, end, bounds[s]!);
      const hi = trackSorted[x] || bounds[s + 1] === Infinity ? end : lowerBound(c, start, end, bounds[s + 1]!);
      if (hi > lo) {
        ranges.push(x, lo, hi);
        rows += hi - lo;
      }
    }
    return { user: u.user, offset: u.offset, ranges: Int32Array.from(ranges), rows, sliceTs: uncut ? Float64Array.of(bounds[s]!, bounds[s + 1]!) : null };
  });
}

function taskOf(base: Omit<AggregateTaskInput, 'userRange' | 'ranges' | 'offsets' | 'partial' | 'sliceTs'>, users: readonly PlannedUser[], partial: boolean, sliceTs: Float64Array | null = null): AggregateTaskInput {
  const userRange = new Int32Array(users.length + 1);
  const ranges = new Int32Array(users.reduce((n, u) => n + u.ranges.length, 0));
  let at = 0;
  users.forEach((u, i) => {
    ranges.set(u.ranges, at);
    at += u.ranges.length;
    userRange[i + 1] = at / 3;
  });
  return { ...base, userRange, ranges, offsets: Int16Array.from(users, (u) => u.offset), partial, sliceTs };
}

/**
 * Stage 1 (aggregate): every per-user number of SPEC §3, exactly, from the
 * SMB layout. Logical buckets are processed one after another (two in flight):
 * the coordinator maps a bucket's files into a reused SharedArrayBuffer, scans
 * its key groups, and hands the pool tasks of about equal rows — users packed
 * together, heavy users split into time slices whose partials it combines.
 */
export async function runAggregate(o: AggregateOptions): Promise<AggregateResult> {
  const t0 = performance.now();
  const window = yearWindow(o.year, o.freeze, o.lateDays ?? 7);
  const firstDay = Math.floor(window.startMs / DAY_MS);
  // Day partitions, with a roll-up standing in for the days it was made from (one range per user, sorted by (track, ts)).
  const partitionPlan = planSmbPartitions(o.smb, firstDay, window.cutoffDay - 1);
  const parts = partitionPlan.partitions;
  const source = SmbSource.open(parts.map((p) => p.dir), { strategy: o.strategy ?? 'auto', smb: o.smb });
  // The thread clock is built here if it must be (once per machine), not by the workers at once.
  threadCpuMs();
  // Start the workers now: loading their module overlaps with building the catalog below.
  const pool = new WorkerPool({ workers: o.workers });
  const module = new URL('./worker.ts', import.meta.url).href;
  const loaded = Promise.all(Array.from({ length: pool.size }, () => pool.run({ module, fn: 'warmup', input: null })));
  loaded.catch(() => undefined);
  try {
    // The catalog as bucketing stored it beside the dictionaries; built here only when that is missing or stale.
    // The run pins the hash of the catalog files taken here, before anything is read from them.
    const tCatalog = performance.now();
    const snapshot = readCatalogSnapshot(o.lake, o.smb);
    const { catalog, names } = 'stale' in snapshot ? buildStageCatalog(o.lake, o.smb) : snapshot;
    const catalogSource: AggregateResult['catalog'] = { source: 'stale' in snapshot ? 'built' : 'snapshot', why: 'stale' in snapshot ? snapshot.stale : null, seconds: (performance.now() - tCatalog) / 1000 };
    const usersTable = readParquetFile(path.join(o.lake, 'users.parquet'), ['user_id', 'utc_offset_minutes']);
    const ids = utf8Strings(usersTable.getChild('user_id')!) as string[];
    const offs = usersTable.getChild('utc_offset_minutes')!.toArray() as Int32Array;
    const offsets = new Map(ids.map((u, i) => [u, offs[i]!]));
    // Overflow ids (not in the dictionary) get one code per id across all partitions.
    const overflowIds = new Map<string, number>();
    const overflow = source.partitions.map((p) => {
      const list = p.metadata.overflow.track;
      const code = Int32Array.from(list, (id) => {
        let c = overflowIds.get(id);
        if (c === undefined) overflowIds.set(id, (c = -(overflowIds.size + 1)));
        return c;
      });
      return { code, track: Int32Array.from(list, (id) => names.resolveId(id)) };
    });
    // `auto`: map files of MMAP_MIN_FILE_BYTES or more on average, read smaller ones (measured, see above).
    const files = source.partitions.flatMap((p) => p.metadata.files.filter((f) => f.rows > 0));
    const largeFiles = files.length > 0 && files.reduce((s, f) => s + f.bytes, 0) / files.length >= MMAP_MIN_FILE_BYTES;
    const addon = o.mapping === 'mmap' || ((o.mapping ?? 'auto') === 'auto' && largeFiles) ? mmapAddon() : null;
    if (o.mapping === 'mmap' && !addon) throw wrappedError('ERR_MMAP_UNAVAILABLE', { reason: mmapUnavailableReason() });
    let mapping: 'mmap' | 'read' = 'read';
    let mmapBytes = 0;
    // Bytes per logical bucket, from metadata (no file is opened to plan memory).
    const bucketBytes = new Float64Array(source.numBuckets);
    for (let j = 0; j < source.numBuckets; j++) for (const x of source.plan(j)) bucketBytes[j]! += x.bytes;
    const largestBucketBytes = Math.max(0, ...bucketBytes);
    const lanes = Math.max(1, Math.min(o.lanes ?? LANES, o.memoryBytes ? Math.floor(o.memoryBytes / Math.max(1, largestBucketBytes)) : LANES));
    const runId = crypto.randomUUID();
    const sabs = new SabPool();
    // The accumulator that combines a heavy user's slices, built and warmed when the first one needs it.
    let combiner: UserAccumulator | null = null;
    const combinerOf = (): UserAccumulator => {
      if (!combiner) {
        combiner = new UserAccumulator(catalog, window);
        warmCombiner(combiner, catalog);
      }
      return combiner;
    };
    const combinedChunk = new SummaryColumns();
    const tasks: TaskProfile[] = [];
    const skips = emptySkips();
    let users = 0, eligible = 0, rows = 0, done = 0;
    fs.mkdirSync(o.out, { recursive: true });

    interface BucketStats { users: number; eligible: number; rows: number; skips: SkipCounts }
    const runBucket = async (j: number): Promise<void> => {
      // A bucket completed by an earlier, interrupted run is not redone.
      const previous = readMarker<BucketStats>(o.out, j);
      if (previous) {
        users += previous.users;
        eligible += previous.eligible;
        rows += previous.rows;
        addSkips(skips, previous.skips);
        o.onBucket?.(++done, source.numBuckets, 0);
        return;
      }
      const bucketSkips = emptySkips();
      let bucketRowsCounted = 0;
      const plan = source.plan(j);
      // Each input: its buffer and where its bytes start in it.
      let files: Array<{ sab: SharedArrayBuffer; offset: number; length: number }>;
      let pooled: SharedArrayBuffer | null = null;
      // Mappings are freed by the garbage collector, not by us: past a bound, read this bucket instead.
      if (addon && addon.liveMappings() + plan.length <= MAX_LIVE_MAPPINGS) {
        mapping = 'mmap';
        files = plan.map((x) => {
          const sab = addon.mapFile(x.file);
          mmapBytes += sab.byteLength;
          return { sab, offset: 0, length: sab.byteLength };
        });
      } else {
        const mapped = readFilesInto(sabs, plan.map((x) => x.file));
        pooled = mapped.sab;
        files = plan.map((_, i) => ({ sab: mapped.sab, offset: mapped.offsets[i]!, length: mapped.lengths[i]! }));
      }
      try {
        // Files with a buffer index (metadata.json) are viewed without parsing; older ones are parsed.
        const inputs: BucketInput<BucketViews>[] = plan.map((x, i) => {
          const bytes = new Uint8Array(files[i]!.sab, files[i]!.offset, files[i]!.length);
          return {
            partition: x.partition, file: x.file, filterBuckets: x.filterBuckets, filterBucket: x.filterBucket,
            columns: x.buffers ? bucketViews(x.file, bytes, x.rows, x.buffers) : bucketColumns(x.file, bytes, x.rows),
          };
        });
        const trackSorted = plan.map((x) => isTrackSorted(source.partitions[x.partition]!.metadata.sortKeys));
        const tsSorted = plan.map((x) => isTsSorted(source.partitions[x.partition]!.metadata.sortKeys));
        // The coordinator's views are over the shared buffers: their byte offsets are the descriptors.
        const descriptors: InputDescriptor[] = plan.map((x, i) => {
          const c = inputs[i]!.columns;
          return {
            sab: files[i]!.sab, rows: x.rows, ts: c.tsWords.byteOffset, track: c.track.byteOffset, ms: c.ms.byteOffset,
            arrival: c.arrival.byteOffset, priv: c.priv.byteOffset,
            trackSorted: trackSorted[i]! && o.sortedKernel !== false, tsSorted: tsSorted[i]!,
            overflowCode: overflow[x.partition]!.code, overflowTrack: overflow[x.partition]!.track,
          };
        });
        const planned = scanUsers(inputs, offsets, o.sample ?? 1);
        const bucketRows = planned.reduce((s, u) => s + u.rows, 0);
        // One target for the whole run (not per bucket): a bucket holding a bot gets more tasks, not bigger ones.
        const target = o.taskRows ?? Math.max(20_000, Math.ceil(source.rows / source.numBuckets / (2 * pool.size)));
        const base = { bucket: j, runId, catalog, window, inputs: descriptors };
        const jobs: Array<{ users: PlannedUser[]; sliced: boolean; task: AggregateTaskInput }> = [];
        let pack: PlannedUser[] = [];
        let packRows = 0;
        const flush = () => {
          if (pack.length > 0) jobs.push({ users: pack, sliced: false, task: taskOf(base, pack, false) });
          pack = [];
          packRows = 0;
        };
        for (const u of planned) {
          if (u.rows > target) {
            // The pack so far first: jobs stay in key order, and so do their chunks in the output.
            flush();
            for (const slice of slicesOf(u, inputs, trackSorted, Math.ceil(u.rows / target))) jobs.push({ users: [slice], sliced: true, task: taskOf(base, [slice], true, slice.sliceTs) });
            continue;
          }
          if (pack.length > 0 && packRows + u.rows > target) flush();
          pack.push(u);
          packRows += u.rows;
        }
        flush();
        let results: AggregateTaskResult[];
        try {
          results = await Promise.all(jobs.map((job) => pool.run<AggregateTaskInput, AggregateTaskResult>({ module, fn: 'aggregateTask', input: job.task })));
        } catch (e) {
          // A worker crash or kernel failure: name the stage, the bucket and its files.
          throw wrappedError('ERR_STAGE_FAILED', { stage: 'aggregate', bucket: j, file: plan.map((x) => x.file).slice(0, 3).join(', ') + (plan.length > 3 ? ` and ${plan.length - 3} more` : ''), cause: (e as Error).message }, e);
        }
        // Assemble in key order (jobs are in key order): packed users as their task's chunk, a heavy
        // user's slices (consecutive jobs) combined here and packed as a chunk of one.
        const parts: BucketPart[] = [];
        let bucketUsers = 0, bucketEligible = 0;
        const counted = (chunk: SummaryChunk) => {
          bucketUsers += chunk.n;
          const eligibleCol = chunk.users['eligible']!;
          for (let r = 0; r < chunk.n; r++) bucketEligible += eligibleCol[r]!;
        };
        for (let k = 0; k < jobs.length; k++) {
          const job = jobs[k]!, r = results[k]!;
          addSkips(bucketSkips, r.skips);
          bucketRowsCounted += r.rows;
          tasks.push({ bucket: j, users: job.users.length, sliced: job.sliced, rows: r.rows, ms: r.ms, cpuMs: r.cpuMs });
          if (!job.sliced) {
            counted(r.chunk);
            parts.push({ chunk: r.chunk, userIds: job.users.map((u) => u.user) });
            continue;
          }
          const user = job.users[0]!.user;
          if (k > 0 && jobs[k - 1]!.sliced && jobs[k - 1]!.users[0]!.user === user) continue;
          const c = combinerOf();
          c.begin(0, 0);
          for (let x = k; x < jobs.length && jobs[x]!.sliced && jobs[x]!.users[0]!.user === user; x++) for (const p of results[x]!.partials) c.addPartial(p);
          if (c.hasPlays) combinedChunk.append(0, c.finalize());
          else c.takePartial();
          const chunk = combinedChunk.take();
          counted(chunk);
          parts.push({ chunk, userIds: [user] });
        }
        const stats: BucketStats = { users: bucketUsers, eligible: bucketEligible, rows: bucketRowsCounted, skips: bucketSkips };
        writeAggregateBucket(o.out, j, source.numBuckets, parts);
        writeMarker(o.out, j, stats);
        users += stats.users;
        eligible += stats.eligible;
        rows += stats.rows;
        addSkips(skips, stats.skips);
        o.onBucket?.(++done, source.numBuckets, bucketRows);
      } finally {
        if (pooled) sabs.give(pooled);
      }
    };

    // Build the accumulator in every thread (and warm its kernel) first, so no task's timing includes it.
    await loaded;
    await Promise.all(Array.from({ length: pool.size }, () => pool.run({ module, fn: 'warmup', input: { runId, catalog, window } })));
    // Several buckets in flight, so the pool has work while the coordinator maps, scans and
    // writes the others. Memory: `lanes` logical buckets at a time.
    let next = 0;
    const lane = async () => {
      while (next < source.numBuckets) await runBucket(next++);
    };
    await Promise.all(Array.from({ length: lanes }, lane));
    const result: AggregateResult = {
      window, numBuckets: source.numBuckets, users, eligible, rows, skips, tasks, bytesMapped: sabs.bytesMapped + mmapBytes, mapping,
      seconds: (performance.now() - t0) / 1000, names, catalog: catalogSource, partitions: parts.map((p) => p.metadata.arrivalDays), lanes, largestBucketBytes,
      skippedRollups: partitionPlan.skipped.map((dir, i) => ({ dir, why: partitionPlan.why[i]! })),
    };
    // Catalog ids by index, so a later year's run can read this year's tables (vs last year).
    writeFileAtomic(path.join(o.out, ARTIST_IDS_FILE), JSON.stringify(names.artistIds) + '\n');
    completeStage(o.out, {
      stage: 'aggregate', version: 1, year: o.year, freeze: new Date(window.freezeMs).toISOString(), cutoff_day: window.cutoffDay,
      num_buckets: source.numBuckets, users, eligible, rows, skips, partitions: parts.length, sample: o.sample ?? 1, catalog_sha256: snapshot.catalogSha256,
    });
    return result;
  } finally {
    await pool.close();
  }
}
