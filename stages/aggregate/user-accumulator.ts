import type { StageCatalog } from '../../engine/catalog/stage-catalog.ts';
import { atLeast } from '../../engine/columns/growable.ts';
import { topK } from '../../engine/kernels/top-k.ts';
import { TopKByKey } from '../../engine/kernels/top-k-by-key.ts';
import type { YearWindow } from './year-window.ts';

/** Why a stored row did not count (SPEC §3); malformed rows were rejected earlier, at bucketing. */
export interface SkipCounts {
  outside_window: number;
  late_arrival: number;
  private_session: number;
  duplicate: number;
  unknown_track: number;
}

export const emptySkips = (): SkipCounts => ({ outside_window: 0, late_arrival: 0, private_session: 0, duplicate: 0, unknown_track: 0 });

export function addSkips(into: SkipCounts, s: SkipCounts): void {
  for (const k of Object.keys(into) as Array<keyof SkipCounts>) into[k] += s[k];
}

/**
 * A user's partial aggregate, exactly mergeable: per-track sums, per
 * (month, artist) sums, hour and month histograms. The time slices of a
 * heavy user each produce one; `UserAccumulator.addPartial` combines them.
 */
export interface UserPartial {
  plays: number;
  streams: number;
  totalMs: number;
  hours: Float64Array;
  monthPlays: Int32Array;
  monthMs: Float64Array;
  tracks: Int32Array;
  trackPlays: Int32Array;
  trackStreams: Int32Array;
  trackMs: Float64Array;
  /** First stream ts per track; +Infinity when the track has no stream. */
  trackFirstStream: Float64Array;
  /** month * artists + artist. */
  monthArtist: Int32Array;
  monthArtistMs: Float64Array;
  monthArtistStreams: Int32Array;
}

/** A user's stage-1 numbers (SPEC §3), with catalog indexes for ids. */
export interface UserSummary {
  plays: number;
  streams: number;
  totalMs: number;
  uniqueTracks: number;
  uniqueArtists: number;
  genreCount: number;
  eligible: boolean;
  monthPlays: Int32Array;
  monthMs: Float64Array;
  /** Catalog artist index per month, -1 for a month without plays. */
  monthTopArtist: Int32Array;
  hours: Float64Array;
  /** Top tracks (<= 100) in SPEC order: catalog index, streams, ms. */
  topTracks: Int32Array;
  topTrackStreams: Int32Array;
  topTrackMs: Float64Array;
  /** Every artist with a counted play, in top-artist order (the first 10 are the top artists). */
  artists: Int32Array;
  artistPlays: Int32Array;
  artistStreams: Int32Array;
  artistMs: Float64Array;
  /** First stream ts per artist; +Infinity when none. */
  artistFirstStream: Float64Array;
  /** Top albums (<= 5): catalog index, streams, ms. */
  topAlbums: Int32Array;
  topAlbumStreams: Int32Array;
  topAlbumMs: Float64Array;
  /** Every genre with listening, in top-genre order (the first 5 are the top genres). */
  genres: Int32Array;
  genreMs: Float64Array;
  /**
   * Inputs of stage 2's listening age, timelessness and audio profile, as exact
   * integer sums over counted plays: ms on tracks with a known release year, the
   * sum of ms × release_year over them, ms on tracks released 10+ years before
   * the year, ms on tracks with audio features, and per feature the sum of
   * ms × quantized feature (catalog.ts FEATURES, FEATURE_SCALE).
   */
  datedMs: number;
  yearMs: number;
  timelessMs: number;
  featuredMs: number;
  featureMs: Float64Array;
}

export const STREAM_MS = 30_000;
export const TOP_TRACKS = 100;
export const TOP_ARTISTS = 10;
export const TOP_ALBUMS = 5;
export const TOP_GENRES = 5;

/** The stored columns the kernel reads: typed-array views over a bucket file in shared memory. */
export interface PlayColumns {
  /** ts as (low, high) int32 pairs. */
  readonly tsWords: Int32Array;
  readonly track: Int32Array;
  readonly ms: Int32Array;
  readonly arrival: Int32Array;
  readonly priv: Uint8Array;
  /**
   * Each user's rows sorted by ts (a day file): `addRows` keeps rows later than
   * every kept row without hashing them. Otherwise (a roll-up read by `addRows`)
   * every row goes through the dedupe table. Either is exact for rows in any order.
   */
  readonly tsSorted: boolean;
}

/**
 * How a file's overflow track codes resolve (a dictionary code, >= 0, goes
 * through the catalog's `resolve`): overflow code -(i + 1) has dedupe code
 * `overflowCode[i]`, shared by all partitions, and catalog index `overflowTrack[i]`.
 */
export interface TrackCodes {
  readonly overflowCode: Int32Array;
  readonly overflowTrack: Int32Array;
}

const HOUR_MS = 3_600_000;
/** The per-user code table (`ct`): a user starts with 2^10 slots, a code's first slot is its golden-ratio hash's top bits. */
const CODE_TABLE_SLOTS = 1024;
const CODE_TABLE_SHIFT = 22;
const CODE_HASH = 0x9e3779b1;

/** A code's first slot in a user's code table as every user's starts (the warm-up looks for codes that share one). */
export function firstCodeSlot(code: number): number {
  return Math.imul(code, CODE_HASH) >>> CODE_TABLE_SHIFT;
}
/** A local track the hot loop leaves to the methods (never a local index; -2 is an unknown track). */
const SLOW_PATH = -3;
/** Sorted dedupe scans a group of equal-ts rows up to this size, then hashes it. */
const GROUP_SCAN = 32;
/** Slots of a user's dedupe table at its start (`begin`). */
const USER_TABLE_SLOTS = 64;
const DAY_MS = 86_400_000;

/** out[i] = from[order[i]] for every i of out. */
function pick<T extends Int32Array | Float64Array>(out: T, order: Int32Array, from: Int32Array | Float64Array): T {
  for (let i = 0; i < out.length; i++) out[i] = from[order[i]!]!;
  return out;
}

/** A summary's arrays (UserSummary's names), by length: top tracks, artists, top albums, genres, features. */
interface SummaryArrays {
  monthMs: Float64Array; hours: Float64Array; topTrackMs: Float64Array; artistMs: Float64Array; artistFirstStream: Float64Array;
  topAlbumMs: Float64Array; genreMs: Float64Array; featureMs: Float64Array;
  monthPlays: Int32Array; monthTopArtist: Int32Array; topTracks: Int32Array; topTrackStreams: Int32Array; artists: Int32Array;
  artistPlays: Int32Array; artistStreams: Int32Array; topAlbums: Int32Array; topAlbumStreams: Int32Array; genres: Int32Array;
}

/**
 * A summary's 18 arrays as views of one ArrayBuffer: one allocation a user
 * instead of one each (an off-heap typed array costs 0.5–3 µs here), and one
 * buffer for the structured clone to copy when the summary goes back to the
 * coordinator. Doubles first, so every view is aligned.
 */
function summaryArrays(tracks: number, artists: number, albums: number, genres: number, features: number): SummaryArrays {
  const doubles = 12 + 24 + tracks + 2 * artists + albums + genres + features;
  const ints = 12 + 12 + 2 * tracks + 3 * artists + 2 * albums + genres;
  const buf = new ArrayBuffer(8 * doubles + 4 * ints);
  let at = 0;
  const f64 = (n: number): Float64Array => {
    const a = new Float64Array(buf, at, n);
    at += 8 * n;
    return a;
  };
  const i32 = (n: number): Int32Array => {
    const a = new Int32Array(buf, at, n);
    at += 4 * n;
    return a;
  };
  return {
    monthMs: f64(12), hours: f64(24), topTrackMs: f64(tracks), artistMs: f64(artists), artistFirstStream: f64(artists),
    topAlbumMs: f64(albums), genreMs: f64(genres), featureMs: f64(features),
    monthPlays: i32(12), monthTopArtist: i32(12), topTracks: i32(tracks), topTrackStreams: i32(tracks), artists: i32(artists),
    artistPlays: i32(artists), artistStreams: i32(artists), topAlbums: i32(albums), topAlbumStreams: i32(albums), genres: i32(genres),
  };
}

