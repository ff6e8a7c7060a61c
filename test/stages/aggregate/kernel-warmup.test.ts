import { spawnSync } from 'node:child_process';
import { fileURLToPath } from 'node:url';
import { describe, expect, it } from 'vitest';
import { warmCombiner, warmupCodes, warmupPartials, warmupTasks } from '../../../stages/aggregate/kernel-warmup.ts';
import { firstCodeSlot, TOP_ALBUMS, TOP_ARTISTS, TOP_TRACKS, UserAccumulator, type SkipCounts, type UserPartial } from '../../../stages/aggregate/user-accumulator.ts';
import { aggregateTask, warmup } from '../../../stages/aggregate/worker.ts';
import { summaryAt } from '../../../stages/aggregate/summary-columns.ts';
import { yearWindow } from '../../../stages/aggregate/year-window.ts';
import { SMALL_TRACKS, smallCatalog } from '../../helpers/small-catalog.ts';

const W = yearWindow(2025);
const catalog = smallCatalog();
const TRACKS = SMALL_TRACKS;
const root = fileURLToPath(new URL('../../../', import.meta.url));

describe('kernel warm-up', () => {
  it('sorts the dictionary codes into a track\'s first code, aliases and codes naming no track', () => {
    const codes = warmupCodes(catalog);
    expect(Array.from(codes.canonical)).toEqual(Array.from({ length: TRACKS }, (_, c) => c));
    expect(Array.from(codes.alias)).toEqual([300, 301, 302, 303, 304, 305, 306, 307, 308, 309]);
    expect(Array.from(codes.unknown)).toEqual([310, 311, 312, 313, 314]);
    expect(warmupCodes(catalog, 7).canonical.length).toBe(7);
  });

  it("gives its small users two codes that share a slot of the code table, so addRows takes the collision step", () => {
    // 300 consecutive codes share no slot (the hash spreads neighbours apart); 1,000 do.
    for (const [tracks, shared] of [[300, false], [1000, true]] as const) {
      const tasks = warmupTasks(smallCatalog(tracks), W, 'warm-slots');
      const cols = tasks[0]!.inputs[0]!;
      const track = new Int32Array(cols.sab, cols.track, cols.rows);
      const r = tasks[0]!.ranges;
      // The first small user: its codes, and whether two of them start at the same slot.
      const codes = new Set(track.subarray(r[1]!, r[2]!).filter((c) => c >= 0 && c < tracks));
      const slots = new Set([...codes].map(firstCodeSlot));
      expect(slots.size < codes.size, `${tracks} tracks`).toBe(shared);
    }
  });

  it('takes every branch a real user can, through the task function: each skip reason, finalize and partials, totals past 2^31', () => {
    const tasks = warmupTasks(catalog, W, 'warm-1');
    const results = tasks.map((t) => aggregateTask(t));
    // Every reason a row is skipped for happened (the kernel counts them where it branches).
    for (const reason of Object.keys(results[0]!.skips) as Array<keyof SkipCounts>) expect(results.reduce((s, r) => s + r.skips[reason], 0), reason).toBeGreaterThan(0);
    // Both kernels: users as one sorted range and as several ranges; packed users and partial slices.
    expect(tasks.some((t) => t.userRange[1]! - t.userRange[0]! === 1)).toBe(true);
    expect(tasks.some((t) => t.userRange[1]! - t.userRange[0]! > 1)).toBe(true);
    // addRows meets rows of every kind its dedupe tells apart: later than all kept rows, at the last
    // kept ts, earlier (a late range), and duplicates of each (one user's ranges offered again).
    const userRanges = tasks.flatMap((t) => Array.from({ length: t.userRange.length - 1 }, (_, u) =>
      Array.from({ length: t.userRange[u + 1]! - t.userRange[u]! }, (_, k) => [t.ranges[3 * (t.userRange[u]! + k) + 1]!, t.ranges[3 * (t.userRange[u]! + k) + 2]!])));
    // A range before one offered earlier (a late upload), and a range of rows offered already (re-sent).
    expect(userRanges.some((rs) => rs.some(([s], k) => k > 0 && s! < rs[k - 1]![0]!))).toBe(true);
    expect(userRanges.some((rs) => rs.some(([s, e], k) => rs.slice(0, k).some(([s0, e0]) => s! < e0! && s0! < e!)))).toBe(true);
    expect(results.flatMap((r) => r.partials).length).toBeGreaterThan(0);
    const summaries = results.flatMap((r) => Array.from({ length: r.chunk.n }, (_, i) => summaryAt(r.chunk, i)));
    expect(summaries.length).toBeGreaterThan(150);
    // A user's total went past what a small integer holds (V8 would otherwise change the field's representation in a timed task).
    expect(Math.max(...summaries.map((s) => s!.totalMs))).toBeGreaterThan(2 ** 31);
    // The inputs are shaped as the coordinator's: columns in a SharedArrayBuffer, read as a roll-up's and as day files'.
    expect(tasks.every((t) => t.inputs.every((x) => x.sab instanceof SharedArrayBuffer))).toBe(true);
    expect(tasks.flatMap((t) => t.inputs.map((x) => `${x.trackSorted} ${x.tsSorted}`))).toEqual(expect.arrayContaining(['true false', 'false true']));
  });

  it('leaves nothing behind: a task after the warm-up gets the same numbers as on a fresh worker', () => {
    const task = warmupTasks(catalog, W, 'real')[2]!;
    const fresh = aggregateTask(task);
    // A worker warmed up for another run id builds a new accumulator: use the same id for both.
    expect(warmup({ runId: 'warmed', catalog, window: W })).toBe(1);
    const afterWarmup = aggregateTask({ ...task, runId: 'warmed' });
    expect({ ...afterWarmup, ms: 0, cpuMs: 0 }).toEqual({ ...fresh, ms: 0, cpuMs: 0 });
  });

  it('leaves the kernels compiled once: after the warm-up, a heavy account deoptimizes none of them (--trace-deopt)', () => {
    // A fresh process, a coordinator and a worker thread: the warm-up, then a bot whose run, month and total
    // ms pass 2^31, through both kernels, and its slices combined by the coordinator.
    const r = spawnSync(process.execPath, ['--trace-deopt', '--allow-natives-syntax', '--import', 'tsx', 'test/helpers/kernel-deopts.ts'], { cwd: root, encoding: 'utf8' });
    expect(r.status, r.stderr).toBe(0);
    const lines = r.stdout.split('\n');
    expect(JSON.parse(lines.find((l) => l.startsWith('{"totals"'))!).totals).toEqual([4e9, 4e9, 4e9, 4e9]);
    // V8 prints one "[bailout (kind: …, reason: …): begin. deoptimizing … <JSFunction name …>" line per deoptimization.
    const deopts = lines.flatMap((l) => {
      const m = /\[bailout \(kind: [^,]+, reason: ([^)]*)\).*?<JSFunction (\S+)/.exec(l);
      return m ? [`${m[2]}: ${m[1]}`] : [];
    });
    // The probe deoptimizes one function on purpose: the trace is on and the pattern reads it.
    expect(deopts.filter((d) => d.startsWith('traceCheck:'))).toEqual(['traceCheck: wrong map']);
    const kernels = new Set(['aggregateTask', 'addRows', 'inOrdered', 'addTrackSorted', 'finalize', 'addPartial', 'takePartial', 'select']);
    expect(deopts.filter((d) => kernels.has(d.split(':')[0]!))).toEqual([]);
  });

  it("warms the coordinator's combiner on partials past every top-K size, and leaves it as a fresh one", () => {
    const ps = warmupPartials(catalog);
    // Partials shaped as the coordinator receives them, some beyond the top-K lists' sizes.
    expect(ps.length).toBeGreaterThan(10);
    const combine = (a: UserAccumulator, parts: UserPartial[]) => {
      a.begin(0, 0);
      for (const p of parts) a.addPartial(p);
      return a.finalize();
    };
    const big = combine(new UserAccumulator(catalog, W), ps.filter((p) => p.tracks.length > 100));
    expect(big.topTracks.length).toBe(TOP_TRACKS);
    expect(big.artists.length).toBeGreaterThan(TOP_ARTISTS);
    expect(big.topAlbums.length).toBe(TOP_ALBUMS);
    expect(big.totalMs).toBeGreaterThan(2 ** 31);
    // A user combined after the warm-up gets the numbers a fresh combiner gives.
    const real = warmupTasks(catalog, W, 'slices').filter((t) => t.partial).map((t) => aggregateTask(t).partials[0]!);
    const warmed = new UserAccumulator(catalog, W);
    warmCombiner(warmed, catalog);
    expect(warmed.skips).toEqual(new UserAccumulator(catalog, W).skips);
    expect(combine(warmed, real)).toEqual(combine(new UserAccumulator(catalog, W), real));
  });
});
