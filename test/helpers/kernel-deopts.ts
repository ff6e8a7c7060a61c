// Run by test/stages/aggregate/kernel-warmup.test.ts as
// `node --trace-deopt --import tsx test/helpers/kernel-deopts.ts`: a worker's
// warm-up, then a heavy account through the task function as a worker and the
// coordinator would meet it. V8 prints a line per deoptimization; the test
// reads them.
import { DAY_MS } from '../../engine/lake/calendar.ts';
import type { AggregateTaskInput, InputDescriptor } from '../../stages/aggregate/messages.ts';
import { UserAccumulator } from '../../stages/aggregate/user-accumulator.ts';
import { warmCombiner } from '../../stages/aggregate/kernel-warmup.ts';
import { aggregateTask, warmup } from '../../stages/aggregate/worker.ts';
import { yearWindow } from '../../stages/aggregate/year-window.ts';
import { smallCatalog } from './small-catalog.ts';

const catalog = smallCatalog();
const window = yearWindow(2025);
const runId = 'deopt-probe';
warmup({ runId, catalog, window });

// A bot: one track 20,000 times a minute apart from 11 January, 200,000 ms each — the
// run's, the month's and the user's ms sums pass 2^31; a day's stays below.
const N = 20_000;
const sab = new SharedArrayBuffer(21 * N);
const tsWords = new Int32Array(sab, 0, 2 * N), track = new Int32Array(sab, 8 * N, N), ms = new Int32Array(sab, 12 * N, N);
const arrival = new Int32Array(sab, 16 * N, N);
for (let i = 0; i < N; i++) {
  const ts = window.startMs + 10 * DAY_MS + i * 60_000;
  tsWords[2 * i] = ts % 4294967296;
  tsWords[2 * i + 1] = Math.floor(ts / 4294967296);
  track[i] = 5;
  ms[i] = 200_000;
  arrival[i] = Math.floor(ts / DAY_MS);
}
const input: InputDescriptor = {
  sab, rows: N, ts: 0, track: 8 * N, ms: 12 * N, arrival: 16 * N, priv: 20 * N, trackSorted: true,
  overflowCode: new Int32Array(0), overflowTrack: new Int32Array(0),
};
const task = (ranges: number[], partial: boolean): AggregateTaskInput => ({
  bucket: 0, runId, catalog, window, inputs: [input], userRange: Int32Array.of(0, ranges.length / 3), ranges: Int32Array.from(ranges),
  offsets: Int16Array.of(60), partial, sliceTs: null,
});
// One sorted range (the roll-up kernel), two ranges (the any-order kernel), and two slices' partials combined as the coordinator does.
const sorted = aggregateTask(task([0, 0, N], false)).summaries[0]!;
const split = aggregateTask(task([0, 0, N >> 1, 0, N >> 1, N], false)).summaries[0]!;
const partials = [aggregateTask(task([0, 0, N >> 1], true)).partials[0]!, aggregateTask(task([0, N >> 1, N], true)).partials[0]!];
const combiner = new UserAccumulator(catalog, window);
warmCombiner(combiner, catalog);
combiner.begin(0, 0);
for (const p of partials) combiner.addPartial(p);
const combined = combiner.finalize();
console.log(JSON.stringify({ totals: [sorted.totalMs, split.totalMs, combined.totalMs] }));