/**
 * Accumulates one user at a time, exactly, and finalizes the SPEC §3 numbers.
 * One instance per worker, reused for every user.
 *
 * Two hot loops run over a range of stored rows in place. `addTrackSorted`
 * takes a user's range of a roll-up, sorted by (track, ts): it finds a track
 * once per run of its plays, dedupes among neighbours, and keeps the run's
 * sums in locals. `addRows` takes ranges in any order (a user's rows spread
 * over day files): filters, exact dedupe — in an input sorted by ts, a row
 * later than every kept row is new, one at the last kept ts is compared with
 * that ts's rows, and only the rest (late uploads, re-sent rows) go through a
 * binary search and an open-addressing table, as every row of a roll-up read
 * here does — then O(1) updates of small dense arrays. Tracks,
 * artists and albums get a user-local index on first touch. In `addRows` a
 * play finds its track's by the code as stored in a small per-user table
 * (`ct`), which is also where alias codes meet their track (through the
 * track's canonical row), so no catalog-sized array is read or written per
 * play; `addTrackSorted` reads the track's catalog row once per run and keeps
 * the local index in it under a per-user stamp. What the catalog
 * says about a code (its track, artist, album, year, features) sits in one
 * row (`codeRow`): the first play of a track reads it (inline, in the loop,
 * for the common case) and finalize reads it once per local track. Local
 * month and hour come from one division and a day → month table. Cells are
 * cleared when a local index is handed out, so a reset walks only the user's
 * artists (to free their catalog-indexed slots).
 */
export class UserAccumulator {
  readonly skips = emptySkips();
  private offsetMs = 0;
  private plays = 0;
  private streams = 0;
  private totalMs = 0;
  private readonly hours = new Float64Array(24);
  private readonly monthPlays = new Int32Array(12);
  private readonly monthMs = new Float64Array(12);
  /** UTC midnight two days before the year: local time − base is never negative. */
  private readonly base: number;
  /** Day since `base` (local) → month 0..11 (a local time before the year is January, after December is December). */
  private readonly monthOfDay: Uint8Array;
  /** Hour since `base` (local) → its month, and its hour of the day (the sorted kernel's per-row lookups). */
  private readonly monthOfHour: Uint8Array;
  private readonly hourOfDay: Uint8Array;
  /**
   * The user's codes (rows of codeRow) → local track (-2: an unknown track), as
   * a small open-addressing table of (stamp, code, local, -) slots sized for the
   * codes this user has played, so the per-play lookup stays in cache where a
   * catalog-sized array would miss. A slot is live when its stamp is `ctGen`.
   * It is also the user's only track → local map: a track is keyed by its
   * canonical row, and an alias code by its own code (same local).
   */
  private ct = new Int32Array(4 * CODE_TABLE_SLOTS);
  /** Slots in use for this user (a power of two; the array may be larger after a heavy user). */
  private ctCap = CODE_TABLE_SLOTS;
  private ctShift = CODE_TABLE_SHIFT;
  private ctGen = 1;
  private nCodes = 0;
  /** The (code, local) pairs in ct, in insertion order: growing rehashes these, not the table. */
  private ctKeys = new Int32Array(512);
  private ctVals = new Int32Array(512);
  /**
   * Per dictionary code, ROW int32s: the track's canonical row (-1: unknown
   * track), catalog track, artist, album, release year, then the quantized
   * features, then the sorted kernel's (stamp, local): the row's local track
   * for the user whose `rowGen` the stamp holds. Rows past the dictionary's
   * codes describe catalog tracks that no code names. A track's canonical row
   * is its first code's (`trackCode`): codes that alias one track share it,
   * so one lookup of it merges them.
   */
  private readonly codeRow: Int32Array;
  private readonly row: number;
  /** Offset of (stamp, local) in a row of codeRow; a stamp is live when it equals `rowGen` (one generation per user). */
  private readonly stampAt: number;
  private rowGen = 0;
  /** Catalog track → a row of codeRow describing it. */
  private readonly trackCode: Int32Array;
  private readonly features: number;
  /** Per local track, its canonical row of codeRow (album, release year and features are read from it at finalize). */
  private lRow = new Int32Array(256);
  // Local tracks (their catalog index, sums and facts), handed out on first touch through ct.
  private nl = 0;
  private lTrack = new Int32Array(256);
  private lPlays = new Int32Array(256);
  private lStreams = new Int32Array(256);
  private lMs = new Float64Array(256);
  private lFirst = new Float64Array(256);
  /** Local artist of a local track, or -1. */
  private lArtist = new Int32Array(256);
  // Local artists, and per (local artist, month) cells at la * 12 + m.
  private readonly artistLocal: Int32Array;
  private na = 0;
  private laArtist = new Int32Array(64);
  /** > 0 when the cell has a counted play (a 0 ms play still makes an artist the month's candidate). */
  private maPlays = new Int32Array(64 * 12);
  private maMs = new Float64Array(64 * 12);
  private maStreams = new Int32Array(64 * 12);
  // Finalize scratch: per local artist, per local album, per genre.
  private aPlays = new Int32Array(64);
  private aStreams = new Int32Array(64);
  private aMs = new Float64Array(64);
  private aFirst = new Float64Array(64);
  private readonly albumLocal: Int32Array;
  private albAlbum = new Int32Array(256);
  private albStreams = new Int32Array(256);
  private albMs = new Float64Array(256);
  /** Finalize's sort keys (`packedKey`): (streams, ms) per local track, (ms, streams) per local album. */
  private lKey = new Float64Array(256);
  private albKey = new Float64Array(256);
  /**
   * Finalize's other scratch, kept between users: an off-heap typed array
   * costs 0.5–3 µs to allocate here, and finalize made ~17 a user (session 17).
   * Local tracks with a stream; local albums; the user's genres; per local
   * artist, its place in top-artist order and that order's sort keys; the
   * features' ms sums; the month's best local artist so far.
   */
  private streamed = new Int32Array(256);
  private albOrder = new Int32Array(256);
  private readonly genreList: Int32Array;
  private aOrder = new Int32Array(64);
  private aKey = new Float64Array(64);
  private readonly featureSums: Float64Array;
  private readonly monthBest = new Int32Array(12);
  private readonly trackTop = new TopKByKey();
  private readonly albumTop = new TopKByKey();
  private readonly gMs: Float64Array;
  private readonly gTouched: Uint8Array;
  // Dedupe: open addressing over this user's kept rows that are not in `ordTs`; a slot is
  // live when stamp === gen. The arrays keep the largest size any user needed, but each
  // user hashes into the first `mask + 1` slots, from USER_TABLE_SLOTS up as its rows
  // need: after a heavy user, a small one still probes a table that fits in cache.
  private slots = new Int32Array(1024);
  private stamps = new Uint32Array(1024);
  private mask = 1023;
  private gen = 1;
  private rowTs = new Float64Array(512);
  private rowCode = new Int32Array(512);
  private rowMs = new Int32Array(512);
  private rows = 0;
  /**
   * `addRows`' kept rows in ts order: in an input sorted by ts, a row later
   * than every row kept so far (most rows: a user's ranges of day files come
   * in arrival order, sorted by ts) can duplicate none of them, so it is
   * appended here with no hashing. The rest — a late upload's rows, earlier
   * than rows already kept, rows past GROUP_SCAN of one ts, and every row of
   * an input in another order — go through the hash table above, after a
   * binary search of this list for their ts. `ordMax` is the latest ts kept
   * (in either); `ordStart` is where this list's rows at that ts begin, or
   * GROUP_SCAN before its end once the table holds a row at that ts (so later
   * rows at it are looked up there too).
   */
  private ordTs = new Float64Array(512);
  private ordCode = new Int32Array(512);
  private ordMs = new Int32Array(512);
  private nOrd = 0;
  private ordStart = 0;
  private ordMax = -Infinity;
  // Sorted dedupe: the (code, ms) of the kept rows that share the current (code, ts).
  private readonly groupCode = new Int32Array(GROUP_SCAN);
  private readonly groupMs = new Int32Array(GROUP_SCAN);
  /** ts of the group the hash table holds, once a group outgrew GROUP_SCAN. */
  private largeGroupTs = NaN;

