import { threadCpuMs } from '../../engine/pool/thread-clock.ts';
import type { AggregateTaskInput, AggregateTaskResult } from './messages.ts';
import { warmupTasks } from './kernel-warmup.ts';
import { SummaryColumns } from './summary-columns.ts';
import { UserAccumulator, type PlayColumns, type TrackCodes, type UserPartial } from './user-accumulator.ts';

/** One accumulator per worker thread, kept across tasks (its scratch is the catalog's size). */
let acc: { key: unknown; acc: UserAccumulator } | null = null;
/** Where a task's summaries are packed (summary-columns.ts), reused from task to task. */
const packed = new SummaryColumns();

/** Stage-1 pool task: view the inputs in place, accumulate each user's ranges, finalize (or return partials). */
export function aggregateTask(t: AggregateTaskInput): AggregateTaskResult {
  const t0 = performance.now();
  const c0 = threadCpuMs();
  if (!acc || acc.key !== t.runId) acc = { key: t.runId, acc: new UserAccumulator(t.catalog, t.window) };
  const a = acc.acc;
  const skips0 = { ...a.skips };
  // Views of each input, pushed (not `map`ped: V8's map returns a packed array before this function is
  // optimized and a holey one after, and the kernels' calls deoptimized at that change; docs/benchmarks.md, session 16).
  const cols: PlayColumns[] = [], codes: TrackCodes[] = [];
  for (const d of t.inputs) {
    cols.push({
      tsWords: new Int32Array(d.sab, d.ts, 2 * d.rows), track: new Int32Array(d.sab, d.track, d.rows), ms: new Int32Array(d.sab, d.ms, d.rows),
      arrival: new Int32Array(d.sab, d.arrival, d.rows), priv: new Uint8Array(d.sab, d.priv, d.rows), tsSorted: d.tsSorted,
    });
    codes.push({ overflowCode: d.overflowCode, overflowTrack: d.overflowTrack });
  }
  const partials: UserPartial[] = [];
  // Nothing left over from a task that threw half-way through.
  packed.reset();
  let rows = 0;
  const nUsers = t.userRange.length - 1;
  for (let u = 0; u < nUsers; u++) {
    const r0 = t.userRange[u]!;
    const r1 = t.userRange[u + 1]!;
    let maxRows = 0;
    for (let r = r0; r < r1; r++) maxRows += t.ranges[3 * r + 2]! - t.ranges[3 * r + 1]!;
    // One range of a roll-up holds the user's whole (slice of the) year in (track, ts) order:
    // a track per run, dedupe by neighbours. Otherwise (day files): the hash table.
    const x0 = t.ranges[3 * r0]!;
    if (r1 - r0 === 1 && t.sliceTs === null && t.inputs[x0]!.trackSorted) {
      a.begin(t.offsets[u]!, 0);
      a.addTrackSorted(cols[x0]!, t.ranges[3 * r0 + 1]!, t.ranges[3 * r0 + 2]!, codes[x0]!);
      rows += maxRows;
    } else {
      a.begin(t.offsets[u]!, maxRows);
      const lo = t.sliceTs ? t.sliceTs[0]! : -Infinity, hi = t.sliceTs ? t.sliceTs[1]! : Infinity;
      // With slice bounds, a range other slices read too counts only the rows inside them.
      for (let r = r0; r < r1; r++) {
        const x = t.ranges[3 * r]!;
        rows += a.addRows(cols[x]!, t.ranges[3 * r + 1]!, t.ranges[3 * r + 2]!, codes[x]!, lo, hi);
      }
    }
    if (t.partial) partials.push(a.takePartial());
    else if (a.hasPlays) packed.append(u, a.finalize());
    else a.takePartial();
  }
  const skips = { ...a.skips };
  for (const k of Object.keys(skips) as Array<keyof typeof skips>) skips[k] -= skips0[k];
  const c1 = threadCpuMs();
  return { bucket: t.bucket, chunk: packed.take(), partials, skips, rows, ms: performance.now() - t0, cpuMs: c0 === null || c1 === null ? null : c1 - c0 };
}

/**
 * Loads this module in a worker before timed work
 * starts, builds the worker's accumulator (its catalog-sized tables) and
 * warms the kernel up, so no task's timing includes any of it.
 */
export function warmup(t: Pick<AggregateTaskInput, 'runId' | 'catalog' | 'window'> | null): number {
  if (t && (!acc || acc.key !== t.runId)) {
    acc = { key: t.runId, acc: new UserAccumulator(t.catalog, t.window) };
    acc.acc.prepareForAnyUser();
    // Through the task function itself, on inputs shaped as the coordinator's; they report differences, so no trace is left in skip counts.
    // Each through a structured clone, as real tasks arrive: objects the deserializer builds have other
    // hidden classes than literals, and the first real task deoptimized aggregateTask (docs/benchmarks.md, session 16).
    for (const task of warmupTasks(t.catalog, t.window, t.runId)) aggregateTask(structuredClone(task));
  }
  return acc === null ? 0 : 1;
}
