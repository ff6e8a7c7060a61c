import type { StageCatalog } from '../../engine/catalog/stage-catalog.ts';
import { DAY_MS } from '../../engine/lake/calendar.ts';
import type { UserAccumulator } from './user-accumulator.ts';
import type { YearWindow } from './year-window.ts';

/** Synthetic plays in the layout a bucket's columns have (ts as two int32 words). */
interface Plays {
  readonly tsWords: Int32Array;
  readonly track: Int32Array;
  readonly ms: Int32Array;
  readonly arrival: Int32Array;
  readonly priv: Uint8Array;
}

/** Codes of the real catalog by kind: a track's first code, an alias of a track, a code naming no track. */
export interface WarmupCodes {
  readonly canonical: Int32Array;
  readonly alias: Int32Array;
  readonly unknown: Int32Array;
}

/** Up to `max` codes of each kind, spread over the dictionary. */
export function warmupCodes(c: StageCatalog, max = 20_000): WarmupCodes {
  const firstCode = new Int32Array(c.tracks).fill(-1);
  const canonical: number[] = [], alias: number[] = [], unknown: number[] = [];
  for (let code = 0; code < c.resolve.length; code++) {
    const t = c.resolve[code]!;
    if (t < 0) {
      if (unknown.length < 64) unknown.push(code);
    } else if (firstCode[t]! < 0) {
      firstCode[t] = code;
      if (canonical.length < max) canonical.push(code);
    } else if (alias.length < 256) alias.push(code);
  }
  return { canonical: Int32Array.from(canonical), alias: Int32Array.from(alias), unknown: Int32Array.from(unknown) };
}

/** A small deterministic generator (the warm-up's data is the same in every run). */
function lcg(seed: number): () => number {
  let s = seed >>> 0;
  return () => ((s = (Math.imul(s, 1664525) + 1013904223) >>> 0) / 4294967296);
}

/**
 * Fills `p` with one user's plays in ts order, `step` ms apart from `from`,
 * with everything a real user's rows can hold so that every branch of the
 * kernel runs here and not first in a timed task: alias and unknown codes,
 * overflow ids (one resolving, one not), exact duplicates, rows outside the
 * window, late arrivals, private sessions, a group of rows sharing one ts
 * larger than the sorted dedupe's scan, and ms values that take the user's
 * total past 2^31 (a float, not a small integer, in the accumulator's fields).
 */
function fillUser(p: Plays, codes: WarmupCodes, w: YearWindow, rnd: () => number, from: number, step: number, maxMs: number, tracks: number): void {
  const pick = (a: Int32Array, n = a.length) => a[Math.floor(rnd() * Math.min(n, a.length))]!;
  const n = p.track.length;
  const groupAt = n > 200 ? n >> 1 : -1;
  let ts = from;
  for (let i = 0; i < n; i++) {
    const r = rnd();
    // A run of 40 rows at one ts (distinct codes) in long users; otherwise time moves on.
    if (!(groupAt >= 0 && i > groupAt && i <= groupAt + 40)) ts += step;
    let t = ts, code: number, ms = Math.floor(rnd() * maxMs);
    if (r < 0.02 && i > 0) {
      // An exact duplicate of the previous row.
      t = p.tsWords[2 * (i - 1) + 1]! * 4294967296 + (p.tsWords[2 * (i - 1)]! >>> 0);
      code = p.track[i - 1]!;
      ms = p.ms[i - 1]!;
    } else if (r < 0.03) code = pick(codes.alias);
    else if (r < 0.035) code = pick(codes.unknown);
    else if (r < 0.045) code = -1 - (i & 1);
    else code = pick(codes.canonical, tracks);
    if (codes.alias.length === 0 && r >= 0.02 && r < 0.03) code = pick(codes.canonical, tracks);
    if (codes.unknown.length === 0 && r >= 0.03 && r < 0.035) code = pick(codes.canonical, tracks);
    if (i === 0) t = w.startMs - DAY_MS; // one play before the window
    p.tsWords[2 * i] = t % 4294967296;
    p.tsWords[2 * i + 1] = Math.floor(t / 4294967296);
    p.track[i] = code;
    p.ms[i] = r > 0.98 ? (i & 1 ? 0 : 30_000) : ms;
    p.arrival[i] = r > 0.965 && r <= 0.975 ? w.cutoffDay : Math.floor(t / DAY_MS);
    p.priv[i] = r > 0.955 && r <= 0.965 ? 1 : 0;
  }
}

function playsOf(n: number): Plays {
  return { tsWords: new Int32Array(2 * n), track: new Int32Array(n), ms: new Int32Array(n), arrival: new Int32Array(n), priv: new Uint8Array(n) };
}

/**
 * Runs the kernel over synthetic users — 400 small ones, then a big one a few
 * dozen times (both dedupe paths, finalize and partials) — so the JIT has
 * optimized it from complete feedback before the first timed task. Without
 * this, the first tasks run several times slower and look like skew in the
 * profile; with a warm-up that misses a branch (a late arrival, an overflow id,
 * a total past 2^31), V8 deoptimizes the kernel in the first real tasks and
 * recompiles it while they run (measured with --trace-deopt: the first ~0.4 s
 * of tasks ran at a fifth of the median rate). Leaves no trace in the skip
 * counts the tasks report (they report differences).
 */
export function exerciseKernel(a: UserAccumulator, c: StageCatalog, w: YearWindow): void {
  const codes = warmupCodes(c);
  if (codes.canonical.length === 0) return;
  // Overflow ids: the first resolves to a catalog track, the second to none.
  const overflow = { overflowCode: Int32Array.of(-1, -2), overflowTrack: Int32Array.of(c.resolve[codes.canonical[0]!]!, -1) };
  const rnd = lcg(0x5eed);
  const run = (p: Plays, offsetMinutes: number, sorted: boolean, partial: boolean) => {
    a.begin(offsetMinutes, p.track.length);
    a.addRows(p, 0, p.track.length, overflow, sorted);
    if (partial || !a.hasPlays) a.takePartial();
    else a.finalize();
  };
  // First many small users with repeats and ties (50 tracks, a play a day): every
  // path of finalize runs with short loops, so it is optimized as a whole from
  // complete feedback. A first call on a big user would compile it mid-loop (on-stack
  // replacement) before its later statements ever ran, and that code deopted on every
  // later call that reached them (hundreds of times a run, measured with --trace-deopt).
  const small = playsOf(300);
  for (let u = 0; u < 400; u++) {
    fillUser(small, codes, w, rnd, w.startMs + u * 1_000, DAY_MS, 240_000, 50);
    run(small, ((u * 37) % 27 - 12) * 60, u % 2 === 0, u % 8 === 7);
  }
  // Then a big user (16k plays 20 minutes apart, nearly all of distinct tracks, ~3.3e9 ms in all), a few dozen times.
  const big = playsOf(16_384);
  fillUser(big, codes, w, rnd, w.startMs, 20 * 60_000, 400_000, codes.canonical.length);
  for (let rep = 0; rep < 24; rep++) run(big, rep % 3 === 0 ? -300 : 330, rep % 2 === 0, rep % 4 === 3);
}