  constructor(private readonly c: StageCatalog, private readonly w: YearWindow) {
    this.artistLocal = new Int32Array(c.artists).fill(-1);
    this.albumLocal = new Int32Array(c.albums).fill(-1);
    const F = (this.features = c.trackFeatures.length / c.tracks || 0);
    const R = (this.row = 7 + F);
    this.stampAt = 5 + F;
    this.trackCode = new Int32Array(c.tracks).fill(-1);
    const codes = c.resolve.length;
    for (let code = 0; code < codes; code++) {
      const t = c.resolve[code]!;
      if (t >= 0 && this.trackCode[t]! < 0) this.trackCode[t] = code;
    }
    let extra = 0;
    for (let t = 0; t < c.tracks; t++) if (this.trackCode[t]! < 0) this.trackCode[t] = codes + extra++;
    this.codeRow = new Int32Array((codes + extra) * R);
    const fill = (r: number, t: number) => {
      const o = r * R;
      this.codeRow[o] = t < 0 ? -1 : this.trackCode[t]!;
      this.codeRow[o + 1] = t;
      if (t < 0) return;
      this.codeRow[o + 2] = c.trackArtist[t]!;
      this.codeRow[o + 3] = c.trackAlbum[t]!;
      this.codeRow[o + 4] = c.trackYear[t]!;
      for (let k = 0; k < F; k++) this.codeRow[o + 5 + k] = c.trackFeatures[t * F + k]!;
    };
    for (let code = 0; code < codes; code++) fill(code, c.resolve[code]!);
    for (let t = 0; t < c.tracks; t++) if (this.trackCode[t]! >= codes) fill(this.trackCode[t]!, t);
    this.gMs = new Float64Array(c.genres);
    this.gTouched = new Uint8Array(c.genres);
    this.genreList = new Int32Array(c.genres);
    this.featureSums = new Float64Array(F);
    this.base = w.startMs - 2 * DAY_MS;
    const days = Math.max(1, Math.ceil((Math.max(w.freezeMs, w.startMs) - this.base) / DAY_MS) + 3);
    this.monthOfDay = new Uint8Array(days);
    for (let d = 0; d < days; d++) {
      const at = this.base + d * DAY_MS;
      let m = 0;
      while (m < 11 && at >= w.monthStart[m + 1]!) m++;
      this.monthOfDay[d] = m;
    }
    this.monthOfHour = new Uint8Array(24 * days);
    this.hourOfDay = new Uint8Array(24 * days);
    for (let h = 0; h < 24 * days; h++) {
      this.monthOfHour[h] = this.monthOfDay[Math.floor(h / 24)]!;
      this.hourOfDay[h] = h % 24;
    }
    this.settleShape();
  }

  /**
   * Gives this object, before any kernel runs, the hidden class it will have
   * after every kind of user. V8 compiles the kernels against that class: a
   * field first written after construction turns from constant to mutable, and
   * `totalMs` first passing 2^30 (the small-integer range) turns to a double;
   * either change discards the compiled kernels that read the field, to be
   * compiled again. In a stage-1 warm-up that deoptimized `addRows`, `finalize`
   * and three helpers in each worker, each compiled again (`--trace-deopt`;
   * docs/benchmarks.md, session 16). So every field the
   * kernels write is written here once with another value and back (a typed
   * array: a copy of itself), and `totalMs` holds a double from the start.
   */
  private settleShape(): void {
    this.totalMs = 0.5;
    this.totalMs = 0;
    this.largeGroupTs = 0;
    this.largeGroupTs = NaN;
    this.ordMax = 0.5;
    this.ordMax = -Infinity;
    this.nOrd = this.ordStart = 1;
    this.nOrd = this.ordStart = 0;
    this.offsetMs = this.plays = this.streams = this.nl = this.na = this.nCodes = this.rows = this.rowGen = 1;
    this.offsetMs = this.plays = this.streams = this.nl = this.na = this.nCodes = this.rows = this.rowGen = 0;
    this.ctGen = this.gen = 2;
    this.ctGen = this.gen = 1;
    this.ctCap++;
    this.ctCap--;
    this.ctShift++;
    this.ctShift--;
    this.mask++;
    this.mask--;
    this.ct = this.ct.slice();
    this.ctKeys = this.ctKeys.slice();
    this.ctVals = this.ctVals.slice();
    this.lRow = this.lRow.slice();
    this.lTrack = this.lTrack.slice();
    this.lPlays = this.lPlays.slice();
    this.lStreams = this.lStreams.slice();
    this.lMs = this.lMs.slice();
    this.lFirst = this.lFirst.slice();
    this.lArtist = this.lArtist.slice();
    this.laArtist = this.laArtist.slice();
    this.maPlays = this.maPlays.slice();
    this.maMs = this.maMs.slice();
    this.maStreams = this.maStreams.slice();
    this.aPlays = this.aPlays.slice();
    this.aStreams = this.aStreams.slice();
    this.aMs = this.aMs.slice();
    this.aFirst = this.aFirst.slice();
    this.albAlbum = this.albAlbum.slice();
    this.albStreams = this.albStreams.slice();
    this.albMs = this.albMs.slice();
    this.lKey = this.lKey.slice();
    this.albKey = this.albKey.slice();
    this.streamed = this.streamed.slice();
    this.albOrder = this.albOrder.slice();
    this.aOrder = this.aOrder.slice();
    this.aKey = this.aKey.slice();
    this.slots = this.slots.slice();
    this.stamps = this.stamps.slice();
    this.rowTs = this.rowTs.slice();
    this.rowCode = this.rowCode.slice();
    this.rowMs = this.rowMs.slice();
    this.ordTs = this.ordTs.slice();
    this.ordCode = this.ordCode.slice();
    this.ordMs = this.ordMs.slice();
  }

  /** Starts a user with this UTC offset; `maxRows` (a hint) sizes the scratch for the rows to come. */
  begin(offsetMinutes: number, maxRows = 0): void {
    this.offsetMs = offsetMinutes * 60_000;
    this.rows = 0;
    this.largeGroupTs = NaN;
    this.rowGen = (this.rowGen + 1) & 0x3fffffff;
    if (this.rowGen === 0) {
      for (let o = this.stampAt; o < this.codeRow.length; o += this.row) this.codeRow[o] = 0;
      this.rowGen = 1;
    }
    this.nextGen();
    // The table holds only rows out of ts order (few in day files): it starts small, and each
    // range grows it to hold that range's rows if need be (the warm-up's small users grow it).
    this.mask = USER_TABLE_SLOTS - 1;
    this.nOrd = this.ordStart = 0;
    this.ordMax = -Infinity;
    this.reserveOrdered(maxRows);
    this.reserveLocal(Math.min(maxRows, this.c.tracks));
  }

  /** A new stamp generation: every slot is free again. */
  private nextGen(): void {
    this.gen = (this.gen + 1) >>> 0 || 1;
    if (this.gen === 1) this.stamps.fill(0);
  }

  /**
   * Sorted dedupe for a group of more than GROUP_SCAN kept rows with one ts
   * (scanning it would be quadratic): the hash table, emptied, takes the
   * group's rows and answers for the rest of it. True when the row was seen.
   */
  private seenInLargeGroup(ts: number, code: number, ms: number): boolean {
    if (this.largeGroupTs !== ts) {
      this.largeGroupTs = ts;
      this.rows = 0;
      this.nextGen();
      this.mask = 1023;
      for (let g = 0; g < GROUP_SCAN; g++) this.keepRow(ts, this.groupCode[g]!, this.groupMs[g]!);
    }
    let s = slotOf(ts, code, ms) & this.mask;
    while (this.stamps[s] === this.gen) {
      const r = this.slots[s]!;
      if (this.rowTs[r] === ts && this.rowCode[r] === code && this.rowMs[r] === ms) return true;
      s = (s + 1) & this.mask;
    }
    this.keepRow(ts, code, ms);
    return false;
  }

  /** Adds a kept row to the hash table (growing it as needed). */
  private keepRow(ts: number, code: number, ms: number): void {
    this.reserve(this.rows + 1);
    let s = slotOf(ts, code, ms) & this.mask;
    while (this.stamps[s] === this.gen) s = (s + 1) & this.mask;
    const r = this.rows++;
    this.rowTs[r] = ts;
    this.rowCode[r] = code;
    this.rowMs[r] = ms;
    this.stamps[s] = this.gen;
    this.slots[s] = r;
  }

