import type { StageCatalog } from '../../engine/catalog/stage-catalog.ts';
import { CodeOrder } from '../../engine/kernels/code-order.ts';
import { DAY_MS } from '../../engine/lake/calendar.ts';
import type { AggregateTaskInput, InputDescriptor } from './messages.ts';
import { firstCodeSlot, type PlayColumns as Plays, type UserAccumulator, type UserPartial } from './user-accumulator.ts';
import type { YearWindow } from './year-window.ts';

/** Codes of the real catalog by kind: a track's first code, an alias of a track, a code naming no track. */
export interface WarmupCodes {
  readonly canonical: Int32Array;
  readonly alias: Int32Array;
  readonly unknown: Int32Array;
}

/** The dictionary's first `max` canonical codes, and up to 256 aliases and 64 codes naming no track. */
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

/**
 * Two canonical codes with the same first slot in a user's code table (null
 * when the catalog has none): the warm-up's small users play both, so
 * `addRows` takes the table's collision step. Its codes are otherwise the
 * dictionary's first, consecutive, and a golden-ratio hash spreads
 * consecutive codes into distinct slots: the step first ran in a real task,
 * and `addRows` deoptimized there (in 1 of 2 to 1 of 4 traced runs;
 * docs/benchmarks.md, session 17).
 */
