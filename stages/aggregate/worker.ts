import type { AggregateTaskInput, AggregateTaskResult } from './messages.ts';
import { UserAccumulator, type UserPartial, type UserSummary } from './user-accumulator.ts';

/** One accumulator per worker thread, kept across tasks (its scratch is the catalog's size). */
let acc: { key: unknown; acc: UserAccumulator } | null = null;

/** Stage-1 pool task: view the inputs in place, accumulate each user's ranges, finalize (or return partials). */
export function aggregateTask(t: AggregateTaskInput): AggregateTaskResult {
  const t0 = performance.now();
  if (!acc || acc.key !== t.runId) acc = { key: t.runId, acc: new UserAccumulator(t.catalog, t.window) };
  const a = acc.acc;
  const skips0 = { ...a.skips };
  const cols = t.inputs.map((d) => ({
    tsWords: new Int32Array(d.sab, d.ts, 2 * d.rows), track: new Int32Array(d.sab, d.track, d.rows), ms: new Int32Array(d.sab, d.ms, d.rows),
    arrival: new Int32Array(d.sab, d.arrival, d.rows), priv: new Uint8Array(d.sab, d.priv, d.rows),
  }));
  const codes = t.inputs.map((d) => ({ overflowCode: d.overflowCode, overflowTrack: d.overflowTrack }));
  const summaries: Array<UserSummary | null> = [];
  const partials: UserPartial[] = [];
  let rows = 0;
  const nUsers = t.userRange.length - 1;
  for (let u = 0; u < nUsers; u++) {
    const r0 = t.userRange[u]!;
    const r1 = t.userRange[u + 1]!;
    let maxRows = 0;
    for (let r = r0; r < r1; r++) maxRows += t.ranges[3 * r + 2]! - t.ranges[3 * r + 1]!;
    // One range holds the user's whole (slice of the) year in ts order (a rolled-up bucket):
    // dedupe by neighbours. Several ranges (day files): dedupe through the hash table.
    const sorted = r1 - r0 === 1;
    a.begin(t.offsets[u]!, sorted ? 0 : maxRows);
    for (let r = r0; r < r1; r++) {
      const x = t.ranges[3 * r]!;
      a.addRows(cols[x]!, t.ranges[3 * r + 1]!, t.ranges[3 * r + 2]!, codes[x]!, sorted);
    }
    rows += maxRows;
    if (t.partial) partials.push(a.takePartial());
    else summaries.push(a.hasPlays ? a.finalize() : (a.takePartial(), null));
  }
  const skips = { ...a.skips };
  for (const k of Object.keys(skips) as Array<keyof typeof skips>) skips[k] -= skips0[k];
  return { bucket: t.bucket, summaries, partials, skips, rows, ms: performance.now() - t0 };
}

/**
 * Runs the kernel over synthetic users — 400 small ones, then a big one a few
 * dozen times (both dedupe paths, finalize and partials) — so the JIT has
 * optimized it before the first timed task: otherwise the first tasks of
 * every worker run several times slower and look like skew in the profile.
 * Leaves no trace in the skip counts the tasks report (they report differences).
 */
function exerciseKernel(a: UserAccumulator, c: AggregateTaskInput['catalog'], w: AggregateTaskInput['window']): void {
  const codes = Math.max(1, Math.min(c.resolve.length, 20_000));
  const none = { overflowCode: new Int32Array(0), overflowTrack: new Int32Array(0) };
  const columnsOf = (n: number) => ({ tsWords: new Int32Array(2 * n), track: new Int32Array(n), ms: new Int32Array(n), arrival: new Int32Array(n), priv: new Uint8Array(n) });
  /** Synthetic plays: ts, code and ms of play i from the given functions. */
  const fill = (cols: ReturnType<typeof columnsOf>, ts: (i: number) => number, track: (i: number) => number, ms: (i: number) => number) => {
    for (let i = 0; i < cols.track.length; i++) {
      const t = ts(i);
      cols.tsWords[2 * i] = t % 4294967296;
      cols.tsWords[2 * i + 1] = Math.floor(t / 4294967296);
      cols.track[i] = track(i);
      cols.ms[i] = ms(i);
    }
  };
  /** One user: its plays (sorted path or hash path), then finalized or taken as a partial. */
  const run = (cols: ReturnType<typeof columnsOf>, sorted: boolean, partial: boolean) => {
    a.begin(0, cols.track.length);
    a.addRows(cols, 0, cols.track.length, none, sorted);
    if (partial || !a.hasPlays) a.takePartial();
    else a.finalize();
  };
  // First many small users with repeats and ties (50 tracks, four ms values, a play a day):
  // every path of finalize runs with short loops, so it is optimized as a whole from
  // complete feedback. A first call on a big user would compile it mid-loop (on-stack
  // replacement) before its later statements ever ran, and that code deopted on every
  // later call that reached them (hundreds of times a run, measured with --trace-deopt).
  const small = columnsOf(300);
  for (let u = 0; u < 400; u++) {
    fill(small, (i) => w.startMs + i * 86_400_000 + u * 1_000, (i) => (u * 131 + (i % 50) * 17) % codes, (i) => [0, 30_000, 60_000, 120_000][(i + u) % 4]!);
    run(small, u % 2 === 0, u % 8 === 7);
  }
  // Then a big user (16k plays, nearly all of distinct tracks), a few dozen times.
  const big = columnsOf(16_384);
  fill(big, (i) => w.startMs + i * 3_600_000, (i) => (i * 7919 + (i >> 6)) % codes, (i) => (i * 104_729) % 300_000);
  for (let rep = 0; rep < 24; rep++) run(big, rep % 2 === 0, rep % 4 === 3);
}

/**
 * Loads this module (and tsx's compile of it) in a worker before timed work
 * starts, builds the worker's accumulator (its catalog-sized tables) and
 * warms the kernel up, so no task's timing includes any of it.
 */
export function warmup(t: Pick<AggregateTaskInput, 'runId' | 'catalog' | 'window'> | null): number {
  if (t && (!acc || acc.key !== t.runId)) {
    acc = { key: t.runId, acc: new UserAccumulator(t.catalog, t.window) };
    acc.acc.prepareForAnyUser();
    exerciseKernel(acc.acc, t.catalog, t.window);
  }
  return acc === null ? 0 : 1;
}