  /** Moves the rows kept so far into a table of `cap` slots. */
  private rehash(cap: number): void {
    if (cap > this.slots.length) {
      this.slots = new Int32Array(cap);
      this.stamps = new Uint32Array(cap);
    }
    this.nextGen();
    this.mask = cap - 1;
    for (let r = 0; r < this.rows; r++) {
      let s = slotOf(this.rowTs[r]!, this.rowCode[r]!, this.rowMs[r]!) & this.mask;
      while (this.stamps[s] === this.gen) s = (s + 1) & this.mask;
      this.stamps[s] = this.gen;
      this.slots[s] = r;
    }
  }

  /** Room for `rows` kept rows in ts order. */
  private reserveOrdered(rows: number): void {
    this.ordTs = atLeast(this.ordTs, rows);
    this.ordCode = atLeast(this.ordCode, rows);
    this.ordMs = atLeast(this.ordMs, rows);
  }

  /**
   * Whether the ts-ordered kept rows (`ordTs`, the first `n`) hold (ts, code,
   * ms): they are sorted by ts, so the rows with its ts are one run, found by
   * binary search.
   */
  private inOrdered(ts: number, code: number, ms: number, n: number): boolean {
    const ordTs = this.ordTs, ordCode = this.ordCode, ordMs = this.ordMs;
    let lo = 0, hi = n;
    while (lo < hi) {
      const mid = (lo + hi) >>> 1;
      if (ordTs[mid]! < ts) lo = mid + 1;
      else hi = mid;
    }
    for (let g = lo; g < n && ordTs[g] === ts; g++) if (ordCode[g] === code && ordMs[g] === ms) return true;
    return false;
  }

  /** Room for `rows` kept rows in the dedupe table. */
  private reserve(rows: number): void {
    let cap = this.mask + 1;
    while (cap < 2 * rows) cap *= 2;
    if (cap > this.mask + 1) this.rehash(cap);
    this.rowTs = atLeast(this.rowTs, rows);
    this.rowCode = atLeast(this.rowCode, rows);
    this.rowMs = atLeast(this.rowMs, rows);
  }

  /**
   * Sizes every per-user scratch array for the largest possible user (every
   * catalog track and code) and touches it once. Fresh memory is slow to touch
   * on these machines, so a worker pays for it while warming up, not in the
   * first task that meets a heavy account (which looked like skew).
   */
  prepareForAnyUser(): void {
    this.reserveLocal(this.c.tracks);
    let cap = this.ct.length >> 2;
    while (cap < 2 * (this.codeRow.length / this.row)) cap *= 2;
    if (cap > this.ct.length >> 2) this.ct = new Int32Array(4 * cap);
    this.ctKeys = atLeast(this.ctKeys, this.codeRow.length / this.row);
    this.ctVals = atLeast(this.ctVals, this.codeRow.length / this.row);
    for (const a of [this.ctKeys, this.ctVals, this.lTrack, this.lPlays, this.lStreams, this.lMs, this.lFirst, this.lArtist, this.lRow, this.albAlbum, this.albStreams, this.albMs, this.lKey, this.albKey, this.streamed, this.albOrder, this.aOrder, this.aKey,
      this.laArtist, this.aPlays, this.aStreams, this.aMs, this.aFirst, this.maPlays, this.maMs, this.maStreams]) a.fill(0);
    this.ct.fill(0);
    this.ctGen = 1;
  }

  private reserveLocal(tracks: number): void {
    if (this.lTrack.length < tracks) {
      this.lTrack = atLeast(this.lTrack, tracks);
      this.lPlays = atLeast(this.lPlays, tracks);
      this.lStreams = atLeast(this.lStreams, tracks);
      this.lMs = atLeast(this.lMs, tracks);
      this.lFirst = atLeast(this.lFirst, tracks);
      this.lArtist = atLeast(this.lArtist, tracks);
      this.lRow = atLeast(this.lRow, tracks);
      this.albAlbum = atLeast(this.albAlbum, tracks);
      this.albStreams = atLeast(this.albStreams, tracks);
      this.albMs = atLeast(this.albMs, tracks);
      this.lKey = atLeast(this.lKey, tracks);
      this.albKey = atLeast(this.albKey, tracks);
      this.streamed = atLeast(this.streamed, tracks);
      this.albOrder = atLeast(this.albOrder, tracks);
    }
    const artists = Math.min(tracks, this.c.artists);
    if (this.laArtist.length < artists) {
      this.laArtist = atLeast(this.laArtist, artists);
      this.aPlays = atLeast(this.aPlays, artists);
      this.aStreams = atLeast(this.aStreams, artists);
      this.aMs = atLeast(this.aMs, artists);
      this.aFirst = atLeast(this.aFirst, artists);
      this.aOrder = atLeast(this.aOrder, artists);
      this.aKey = atLeast(this.aKey, artists);
      this.maPlays = atLeast(this.maPlays, 12 * this.laArtist.length);
      this.maMs = atLeast(this.maMs, 12 * this.laArtist.length);
      this.maStreams = atLeast(this.maStreams, 12 * this.laArtist.length);
    }
  }

  /**
   * Local track of a code this user has not played before (-2: an unknown
   * track): a new local for its track, or the local its track already has
   * under another code (an alias). Remembers the code either way.
   */
  private localCode(code: number): number {
    const canon = this.codeRow[code * this.row]!;
    const l = canon < 0 ? -2 : canon === code ? this.newLocal(canon) : this.localRow(canon);
    this.insertCode(code, l);
    return l;
  }

  /** Local track of codeRow row `r` (a track's canonical row), handed out on first touch. */
  private localRow(r: number): number {
    const ct = this.ct, mask = this.ctCap - 1;
    for (let h = Math.imul(r, CODE_HASH) >>> this.ctShift; ct[h << 2] === this.ctGen; h = (h + 1) & mask) if (ct[(h << 2) + 1] === r) return ct[(h << 2) + 2]!;
    const l = this.newLocal(r);
    this.insertCode(r, l);
    return l;
  }

  /** Remembers code → local for this user, growing the table past half full. */
  private insertCode(code: number, l: number): void {
    if (2 * (this.nCodes + 1) > this.ctCap) this.growCodeTable();
    const n = this.nCodes++;
    this.ctKeys = atLeast(this.ctKeys, n + 1);
    this.ctVals = atLeast(this.ctVals, n + 1);
    this.ctKeys[n] = code;
    this.ctVals[n] = l;
    this.placeCode(code, l);
  }

  private placeCode(code: number, l: number): void {
    const ct = this.ct, mask = this.ctCap - 1;
    let h = Math.imul(code, CODE_HASH) >>> this.ctShift;
    while (ct[h << 2] === this.ctGen) h = (h + 1) & mask;
    ct[h << 2] = this.ctGen;
    ct[(h << 2) + 1] = code;
    ct[(h << 2) + 2] = l;
  }

  /** Doubles the slots in use and places this user's codes again under a new stamp. */
  private growCodeTable(): void {
    this.ctCap *= 2;
    this.ctShift--;
    if (this.ct.length < 4 * this.ctCap) this.ct = new Int32Array(4 * this.ctCap);
    this.nextCodeGen();
    for (let k = 0; k < this.nCodes; k++) this.placeCode(this.ctKeys[k]!, this.ctVals[k]!);
  }

  private nextCodeGen(): void {
    this.ctGen = (this.ctGen + 1) & 0x3fffffff || 1;
    if (this.ctGen === 1) this.ct.fill(0);
  }

  /** A new local track for canonical row `r`, with its artist's local index (its other facts stay in the row: `lRow`). */
  private newLocal(r: number): number {
    const l = this.nl++;
    const o = r * this.row;
    this.lTrack[l] = this.codeRow[o + 1]!;
    this.lPlays[l] = 0;
    this.lStreams[l] = 0;
    this.lMs[l] = 0;
    this.lFirst[l] = Infinity;
    const a = this.codeRow[o + 2]!;
    this.lArtist[l] = a >= 0 ? this.localArtist(a) : -1;
    this.lRow[l] = r;
    return l;
  }

  private localArtist(a: number): number {
    let la = this.artistLocal[a]!;
    if (la >= 0) return la;
    la = this.na++;
    this.artistLocal[a] = la;
    this.laArtist[la] = a;
    for (let k = 12 * la; k < 12 * la + 12; k++) {
      this.maPlays[k] = 0;
      this.maMs[k] = 0;
      this.maStreams[k] = 0;
    }
    return la;
  }