function collidingPair(codes: WarmupCodes): [number, number] | null {
  const first = new Map<number, number>();
  for (const code of codes.canonical) {
    const slot = firstCodeSlot(code);
    const other = first.get(slot);
    if (other !== undefined) return [other, code];
    first.set(slot, code);
  }
  return null;
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
 * window, late arrivals, private sessions, a group of rows sharing one
 * (track, ts) larger than the sorted dedupe's scan, and ms values that take the user's
 * total past 2^31 (a float, not a small integer, in the accumulator's fields).
 */
function fillUser(p: Plays, codes: WarmupCodes, w: YearWindow, rnd: () => number, from: number, step: number, maxMs: number, tracks: number): void {
  const pick = (a: Int32Array, n = a.length) => a[Math.floor(rnd() * Math.min(n, a.length))]!;
  const n = p.track.length;
  const groupAt = n > 200 ? n >> 1 : -1;
  let ts = from;
  for (let i = 0; i < n; i++) {
    const r = rnd();
    // A run of 40 rows at one ts (one track, distinct ms but for two repeats) in long users; otherwise time moves on.
    const inGroup = groupAt >= 0 && i > groupAt && i <= groupAt + 40;
    if (!inGroup) ts += step;
    let t = ts, code: number, ms = Math.floor(rnd() * maxMs);
    // Rows 36 and 37 of the group repeat the row before: past GROUP_SCAN, so the sorted dedupe finds them
    // through its hash table (never met before the kernel was compiled, that deoptimized it).
    const forced = inGroup && (i === groupAt + 36 || i === groupAt + 37);
    const dup = i > 0 && (r < 0.02 || forced);
    if (dup) {
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
    if (inGroup) code = codes.canonical[0]!;
    if (i === 0) t = w.startMs - DAY_MS; // one play before the window
    p.tsWords[2 * i] = t % 4294967296;
    p.tsWords[2 * i + 1] = Math.floor(t / 4294967296);
    p.track[i] = code;
    p.ms[i] = r > 0.98 && !dup ? (i & 1 ? 0 : 30_000) : ms;
    p.arrival[i] = r > 0.965 && r <= 0.975 && !forced ? w.cutoffDay : Math.floor(t / DAY_MS);
    p.priv[i] = r > 0.955 && r <= 0.965 && !forced ? 1 : 0;
  }
}

/**
 * Two canonical codes whose tracks differ in artist, album and the artists'
 * genre (null when the catalog has no such pair): `fillTies`'s tracks.
 */
function tiePair(c: StageCatalog, codes: WarmupCodes): [number, number] | null {
  const a = codes.canonical[0];
  if (a === undefined) return null;
  const ta = c.resolve[a]!;
  for (const b of codes.canonical) {
    const tb = c.resolve[b]!;
    const artistA = c.trackArtist[ta]!, artistB = c.trackArtist[tb]!;
    if (artistA < 0 || artistB < 0 || artistA === artistB || c.trackAlbum[ta] === c.trackAlbum[tb]) continue;
    const ga = c.artistGenre[artistA]!, gb = c.artistGenre[artistB]!;
    if (ga >= 0 && gb >= 0 && ga !== gb) return [a, b];
  }
  return null;
}

/**
 * A user whose two tracks tie exactly: the same plays, streams and ms in every
 * month (each day, one play of each, an hour apart), so that finalize breaks a
 * tie in each of its orders — tracks, artists, albums, genres and the month's
 * top artist — by id or name. Those reads run only on exact ties; never run
 * before finalize is compiled, each deoptimized it at its first tie in a real
 * task (`--trace-deopt`, docs/benchmarks.md, session 16).
 */
function fillTies(p: Plays, [a, b]: [number, number], w: YearWindow): void {
  fillCounted(p, (i) => w.startMs + Math.floor(i / 2) * DAY_MS + (i & 1) * 3_600_000, (i) => (i & 1 ? b : a), () => 30_000);
}

/** Fills `p` with plays that all count: row i at ts(i), of code(i), for ms(i) ms, arriving the same day, not private. */
function fillCounted(p: Plays, ts: (i: number) => number, code: (i: number) => number, ms: (i: number) => number): void {
  for (let i = 0; i < p.track.length; i++) {
    const t = ts(i);
    p.tsWords[2 * i] = t % 4294967296;
    p.tsWords[2 * i + 1] = Math.floor(t / 4294967296);
    p.track[i] = code(i);
    p.ms[i] = ms(i);
    p.arrival[i] = Math.floor(t / DAY_MS);
    p.priv[i] = 0;
  }
}

/**
 * A user of many tracks played alike: each of `p.length / 2` canonical codes
 * twice, 30 s each, so that more tracks tie at the 100th place of the top
 * tracks than places are left (and albums at the 5th): finalize's selections
 * then rank the tied by id. Never run before finalize was compiled, that
 * deoptimized it (or the selection) at the first such user of a run
 * (`--trace-deopt`, docs/benchmarks.md, session 17). With too few tracks in
 * the catalog, codes repeat and nothing ties past the places (no harm).
 */
function fillManyTies(p: Plays, codes: WarmupCodes, w: YearWindow): void {
  fillCounted(p, (i) => w.startMs + (1 + (i & 1)) * 30 * DAY_MS + (i >> 1) * 60_000, (i) => codes.canonical[(i >> 1) % codes.canonical.length]!, () => 30_000);
}

/**
 * A user whose sums do not pack into finalize's sort keys: 40 plays of one
 * track at 2^31 - 1 ms (past 2^36 ms on the track and its album), then one
 * play of each of the other codes. Finalize then orders top tracks and albums
 * by comparisons, as for a bot with 2^17 streams on one album — one of those
 * in the 2,000-user year deoptimized finalize in each worker (session 17).
 */
function fillUnpacked(p: Plays, codes: WarmupCodes, w: YearWindow): void {
  fillCounted(p, (i) => w.startMs + 40 * DAY_MS + i * 3_600_000, (i) => codes.canonical[i < 40 ? 0 : (i - 39) % codes.canonical.length]!, (i) => (i < 40 ? 2 ** 31 - 1 : 30_000));
}

/** Reorders one user's rows by (track code, ts), as a roll-up stores them (ROLLUP_SORT_KEYS). */
function trackOrder(p: Plays, codeOrder: CodeOrder): void {
  const n = p.track.length;
  const order = Uint32Array.from({ length: n }, (_, i) => i);
  codeOrder.sort(order, 0, n, p.track);
  const tsWords = p.tsWords.slice(), track = p.track.slice(), ms = p.ms.slice(), arrival = p.arrival.slice(), priv = p.priv.slice();
  for (let i = 0; i < n; i++) {
    const r = order[i]!;
    p.tsWords[2 * i] = tsWords[2 * r]!;
    p.tsWords[2 * i + 1] = tsWords[2 * r + 1]!;
    p.track[i] = track[r]!;
    p.ms[i] = ms[r]!;
    p.arrival[i] = arrival[r]!;
    p.priv[i] = priv[r]!;
  }
}

/**
 * Stage-1 tasks over synthetic users, shaped exactly as the coordinator's
 * (columns in one SharedArrayBuffer, descriptors, row ranges, offsets), for
 * a worker to run through `aggregateTask` before its first timed task — 200
 * small users packed 25 to a task, then a big one four times — so the JIT
 * has optimized the task function and the kernel from complete feedback.
 * Without this the first tasks run several times slower and look like skew in
 * the profile. A warm-up that misses a branch (a late arrival, an overflow
 * id, a total past 2^31) or feeds the kernel objects of another shape than
 * tasks do leaves V8 to deoptimize and recompile it while the first real
 * tasks run (measured with --trace-deopt: the first ~0.4 s of tasks at a
 * fifth of the median rate). Small users come first so that finalize is
 * optimized as a whole from short loops: a first call on a big user compiled
 * it mid-loop (on-stack replacement) before its later statements ever ran,
 * and that code deopted on every later call that reached them.
 */
export function warmupTasks(c: StageCatalog, w: YearWindow, runId: string): AggregateTaskInput[] {
  const codes = warmupCodes(c);
  if (codes.canonical.length === 0) return [];
  // Four passes of the big user cover its three shapes (one range: the sorted kernel; several:
  // addRows; several as a bounded slice) as eight did, with as few deopts in the run (--trace-deopt:
  // 59 against 56 at 10,000 users) and ~0.2 s less warm-up; a 4,096-row big user left
  // finalize to deoptimize ~150 times in the run.
  const SMALL = 200, SMALL_ROWS = 300, BIG_ROWS = 16_384, BIG_REPS = 4;
  const rows = SMALL * SMALL_ROWS + BIG_ROWS;
  // Column layout of a bucket file's buffers: ts words, then int32 track, ms, arrival, then the private flags.
  const sab = new SharedArrayBuffer(8 * rows + 12 * rows + rows);
  const all: Plays = {
    tsWords: new Int32Array(sab, 0, 2 * rows), track: new Int32Array(sab, 8 * rows, rows), ms: new Int32Array(sab, 12 * rows, rows),
    arrival: new Int32Array(sab, 16 * rows, rows), priv: new Uint8Array(sab, 20 * rows, rows), tsSorted: false,
  };
  const slice = (from: number, n: number): Plays => ({
    tsWords: all.tsWords.subarray(2 * from, 2 * (from + n)), track: all.track.subarray(from, from + n), ms: all.ms.subarray(from, from + n),
    arrival: all.arrival.subarray(from, from + n), priv: all.priv.subarray(from, from + n), tsSorted: false,
  });
  const rnd = lcg(0x5eed);
  const codeOrder = new CodeOrder();
  const pair = tiePair(c, codes);
  const collide = collidingPair(codes);
  for (let u = 0; u < SMALL; u++) {
    // The second user of every task breaks ties in every order finalize sorts by; the third ties past the
    // top lists' places; the fourth's sums are too large for the packed sort keys.
    if (u % 25 === 1 && pair) fillTies(slice(u * SMALL_ROWS, SMALL_ROWS), pair, w);
    else if (u % 25 === 2) fillManyTies(slice(u * SMALL_ROWS, SMALL_ROWS), codes, w);
    else if (u % 25 === 3) fillUnpacked(slice(u * SMALL_ROWS, SMALL_ROWS), codes, w);
    else {
      const p = slice(u * SMALL_ROWS, SMALL_ROWS);
      fillUser(p, codes, w, rnd, w.startMs + u * 1_000, DAY_MS, 240_000, 50);
      if (collide) [p.track[10], p.track[11]] = collide;
    }
    // Users of the even tasks (one range: the sorted kernel) in roll-up order; the odd tasks' stay in
    // ts order, as day files hold them (addRows' ordered dedupe; see `task`).
    if (Math.floor(u / 25) % 2 === 0) trackOrder(slice(u * SMALL_ROWS, SMALL_ROWS), codeOrder);
  }
  const bigAt = SMALL * SMALL_ROWS;
  // 16k plays 20 minutes apart, nearly all of distinct tracks, ~3.3e9 ms in all.
  fillUser(slice(bigAt, BIG_ROWS), codes, w, rnd, w.startMs, 20 * 60_000, 400_000, codes.canonical.length);
  trackOrder(slice(bigAt, BIG_ROWS), codeOrder);
  const input: InputDescriptor = {
    sab, rows, ts: all.tsWords.byteOffset, track: all.track.byteOffset, ms: all.ms.byteOffset, arrival: all.arrival.byteOffset, priv: all.priv.byteOffset,
    // Overflow ids: the first resolves to a catalog track, the second to none.
    overflowCode: Int32Array.of(-1, -2), overflowTrack: Int32Array.of(c.resolve[codes.canonical[0]!]!, -1),
    // In roll-up order: a user given as one range runs the sorted kernel; split, addRows with every row hashed.
    trackSorted: true, tsSorted: false,
  };
  // The same buffer as day files: the odd tasks' small users, in ts order (addRows' ordered dedupe).
  const days: InputDescriptor = { ...input, trackSorted: false, tsSorted: true };
  /**
   * A task over users given as (first row, rows) of input `x` (0: roll-up order, 1: day files); `split` offers each user as several ranges (addRows,
   * as day files), and a split partial task reads them as a slice bounded in ts (bounds that keep every
   * row). Split, every other user comes as its two halves and then its first rows again (re-sent:
   * duplicates of rows kept in ts order), the others as the later half first (the earlier half then
   * arrives late: rows kept out of order, and their duplicates), so every dedupe path runs.
   */
  const task = (users: Array<[number, number]>, split: boolean, partial: boolean, x = 0): AggregateTaskInput => {
    const ranges: number[] = [], userRange = [0];
    users.forEach(([from, n], i) => {
      const mid = from + (n >> 1);
      if (!split) ranges.push(x, from, from + n);
      else if (i % 2 === 0) ranges.push(x, from, mid, x, mid, from + n, x, from, from + Math.min(8, n));
      else ranges.push(x, mid, from + n, x, from, mid);
      userRange.push(ranges.length / 3);
    });
    const offsets = Int16Array.from(users, (_, i) => ((i * 37) % 27 - 12) * 60);
    const sliceTs = split && partial ? Float64Array.of(w.startMs - 2 * DAY_MS, w.freezeMs + DAY_MS) : null;
    return { bucket: -1, runId, catalog: c, window: w, inputs: [input, days], userRange: Int32Array.from(userRange), ranges: Int32Array.from(ranges), offsets, partial, sliceTs };
  };
  const tasks: AggregateTaskInput[] = [];
  for (let k = 0; k < SMALL / 25; k++) {
    const users = Array.from({ length: 25 }, (_, i): [number, number] => [(25 * k + i) * SMALL_ROWS, SMALL_ROWS]);
    tasks.push(task(users, k % 2 === 1, k === 3 || k === 7, k % 2));
  }
  for (let rep = 0; rep < BIG_REPS; rep++) tasks.push(task([[bigAt, BIG_ROWS]], rep % 2 === 1, rep % 4 === 3));
  return tasks;
}

/**
 * Partial aggregates of synthetic users, as the coordinator receives them from
 * the time slices of heavy users (through a structured clone, so their objects
 * have the same shape as real ones): the input of `warmCombiner`.
 */
export function warmupPartials(c: StageCatalog, users = 24): UserPartial[] {
  const A = c.artists;
  if (c.tracks === 0 || A === 0) return [];
  const rnd = lcg(0xc0b1);
  const out: UserPartial[] = [];
  for (let u = 0; u < users; u++) {
    // Mostly small users, and every fourth past the top-K sizes (100 tracks, 10 artists, 5 albums) and 2^31 ms.
    const n = Math.min(c.tracks, u % 4 === 3 ? 400 : 3 + (u % 7));
    const first = Math.floor(rnd() * c.tracks);
    const tracks = Int32Array.from({ length: n }, (_, i) => (first + i * 7919) % c.tracks);
    const trackPlays = Int32Array.from(tracks, () => 1 + Math.floor(rnd() * 4));
    // Ties in streams and ms, tracks without a stream, a 0 ms play.
    const trackStreams = Int32Array.from(trackPlays, (p, i) => (i % 5 === 4 ? 0 : Math.min(p, 1 + (i % 3))));
    // The big users' ms sum past 2^31, as a heavy account's does (a float, not a small integer).
    const perPlay = n > 100 ? 3_000_000 : 30_000;
    const trackMs = Float64Array.from(trackPlays, (p, i) => (i % 9 === 8 ? 0 : p * (perPlay + 1_000 * (i % 4))));
    // Every other big user's first track has 2^17 streams and more, as a bot's can: too many for finalize's
    // packed sort keys, so the combiner orders its tracks and albums by comparisons (session 17).
    if (u % 8 === 7) {
      trackPlays[0] = trackStreams[0] = 200_000;
      trackMs[0] = 200_000 * 30_000;
    }
    const trackFirstStream = Float64Array.from(trackStreams, (s, i) => (s > 0 ? 1.7e12 + i * 60_000 : Infinity));
    const monthArtist: number[] = [], monthArtistMs: number[] = [], monthArtistStreams: number[] = [];
    tracks.forEach((t, i) => {
      const a = c.trackArtist[t]!;
      const m = (u + i) % 12;
      if (a < 0 || monthArtist.includes(m * A + a)) return;
      monthArtist.push(m * A + a);
      monthArtistMs.push(trackMs[i]!);
      monthArtistStreams.push(trackStreams[i]!);
    });
    const plays = trackPlays.reduce((s, x) => s + x, 0);
    const monthPlays = new Int32Array(12);
    monthPlays[u % 12] = plays;
    const monthMs = new Float64Array(12);
    monthMs[u % 12] = trackMs.reduce((s, x) => s + x, 0);
    const hours = new Float64Array(24);
    hours[u % 24] = monthMs[u % 12]!;
    out.push(structuredClone({
      plays, streams: trackStreams.reduce((s, x) => s + x, 0), totalMs: monthMs[u % 12]!, hours, monthPlays, monthMs,
      tracks, trackPlays, trackStreams, trackMs, trackFirstStream,
      monthArtist: Int32Array.from(monthArtist), monthArtistMs: Float64Array.from(monthArtistMs), monthArtistStreams: Int32Array.from(monthArtistStreams),
    }));
  }
  return out;
}

/**
 * Warms the coordinator's combiner, the accumulator that merges a heavy user's
 * time slices (`begin`, `addPartial`, `finalize`), on small synthetic users
 * first: the coordinator otherwise optimized `finalize` and `addPartial` during
 * its first heavy user's long loops (on-stack replacement), before their later
 * statements had run, and that code deoptimized at each of them in turn — 7
 * `finalize` and 6 `addPartial` deopts in a run of the 10,000-user year, each
 * followed by another compile of `finalize` (~50–100 ms of a background
 * thread's CPU) on the cores the workers need; with this warm-up, none
 * (docs/benchmarks.md, session 12). Each user is combined from two partials,
 * as two slices would be.
 */
export function warmCombiner(a: UserAccumulator, c: StageCatalog): void {
  const ps = warmupPartials(c);
  for (let i = 0; i < ps.length; i++) {
    a.begin(0, 0);
    a.addPartial(ps[i]!);
    a.addPartial(ps[(i + 1) % ps.length]!);
    a.finalize();
  }
  // A user whose slices counted nothing (the coordinator then drops it).
  a.begin(0, 0);
  a.takePartial();
}
