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
  const resolve = t.catalog.resolve;
  const summaries: Array<UserSummary | null> = [];
  const partials: UserPartial[] = [];
  let rows = 0;
  const nUsers = t.userRange.length - 1;
  for (let u = 0; u < nUsers; u++) {
    const r0 = t.userRange[u]!;
    const r1 = t.userRange[u + 1]!;
    let maxRows = 0;
    for (let r = r0; r < r1; r++) maxRows += t.ranges[3 * r + 2]! - t.ranges[3 * r + 1]!;
    a.begin(t.offsets[u]!, maxRows);
    for (let r = r0; r < r1; r++) {
      const x = t.ranges[3 * r]!;
      const c = cols[x]!;
      const d = t.inputs[x]!;
      const tsw = c.tsWords, track = c.track, ms = c.ms, arrival = c.arrival, priv = c.priv;
      const end = t.ranges[3 * r + 2]!;
      for (let i = t.ranges[3 * r + 1]!; i < end; i++) {
        const ts = tsw[2 * i + 1]! * 4294967296 + (tsw[2 * i]! >>> 0);
        const raw = track[i]!;
        const code = raw >= 0 ? raw : d.overflowCode[-raw - 1]!;
        const m = ms[i]!;
        a.add(ts, code, raw >= 0 ? resolve[raw]! : d.overflowTrack[-raw - 1]!, m, arrival[i]!, priv[i]!);
      }
    }
    rows += maxRows;
    if (t.partial) partials.push(a.takePartial());
    else summaries.push(a.hasPlays ? a.finalize() : (a.takePartial(), null));
  }
  const skips = { ...a.skips };
  for (const k of Object.keys(skips) as Array<keyof typeof skips>) skips[k] -= skips0[k];
  return { bucket: t.bucket, summaries, partials, skips, rows, ms: performance.now() - t0 };
}

/** Loads this module (and tsx's compile of it) in a worker before timed work starts. */
export function warmup(): number {
  return acc === null ? 0 : 1;
}