  /**
   * Offers stored rows [start, end) of one input to the current user, in any
   * order. Each row is filtered (window, late arrival, private), deduplicated
   * on (track id as stored, ts, ms_played) among counted rows (rows in ts
   * order need no hashing, see `ordTs`; the others are looked up by binary
   * search and in an open-addressing table), resolved to a catalog
   * track (unknown tracks are counted as skipped after dedupe) and counted.
   * Rows with ts outside [sliceLo, sliceHi) are not this task's (a time slice
   * of a heavy user reading a range that is not in ts order) and are passed
   * over without being counted anywhere. Returns the rows that were this
   * task's (all of them without slice bounds).
   */
  addRows(cols: PlayColumns, start: number, end: number, codes: TrackCodes, sliceLo = -Infinity, sliceHi = Infinity): number {
    // Room for every row of the range in either list, and a new local track for each: nothing grows
    // inside the loop. (The user's local tracks can outnumber the rows of either list alone.)
    this.reserve(this.rows + (end - start));
    this.reserveOrdered(this.nOrd + (end - start));
    this.reserveLocal(Math.min(this.nl + (end - start), this.c.tracks));
    const startMs = this.w.startMs, freezeMs = this.w.freezeMs, cutoffDay = this.w.cutoffDay;
    const tsw = cols.tsWords, trk = cols.track, msCol = cols.ms, arr = cols.arrival, prv = cols.priv, byTs = cols.tsSorted;
    const oCode = codes.overflowCode, oTrack = codes.overflowTrack;
    const slots = this.slots, stamps = this.stamps, gen = this.gen, mask = this.mask;
    const rowTs = this.rowTs, rowCode = this.rowCode, rowMs = this.rowMs;
    const ordTs = this.ordTs, ordCode = this.ordCode, ordMs = this.ordMs;
    let nOrd = this.nOrd, ordStart = this.ordStart, ordMax = this.ordMax;
    // Room for every code of this range (an alias adds two keys) without growing inside the loop.
    const keys = Math.min(this.nCodes + 2 * (end - start), this.codeRow.length / this.row);
    this.ctKeys = atLeast(this.ctKeys, keys);
    this.ctVals = atLeast(this.ctVals, keys);
    let ct = this.ct, ctShift = this.ctShift, ctMask = this.ctCap - 1, ctGen = this.ctGen, ctKeys = this.ctKeys, ctVals = this.ctVals;
    let nl = this.nl, nCodes = this.nCodes;
    const codeRow = this.codeRow, R = this.row, artistLocal = this.artistLocal, lTrack = this.lTrack, lRow = this.lRow;
    const trackCode = this.trackCode, lPlays = this.lPlays, lStreams = this.lStreams, lMs = this.lMs, lFirst = this.lFirst, lArtist = this.lArtist;
    const maPlays = this.maPlays, maMs = this.maMs, maStreams = this.maStreams;
    const hours = this.hours, monthPlays = this.monthPlays, monthMs = this.monthMs, monthOfDay = this.monthOfDay;
    const shift = this.offsetMs - this.base;
    // Local day and hour of the previous counted row: rows of a day file come sorted by ts,
    // so most rows fall in the same hour as the one before. Their hour's and month's sums
    // run in locals and are added to the histograms when the hour (day) changes. Their ms
    // sums start as −0, a double, as addTrackSorted's do (see there).
    let dayLo = 0, dayHi = -1, day = 0, m = 0;
    let hourLo = 0, hourHi = -1, hour = 0, runHourMs = -0, runMonthPlays = 0, runMonthMs = -0;
    let rows = this.rows, plays = this.plays, streams = this.streams, totalMs = this.totalMs;
    let outside = 0, late = 0, priv = 0, dup = 0, unknown = 0, others = 0;
    for (let i = start; i < end; i++) {
      const lo = tsw[2 * i]!;
      const ts = tsw[2 * i + 1]! * 4294967296 + (lo >>> 0);
      if (ts < sliceLo || ts >= sliceHi) {
        others++;
        continue;
      }
      if (ts < startMs || ts >= freezeMs) {
        outside++;
        continue;
      }
      if (arr[i]! >= cutoffDay) {
        late++;
        continue;
      }
      if (prv[i] !== 0) {
        priv++;
        continue;
      }
      const raw = trk[i]!;
      const code = raw >= 0 ? raw : oCode[-raw - 1]!;
      const ms = msCol[i]!;
      // Exact dedupe by (user, track_id, ts, ms_played) among counted rows (see ordTs). In a
      // ts-sorted range, a row later than every kept row is new, and one at the last kept ts
      // is compared with that ts's rows (at most GROUP_SCAN). Any other (a late upload's, a
      // re-sent one, one past a large group, any row of a roll-up range) is looked up in the
      // ordered rows and the table.
      let ordered = true;
      if (byTs && ts > ordMax) {
        ordMax = ts;
        ordStart = nOrd;
      } else if (byTs && ts === ordMax && nOrd - ordStart < GROUP_SCAN) {
        let seen = false;
        for (let g = ordStart; g < nOrd; g++) {
          if (ordCode[g] === code && ordMs[g] === ms) {
            seen = true;
            break;
          }
        }
        if (seen) {
          dup++;
          continue;
        }
      } else {
        let seen = nOrd > 0 && this.inOrdered(ts, code, ms, nOrd);
        let s = slotOf(ts, code, ms) & mask;
        while (!seen && stamps[s] === gen) {
          const r = slots[s]!;
          if (rowTs[r] === ts && rowCode[r] === code && rowMs[r] === ms) seen = true;
          else s = (s + 1) & mask;
        }
        if (seen) {
          dup++;
          continue;
        }
        rowTs[rows] = ts;
        rowCode[rows] = code;
        rowMs[rows] = ms;
        stamps[s] = gen;
        slots[s] = rows++;
        ordered = false;
        // Every kept row stays at or before ordMax; the table now holds one at it, so rows
        // at that ts take this path too (as past a large group).
        if (ts >= ordMax) {
          ordMax = ts;
          ordStart = nOrd - GROUP_SCAN;
        }
      }
      if (ordered) {
        ordTs[nOrd] = ts;
        ordCode[nOrd] = code;
        ordMs[nOrd++] = ms;
      }
      let l: number;
      if (raw >= 0) {
        let h = Math.imul(raw, CODE_HASH) >>> ctShift;
        for (;;) {
          const o = h << 2;
          if (ct[o] !== ctGen) {
            // First play of this code by this user. Common case inline: the code is its
            // track's canonical row and the table has room, so slot h takes it.
            const ro = raw * R;
            if (codeRow[ro] === raw && 2 * (nCodes + 1) <= ctMask + 1) {
              l = nl++;
              lTrack[l] = codeRow[ro + 1]!;
              lPlays[l] = 0;
              lStreams[l] = 0;
              lMs[l] = 0;
              lFirst[l] = Infinity;
              lRow[l] = raw;
              const a = codeRow[ro + 2]!;
              lArtist[l] = a < 0 ? -1 : artistLocal[a]! >= 0 ? artistLocal[a]! : this.localArtist(a);
              ct[o] = ctGen;
              ct[o + 1] = raw;
              ct[o + 2] = l;
              ctKeys[nCodes] = raw;
              ctVals[nCodes++] = l;
              break;
            }
            l = SLOW_PATH;
            break;
          }
          if (ct[o + 1] === raw) {
            l = ct[o + 2]!;
            break;
          }
          h = (h + 1) & ctMask;
        }
      } else l = SLOW_PATH;
      if (l === SLOW_PATH) {
        // An alias, a table to grow, or an overflow id: through the methods, with the loop's state synced.
        this.nl = nl;
        this.nCodes = nCodes;
        if (raw >= 0) l = this.localCode(raw);
        else {
          const t = oTrack[-raw - 1]!;
          l = t < 0 ? -2 : this.localRow(trackCode[t]!);
        }
        nl = this.nl;
        nCodes = this.nCodes;
        ct = this.ct;
        ctShift = this.ctShift;
        ctMask = this.ctCap - 1;
        ctGen = this.ctGen;
        ctKeys = this.ctKeys;
        ctVals = this.ctVals;
      }
      if (l === -2) {
        unknown++;
        continue;
      }
      const stream = ms >= STREAM_MS ? 1 : 0;
      plays++;
      streams += stream;
      totalMs += ms;
      lPlays[l]!++;
      lStreams[l]! += stream;
      lMs[l]! += ms;
      if (stream === 1 && ts < lFirst[l]!) lFirst[l] = ts;
      const x = ts + shift;
      if (x < hourLo || x >= hourHi) {
        hours[hour]! += runHourMs;
        runHourMs = -0;
        if (x < dayLo || x >= dayHi) {
          monthPlays[m]! += runMonthPlays;
          monthMs[m]! += runMonthMs;
          runMonthPlays = 0;
          runMonthMs = -0;
          day = Math.floor(x / DAY_MS);
          dayLo = day * DAY_MS;
          dayHi = dayLo + DAY_MS;
          m = monthOfDay[day]!;
        }
        hour = ((x - dayLo) / HOUR_MS) | 0;
        hourLo = dayLo + hour * HOUR_MS;
        hourHi = hourLo + HOUR_MS;
      }
      runHourMs += ms;
      runMonthPlays++;
      runMonthMs += ms;
      const la = lArtist[l]!;
      if (la >= 0) {
        const k = la * 12 + m;
        maPlays[k]!++;
        maMs[k]! += ms;
        maStreams[k]! += stream;
      }
    }
    hours[hour]! += runHourMs;
    monthPlays[m]! += runMonthPlays;
    monthMs[m]! += runMonthMs;
    this.rows = rows;
    this.nOrd = nOrd;
    this.ordStart = ordStart;
    this.ordMax = ordMax;
    this.nl = nl;
    this.nCodes = nCodes;
    this.plays = plays;
    this.streams = streams;
    this.totalMs = totalMs;
    const sk = this.skips;
    sk.outside_window += outside;
    sk.late_arrival += late;
    sk.private_session += priv;
    sk.duplicate += dup;
    sk.unknown_track += unknown;
    return end - start - others;
  }

