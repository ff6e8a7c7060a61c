// Run by test/stages/aggregate/kernel-warmup.test.ts as `node --trace-deopt
// --allow-natives-syntax --import tsx test/helpers/kernel-deopts.ts`: stage 1 as it
// runs, a coordinator (this thread) and a worker thread, each its own V8
// isolate. The worker warms up, then runs a heavy account and two users tied
// past the top lists' places through the task function; the coordinator warms
// its combiner and combines the account's partials, received from the worker
// through postMessage as the pool delivers them. V8 prints a line per
// deoptimization; the test reads them.
import { isMainThread, parentPort, Worker } from 'node:worker_threads';
import { DAY_MS } from '../../engine/lake/calendar.ts';
import type { AggregateTaskInput, InputDescriptor } from '../../stages/aggregate/messages.ts';
import { UserAccumulator, type UserPartial } from '../../stages/aggregate/user-accumulator.ts';
import { warmCombiner } from '../../stages/aggregate/kernel-warmup.ts';
import { aggregateTask, warmup } from '../../stages/aggregate/worker.ts';
import { summaryAt } from '../../stages/aggregate/summary-columns.ts';
import { yearWindow } from '../../stages/aggregate/year-window.ts';
import { smallCatalog } from './small-catalog.ts';

const catalog = smallCatalog();
const window = yearWindow(2025);

/** Stored columns of N plays in one SharedArrayBuffer, as a bucket file holds them; row r is play(r). */
function plays(N: number, play: (r: number) => { ts: number; track: number; ms: number }): InputDescriptor {
  const sab = new SharedArrayBuffer(21 * N);
  const tsWords = new Int32Array(sab, 0, 2 * N), track = new Int32Array(sab, 8 * N, N), ms = new Int32Array(sab, 12 * N, N);
  const arrival = new Int32Array(sab, 16 * N, N);
  for (let r = 0; r < N; r++) {
    const p = play(r);
    tsWords[2 * r] = p.ts % 4294967296;
    tsWords[2 * r + 1] = Math.floor(p.ts / 4294967296);
    track[r] = p.track;
    ms[r] = p.ms;
    arrival[r] = Math.floor(p.ts / DAY_MS);
  }
  return { sab, rows: N, ts: 0, track: 8 * N, ms: 12 * N, arrival: 16 * N, priv: 20 * N, trackSorted: true, tsSorted: true, overflowCode: new Int32Array(0), overflowTrack: new Int32Array(0) };
}

/**
 * A user of 200 tracks (of 60 albums), each played twice for 30 s: every
 * track ties at the 100th place of its top tracks, and albums tie at the 5th
 * (finalize's selections then rank ties by id), as a sorted range. With
 * `unpacked`, 40 more plays of the first track at 2^31 - 1 ms take it and its
 * album past 2^36 ms, too large for the packed sort keys: finalize then orders
 * both lists by comparisons.
 */
function tiedUser(unpacked: boolean): InputDescriptor {
  const extra = unpacked ? 40 : 0;
  // The extra plays come first: track 0, days before its two tied plays.
  return plays(400 + extra, (r) => {
    const i = r - extra;
    return i < 0
      ? { ts: window.startMs + DAY_MS + r * 60_000, track: 0, ms: 2 ** 31 - 1 }
      : { ts: window.startMs + (1 + (i & 1)) * 30 * DAY_MS + (i >> 1) * 60_000, track: i >> 1, ms: 30_000 };
  });
}

/**
 * The worker's part: the warm-up, then the bot as one sorted range, as two ranges, as two ranges
 * late and a re-sent one, and as two slices (partials); then the tied user, packed and not.
 */
function workerPart(): { totals: number[]; partials: UserPartial[] } {
  const runId = 'deopt-probe';
  warmup({ runId, catalog, window });
  // Through a structured clone, as the pool delivers a task.
  const task = (input: InputDescriptor, ranges: number[], partial: boolean, offset: number): AggregateTaskInput => structuredClone({
    bucket: 0, runId, catalog, window, inputs: [input], userRange: Int32Array.of(0, ranges.length / 3), ranges: Int32Array.from(ranges),
    offsets: Int16Array.of(offset), partial, sliceTs: null,
  });
  // A bot: one track 20,000 times a minute apart from 11 January, 200,000 ms each — the
  // run's, the month's and the user's ms sums pass 2^31; a day's stays below. Every 1,000th
  // play is sent twice (the rows stored next to each other, as in a day file), so N holds 20 duplicates.
  const N = 20_020;
  const bot = plays(N, (r) => ({ ts: window.startMs + 10 * DAY_MS + (1000 * Math.floor(r / 1001) + Math.min(r % 1001, 999)) * 60_000, track: 5, ms: 200_000 }));
  const sorted = summaryAt(aggregateTask(task(bot, [0, 0, N], false, 60)).chunk, 0);
  const split = summaryAt(aggregateTask(task(bot, [0, 0, N >> 1, 0, N >> 1, N], false, 60)).chunk, 0);
  // The later half first: the earlier half arrives late (rows kept out of ts order), then its first rows again (duplicates).
  const late = summaryAt(aggregateTask(task(bot, [0, N >> 1, N, 0, 0, N >> 1, 0, 0, 100], false, 60)).chunk, 0);
  const partials = [aggregateTask(task(bot, [0, 0, N >> 1], true, 60)).partials[0]!, aggregateTask(task(bot, [0, N >> 1, N], true, 60)).partials[0]!];
  for (const unpacked of [false, true]) {
    const tiedInput = tiedUser(unpacked);
    const tied = summaryAt(aggregateTask(task(tiedInput, [0, 0, tiedInput.rows], false, 0)).chunk, 0);
    if (tied.topTracks.length !== 100 || tied.topAlbums.length !== 5) throw new Error(`the tied user: expected 100 top tracks and 5 albums, found ${tied.topTracks.length} and ${tied.topAlbums.length}`);
  }
  return { totals: [sorted.totalMs, split.totalMs, late.totalMs], partials };
}

/** Deoptimized on purpose (a second shape after compiling for one), so the test knows the trace is on and read right. */
function traceCheck(o: { a: number }): number {
  return o.a;
}

if (isMainThread) {
  new Function('f', '%PrepareFunctionForOptimization(f); f({ a: 1 }); f({ a: 2 }); %OptimizeFunctionOnNextCall(f); f({ a: 3 });')(traceCheck);
  traceCheck({ b: 1, a: 2 } as unknown as { a: number });
  // The worker registers tsx itself (a worker thread does not take the parent's loader), then loads this file.
  const worker = new Worker(`import('tsx/esm/api').then((m) => { m.register(); return import(${JSON.stringify(import.meta.url)}); })`, { eval: true });
  const fromWorker = await new Promise<{ totals: number[]; partials: UserPartial[] }>((resolve, reject) => {
    worker.once('message', resolve);
    worker.once('error', reject);
  });
  await worker.terminate();
  // The coordinator's part: its combiner warmed, then the bot's two slices combined.
  const combiner = new UserAccumulator(catalog, window);
  warmCombiner(combiner, catalog);
  combiner.begin(0, 0);
  for (const p of fromWorker.partials) combiner.addPartial(p);
  const combined = combiner.finalize();
  console.log(JSON.stringify({ totals: [...fromWorker.totals, combined.totalMs] }));
} else {
  parentPort!.postMessage(workerPart());
}