  /**
   * Offers one stored range holding the current user's rows sorted by
   * (track code, ts) — a user's range in a roll-up (ROLLUP_SORT_KEYS), or a
   * slice of it cut between (code, ts) groups. Counts exactly what `addRows`
   * counts, with the work per run of one track instead of per row: the local
   * track is found once per run, the track's sums and its first stream run
   * in locals, and the month's (artist, month) sums are added when the month
   * changes (ts ascends inside a run). Exact duplicates share (code, ts, ms),
   * so dedupe compares a row with the kept rows of its (code, ts) group only.
   * A range out of that order is an error: counting it would miss duplicates.
   */
  addTrackSorted(cols: PlayColumns, start: number, end: number, codes: TrackCodes): void {
    this.reserveLocal(Math.min(this.nl + (end - start), this.c.tracks));
    const startMs = this.w.startMs, freezeMs = this.w.freezeMs, cutoffDay = this.w.cutoffDay;
    const tsw = cols.tsWords, trk = cols.track, msCol = cols.ms, arr = cols.arrival, prv = cols.priv;
    const oCode = codes.overflowCode, oTrack = codes.overflowTrack;
    const lPlays = this.lPlays, lStreams = this.lStreams, lMs = this.lMs, lFirst = this.lFirst, lArtist = this.lArtist;
    const maPlays = this.maPlays, maMs = this.maMs, maStreams = this.maStreams;
    const hours = this.hours, monthPlays = this.monthPlays, monthMs = this.monthMs, monthOfHour = this.monthOfHour, hourOfDay = this.hourOfDay;
    const groupCode = this.groupCode, groupMs = this.groupMs;
    const codeRow = this.codeRow, R = this.row, stampAt = this.stampAt, rowGen = this.rowGen, trackCode = this.trackCode;
    const shift = this.offsetMs - this.base;
    // Sums of ms start as doubles: the user's total from its double field, a run's and a month's
    // from −0 (a double; x + −0 is x, and a sum of plays is never −0). A sum that started as a
    // small integer would be compiled as an int32 add and deoptimize the kernel the first time it
    // passed 2^31 — in each worker, at a heavy account (--trace-deopt, docs/benchmarks.md, session 16).
    let plays = 0, streams = 0, totalMs = this.totalMs;
    let outside = 0, late = 0, priv = 0, dup = 0, unknown = 0;
    // The current run: its stored code, local track (-2 unknown) and local artist (-1 none).
    // Its dedupe code (an overflow id's is shared by all partitions).
    let runRaw = 0, runCode = 0, inRun = false, l = -2, la = -1;
    let rPlays = 0, rStreams = 0, rMs = -0, rFirst = Infinity;
    // The current month inside the run, and its sums.
    let m = -1, mPlays = 0, mStreams = 0, mMs = -0;
    // The current (code, ts) group of kept rows.
    let groupTs = -Infinity, groupN = 0;
    for (let i = start; i <= end; i++) {
      let raw = 0, ts = 0, ms = 0;
      if (i < end) {
        ts = tsw[2 * i + 1]! * 4294967296 + (tsw[2 * i]! >>> 0);
        if (ts < startMs || ts >= freezeMs) {
          outside++;
          continue;
        }
        if (arr[i]! >= cutoffDay) {
          late++;
          continue;
        }
        if (prv[i] !== 0) {
          priv++;
          continue;
        }
        raw = trk[i]!;
        ms = msCol[i]!;
      }
      if (i === end || raw !== runRaw || !inRun) {
        // The run ends: its month and its track's sums go to the user.
        if (m >= 0) {
          monthPlays[m]! += mPlays;
          monthMs[m]! += mMs;
          if (la >= 0) {
            const k = la * 12 + m;
            maPlays[k]! += mPlays;
            maMs[k]! += mMs;
            maStreams[k]! += mStreams;
          }
          m = -1;
        }
        if (l >= 0 && rPlays > 0) {
          lPlays[l]! += rPlays;
          lStreams[l]! += rStreams;
          lMs[l]! += rMs;
          if (rFirst < lFirst[l]!) lFirst[l] = rFirst;
          plays += rPlays;
          streams += rStreams;
          totalMs += rMs;
        }
        if (i === end) break;
        if (inRun && raw < runRaw) throw new Error(`expected a user's rows sorted by (track, ts) in a rolled-up bucket, found row ${i} with track code ${raw} after code ${runRaw}`);
        inRun = true;
        runRaw = raw;
        runCode = raw >= 0 ? raw : oCode[-raw - 1]!;
        rPlays = 0;
        rStreams = 0;
        rMs = -0;
        rFirst = Infinity;
        groupTs = -Infinity;
        groupN = 0;
        this.largeGroupTs = NaN;
        // Once per run: the local track, through the stamp in its canonical row (where an alias or
        // an overflow id meets its track): the row the first play reads anyway, no per-user table.
        let canon: number;
        if (raw >= 0) canon = codeRow[raw * R]!;
        else {
          const t = oTrack[-raw - 1]!;
          canon = t < 0 ? -1 : trackCode[t]!;
        }
        if (canon < 0) l = -2;
        else {
          const so = canon * R + stampAt;
          if (codeRow[so] === rowGen) l = codeRow[so + 1]!;
          else {
            l = this.newLocal(canon);
            codeRow[so] = rowGen;
            codeRow[so + 1] = l;
          }
        }
        la = l >= 0 ? lArtist[l]! : -1;
      }
      // Exact dedupe by (user, track_id, ts, ms_played) among counted rows: within the (code, ts) group.
      if (ts !== groupTs) {
        if (ts < groupTs) throw new Error(`expected a user's rows sorted by (track, ts) in a rolled-up bucket, found row ${i} at ts ${ts} after ts ${groupTs}`);
        groupTs = ts;
        groupN = 0;
      }
      if (groupN < GROUP_SCAN) {
        let seen = false;
        for (let g = 0; g < groupN; g++) {
          if (groupMs[g] === ms) {
            seen = true;
            break;
          }
        }
        if (seen) {
          dup++;
          continue;
        }
        groupCode[groupN] = runCode;
        groupMs[groupN++] = ms;
      } else if (this.seenInLargeGroup(ts, runCode, ms)) {
        dup++;
        continue;
      }
      if (l < 0) {
        unknown++;
        continue;
      }
      const stream = ms >= STREAM_MS ? 1 : 0;
      rPlays++;
      rStreams += stream;
      rMs += ms;
      if (stream === 1 && rFirst === Infinity) rFirst = ts;
      const h = Math.floor((ts + shift) / HOUR_MS);
      hours[hourOfDay[h]!]! += ms;
      const hm = monthOfHour[h]!;
      if (hm !== m) {
        if (m >= 0) {
          monthPlays[m]! += mPlays;
          monthMs[m]! += mMs;
          if (la >= 0) {
            const k = la * 12 + m;
            maPlays[k]! += mPlays;
            maMs[k]! += mMs;
            maStreams[k]! += mStreams;
          }
        }
        m = hm;
        mPlays = 0;
        mStreams = 0;
        mMs = -0;
      }
      mPlays++;
      mStreams += stream;
      mMs += ms;
    }
    this.plays += plays;
    this.streams += streams;
    this.totalMs = totalMs;
    const sk = this.skips;
    sk.outside_window += outside;
    sk.late_arrival += late;
    sk.private_session += priv;
    sk.duplicate += dup;
    sk.unknown_track += unknown;
  }

  /** Adds a partial aggregate (from a time slice of a heavy user) to the current user. */
  addPartial(p: UserPartial): void {
    this.reserveLocal(this.nl + p.tracks.length);
    this.plays += p.plays;
    this.streams += p.streams;
    this.totalMs += p.totalMs;
    for (let h = 0; h < 24; h++) this.hours[h]! += p.hours[h]!;
    for (let m = 0; m < 12; m++) {
      this.monthPlays[m]! += p.monthPlays[m]!;
      this.monthMs[m]! += p.monthMs[m]!;
    }
    for (let i = 0; i < p.tracks.length; i++) {
      const l = this.localRow(this.trackCode[p.tracks[i]!]!);
      this.lPlays[l]! += p.trackPlays[i]!;
      this.lStreams[l]! += p.trackStreams[i]!;
      this.lMs[l]! += p.trackMs[i]!;
      if (p.trackFirstStream[i]! < this.lFirst[l]!) this.lFirst[l] = p.trackFirstStream[i]!;
    }
    const A = this.c.artists;
    for (let i = 0; i < p.monthArtist.length; i++) {
      const m = Math.floor(p.monthArtist[i]! / A);
      const k = this.localArtist(p.monthArtist[i]! - m * A) * 12 + m;
      this.maPlays[k]!++;
      this.maMs[k]! += p.monthArtistMs[i]!;
      this.maStreams[k]! += p.monthArtistStreams[i]!;
    }
  }

  /** The current user's partial aggregate; then resets for the next user. */
  takePartial(): UserPartial {
    const nl = this.nl;
    const monthArtist: number[] = [];
    const monthArtistMs: number[] = [];
    const monthArtistStreams: number[] = [];
    for (let la = 0; la < this.na; la++) {
      for (let m = 0; m < 12; m++) {
        const k = la * 12 + m;
        if (this.maPlays[k] === 0) continue;
        monthArtist.push(m * this.c.artists + this.laArtist[la]!);
        monthArtistMs.push(this.maMs[k]!);
        monthArtistStreams.push(this.maStreams[k]!);
      }
    }
    const p: UserPartial = {
      plays: this.plays, streams: this.streams, totalMs: this.totalMs,
      hours: this.hours.slice(), monthPlays: this.monthPlays.slice(), monthMs: this.monthMs.slice(),
      tracks: this.lTrack.slice(0, nl),
      trackPlays: this.lPlays.slice(0, nl),
      trackStreams: this.lStreams.slice(0, nl),
      trackMs: this.lMs.slice(0, nl),
      trackFirstStream: this.lFirst.slice(0, nl),
      monthArtist: Int32Array.from(monthArtist),
      monthArtistMs: Float64Array.from(monthArtistMs),
      monthArtistStreams: Int32Array.from(monthArtistStreams),
    };
    this.reset();
    return p;
  }

  /** True when the current user has at least one counted play (else no document at all). */
  get hasPlays(): boolean {
    return this.plays > 0;
  }

  /** Finalizes the current user's SPEC §3 numbers; then resets for the next user. */
  finalize(): UserSummary {
    const c = this.c;
    // Every catalog array finalize reads, read here once: the tie-breaks below run only on
    // exact ties, and a property read the optimizer has never seen executed sends the whole
    // call back to the interpreter each time it is reached (measured: hundreds of times a run).
    const trackIdRank = c.trackIdRank, artistIdRank = c.artistIdRank, albumIdRank = c.albumIdRank, genreNameRank = c.genreNameRank, artistGenre = c.artistGenre;
    const gTouched = this.gTouched, gMs = this.gMs, laArtist = this.laArtist;
    const nl = this.nl, na = this.na;
    const lTrack = this.lTrack, lPlays = this.lPlays, lStreams = this.lStreams, lMs = this.lMs, lFirst = this.lFirst, lArtist = this.lArtist;
    const aPlays = this.aPlays, aStreams = this.aStreams, aMs = this.aMs, aFirst = this.aFirst;
    aPlays.fill(0, 0, na);
    aStreams.fill(0, 0, na);
    aMs.fill(0, 0, na);
    aFirst.fill(Infinity, 0, na);
    const F = this.features, R = this.row, codeRow = this.codeRow, lRow = this.lRow;
    let datedMs = 0, yearMs = 0, timelessMs = 0, featuredMs = 0;
    const featureMs = this.featureSums.fill(0);
    const albumLocal = this.albumLocal, albAlbum = this.albAlbum, albStreams = this.albStreams, albMs = this.albMs;
    let nAlbums = 0;
    const withStream = this.streamed;
    let nStreamed = 0;
    const lKey = this.lKey, albKey = this.albKey;
    let packed = true;
    const timelessYear = this.w.year - 10;
    for (let l = 0; l < nl; l++) {
      const o = lRow[l]! * R;
      const ms = lMs[l]!;
      if (lStreams[l]! > 0) {
        withStream[nStreamed++] = l;
        const k = packedKey(lStreams[l]!, ms, TRACK_KEY_SCALE);
        if (k < 0) packed = false;
        lKey[l] = k;
      }
      const y = codeRow[o + 4]!;
      if (y > 0) {
        datedMs += ms;
        yearMs += ms * y;
        if (y <= timelessYear) timelessMs += ms;
      }
      if (F > 0 && codeRow[o + 5]! >= 0) {
        featuredMs += ms;
        for (let k = 0; k < F; k++) featureMs[k]! += ms * codeRow[o + 5 + k]!;
      }
      const la = lArtist[l]!;
      if (la >= 0) {
        aPlays[la]! += lPlays[l]!;
        aStreams[la]! += lStreams[l]!;
        aMs[la]! += ms;
        if (lFirst[l]! < aFirst[la]!) aFirst[la] = lFirst[l]!;
      }
      const al = codeRow[o + 3]!;
      if (al >= 0) {
        let b = albumLocal[al]!;
        if (b < 0) {
          b = albumLocal[al] = nAlbums++;
          albAlbum[b] = al;
          albStreams[b] = 0;
          albMs[b] = 0;
        }
        albStreams[b]! += lStreams[l]!;
        albMs[b]! += ms;
      }
    }
    const genres = this.genreList;
    let nGenres = 0;
    let streamedArtists = 0;
    for (let la = 0; la < na; la++) {
      if (aStreams[la]! > 0) streamedArtists++;
      const g = artistGenre[laArtist[la]!]!;
      if (g < 0) continue;
      if (gTouched[g] === 0) {
        gTouched[g] = 1;
        genres[nGenres++] = g;
      }
      gMs[g]! += aMs[la]!;
    }
    // Top tracks: at least one stream; streams desc, ms desc, track_id asc.
    // With every (streams, ms) packed into one double, a selection on those keys; ties (equal keys) by track_id.
    const top = packed
      ? this.trackTop.select(withStream, nStreamed, TOP_TRACKS, lKey, (x, y) => trackIdRank[lTrack[x]!]! - trackIdRank[lTrack[y]!]!)
      : topK(withStream, nStreamed, TOP_TRACKS, (x, y) => lStreams[y]! - lStreams[x]! || lMs[y]! - lMs[x]! || trackIdRank[lTrack[x]!]! - trackIdRank[lTrack[y]!]!);
    // Artists: ms desc, streams desc, artist_id asc (all of them, in order).
    const artistOrder = artistOrderOf(na, aMs, aStreams, laArtist, artistIdRank, this.aOrder, this.aKey);
    // Albums: ms desc, streams desc, album_id asc; packed as (ms, streams) the same way when exact.
    const albumOrder = this.albOrder;
    let albumsPacked = true;
    for (let b = 0; b < nAlbums; b++) {
      albumOrder[b] = b;
      const k = packedKey(albMs[b]!, albStreams[b]!, ALBUM_KEY_SCALE);
      if (k < 0) albumsPacked = false;
      albKey[b] = k;
    }
    const albumTie = (x: number, y: number) => albumIdRank[albAlbum[x]!]! - albumIdRank[albAlbum[y]!]!;
    const topAlbums = albumsPacked
      ? this.albumTop.select(albumOrder, nAlbums, TOP_ALBUMS, albKey, albumTie)
      : topK(albumOrder, nAlbums, TOP_ALBUMS, (x, y) => albMs[y]! - albMs[x]! || albStreams[y]! - albStreams[x]! || albumTie(x, y));
    // Genres: ms desc, then name asc. A user has a few dozen at most: insertion sort, in place.
    for (let i = 1; i < nGenres; i++) {
      const g = genres[i]!;
      let j = i - 1;
      while (j >= 0 && (gMs[genres[j]!]! < gMs[g]! || (gMs[genres[j]!] === gMs[g] && genreNameRank[genres[j]!]! > genreNameRank[g]!))) {
        genres[j + 1] = genres[j]!;
        j--;
      }
      genres[j + 1] = g;
    }
    const genreOrder = genres.subarray(0, nGenres);
    // Month top artist: same order as top artists, over that month's plays.
    const out = summaryArrays(top.length, na, topAlbums.length, nGenres, F);
    const monthTop = out.monthTopArtist;
    const best = this.monthBest;
    for (let m = 0; m < 12; m++) monthTop[m] = best[m] = -1;
    const maPlays = this.maPlays, maMs = this.maMs, maStreams = this.maStreams;
    for (let la = 0; la < na; la++) {
      for (let m = 0; m < 12; m++) {
        const k = la * 12 + m;
        if (maPlays[k] === 0) continue;
        const b = best[m]!;
        if (b >= 0) {
          const kb = b * 12 + m;
          const better = maMs[k]! - maMs[kb]! || maStreams[k]! - maStreams[kb]! || artistIdRank[laArtist[b]!]! - artistIdRank[laArtist[la]!]!;
          if (better <= 0) continue;
        }
        best[m] = la;
        monthTop[m] = laArtist[la]!;
      }
    }
    // Same-length arrays copied whole into the summary's buffer.
    out.monthPlays.set(this.monthPlays);
    out.monthMs.set(this.monthMs);
    out.hours.set(this.hours);
    out.genres.set(genreOrder);
    out.featureMs.set(featureMs);
    const s: UserSummary = {
      plays: this.plays, streams: this.streams, totalMs: this.totalMs,
      uniqueTracks: nl, uniqueArtists: na, genreCount: nGenres,
      eligible: this.streams >= 30 && streamedArtists >= 5,
      monthPlays: out.monthPlays, monthMs: out.monthMs, monthTopArtist: monthTop, hours: out.hours,
      topTracks: pick(out.topTracks, top, lTrack),
      topTrackStreams: pick(out.topTrackStreams, top, lStreams),
      topTrackMs: pick(out.topTrackMs, top, lMs),
      artists: pick(out.artists, artistOrder, laArtist),
      artistPlays: pick(out.artistPlays, artistOrder, aPlays),
      artistStreams: pick(out.artistStreams, artistOrder, aStreams),
      artistMs: pick(out.artistMs, artistOrder, aMs),
      artistFirstStream: pick(out.artistFirstStream, artistOrder, aFirst),
      topAlbums: pick(out.topAlbums, topAlbums, albAlbum),
      topAlbumStreams: pick(out.topAlbumStreams, topAlbums, albStreams),
      topAlbumMs: pick(out.topAlbumMs, topAlbums, albMs),
      genres: out.genres,
      genreMs: pick(out.genreMs, genreOrder, gMs),
      datedMs, yearMs, timelessMs, featuredMs, featureMs: out.featureMs,
    };
    for (let b = 0; b < nAlbums; b++) albumLocal[albAlbum[b]!] = -1;
    for (let i = 0; i < nGenres; i++) {
      gMs[genres[i]!] = 0;
      gTouched[genres[i]!] = 0;
    }
    this.reset();
    return s;
  }

  private reset(): void {
    this.nCodes = 0;
    this.ctCap = CODE_TABLE_SLOTS;
    this.ctShift = CODE_TABLE_SHIFT;
    this.nextCodeGen();
    for (let la = 0; la < this.na; la++) this.artistLocal[this.laArtist[la]!] = -1;
    this.nl = 0;
    this.na = 0;
    this.plays = 0;
    this.streams = 0;
    this.totalMs = 0;
    this.hours.fill(0);
    this.monthPlays.fill(0);
    this.monthMs.fill(0);
  }
}

/**
 * Local artists in top-artist order (ms desc, streams desc, artist_id asc).
 * A user has hundreds of artists: a comparator sort costs more than the rest
 * of finalize, so the order comes from a native sort of packed (ms, index)
 * keys, and only runs of equal ms (rare) are sorted by the full order. Falls
 * back to the comparator sort when the keys would not pack exactly. The order
 * and the keys are views of the scratch given (na long at least).
 */
function artistOrderOf(na: number, aMs: Float64Array, aStreams: Int32Array, laArtist: Int32Array, idRank: Int32Array, orderScratch: Int32Array, keyScratch: Float64Array): Int32Array {
  const order = orderScratch.subarray(0, na);
  const before = (x: number, y: number) => aMs[y]! - aMs[x]! || aStreams[y]! - aStreams[x]! || idRank[laArtist[x]!]! - idRank[laArtist[y]!]!;
  const MS_LIMIT = 2 ** 36;
  let maxMs = 0;
  for (let la = 0; la < na; la++) if (aMs[la]! > maxMs) maxMs = aMs[la]!;
  if (na >= 65536 || maxMs >= MS_LIMIT) {
    for (let la = 0; la < na; la++) order[la] = la;
    return order.sort(before);
  }
  const keys = keyScratch.subarray(0, na);
  for (let la = 0; la < na; la++) keys[la] = (MS_LIMIT - 1 - aMs[la]!) * 65536 + la;
  keys.sort();
  // The index is the key's low 16 bits. Not `% 65536`: on a double that is a call to fmod,
  // which took most of this function's time; this is exact (the key and its parts are below 2^53).
  for (let i = 0; i < na; i++) order[i] = keys[i]! - Math.floor(keys[i]! / 65536) * 65536;
  for (let i = 0; i < na; ) {
    let j = i + 1;
    while (j < na && aMs[order[j]!] === aMs[order[i]!]) j++;
    if (j - i > 1) order.subarray(i, j).sort(before);
    i = j;
  }
  return order;
}

/**
 * The pair (hi, lo) of non-negative integers (counts, and sums of int32 ms)
 * as one double that orders as the pair does: hi · scale + lo, or -1 when that
 * would not be exact (lo ≥ scale, or past 2^53). Top tracks pack (streams, ms)
 * with scale 2^36 (ms up to 2 years; streams up to 2^17), top albums
 * (ms, streams) with scale 2^17; a user past either falls back to comparisons.
 */
function packedKey(hi: number, lo: number, scale: number): number {
  return hi >= 0 && lo >= 0 && lo < scale && hi < 2 ** 53 / scale ? hi * scale + lo : -1;
}

const TRACK_KEY_SCALE = 2 ** 36;
const ALBUM_KEY_SCALE = 2 ** 17;

/** Slot hash of a dedupe tuple: the low word of ts (nearly all the entropy within a user), the code and ms, mixed (murmur3's finalizer). */
function slotOf(ts: number, code: number, ms: number): number {
  let h = (ts | 0) ^ Math.imul(code, 0x9e3779b1) ^ Math.imul(ms, 0x27d4eb2f);
  h = Math.imul(h ^ (h >>> 16), 0x85ebca6b);
  h = Math.imul(h ^ (h >>> 13), 0xc2b2ae35);
  return (h ^ (h >>> 16)) >>> 0;
}
