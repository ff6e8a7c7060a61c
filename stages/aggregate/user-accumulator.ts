import type { StageCatalog } from './catalog.ts';
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

/** Hash of the duplicate tuple (track code, ts, ms), for the dedupe table. */
export function tupleHash(ts: number, code: number, ms: number): number {
  const hi = Math.floor(ts / 4294967296);
  let h = Math.imul((ts - hi * 4294967296) ^ 0x9e3779b9, 0x85ebca6b);
  h = Math.imul((h ^ (h >>> 13)) ^ hi, 0xc2b2ae35);
  h = Math.imul((h ^ (h >>> 16)) ^ code, 0x27d4eb2f);
  h = Math.imul((h ^ (h >>> 15)) ^ ms, 0x165667b1);
  return (h ^ (h >>> 16)) >>> 0;
}

class GrowInt {
  a = new Int32Array(256);
  n = 0;
  push(x: number): void {
    if (this.n === this.a.length) {
      const b = new Int32Array(this.a.length * 2);
      b.set(this.a);
      this.a = b;
    }
    this.a[this.n++] = x;
  }
}

/**
 * Accumulates one user at a time over dense scratch arrays indexed by catalog
 * index (O(1) per play, no Map, no per-play object), then finalizes the SPEC
 * §3 numbers. One instance per worker; reset between users by walking the
 * touched lists, never by clearing the whole scratch.
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
  private readonly tPlays: Int32Array;
  private readonly tStreams: Int32Array;
  private readonly tMs: Float64Array;
  private readonly tFirst: Float64Array;
  private readonly touchedTracks = new GrowInt();
  private readonly maMs: Float64Array;
  private readonly maStreams: Int32Array;
  /** 1 for (month, artist) cells in touchedMA: a cell can be touched by a 0 ms play. */
  private readonly maTouched: Uint8Array;
  private readonly touchedMA = new GrowInt();
  // Finalize scratch.
  private readonly aPlays: Int32Array;
  private readonly aStreams: Int32Array;
  private readonly aMs: Float64Array;
  private readonly aFirst: Float64Array;
  private readonly albStreams: Int32Array;
  private readonly albMs: Float64Array;
  private readonly albTouched: Uint8Array;
  private readonly gMs: Float64Array;
  private readonly gTouched: Uint8Array;
  // Dedupe: open addressing over this user's kept rows; a slot is live when stamp === gen.
  private slots = new Int32Array(1024);
  private stamps = new Uint32Array(1024);
  private gen = 1;
  private rowTs = new Float64Array(512);
  private rowCode = new Int32Array(512);
  private rowMs = new Int32Array(512);
  private rows = 0;

  constructor(private readonly c: StageCatalog, private readonly w: YearWindow) {
    this.tPlays = new Int32Array(c.tracks);
    this.tStreams = new Int32Array(c.tracks);
    this.tMs = new Float64Array(c.tracks);
    this.tFirst = new Float64Array(c.tracks).fill(Infinity);
    this.maMs = new Float64Array(12 * c.artists);
    this.maStreams = new Int32Array(12 * c.artists);
    this.maTouched = new Uint8Array(12 * c.artists);
    this.albTouched = new Uint8Array(c.albums);
    this.gTouched = new Uint8Array(c.genres);
    this.aPlays = new Int32Array(c.artists);
    this.aStreams = new Int32Array(c.artists);
    this.aMs = new Float64Array(c.artists);
    this.aFirst = new Float64Array(c.artists).fill(Infinity);
    this.albStreams = new Int32Array(c.albums);
    this.albMs = new Float64Array(c.albums);
    this.gMs = new Float64Array(c.genres);
  }

  /** Starts a user with this UTC offset; `maxRows` bounds the rows that will be offered. */
  begin(offsetMinutes: number, maxRows: number): void {
    this.offsetMs = offsetMinutes * 60_000;
    this.rows = 0;
    this.gen = (this.gen + 1) >>> 0 || 1;
    if (this.gen === 1) this.stamps.fill(0);
    let cap = this.slots.length;
    while (cap < 2 * maxRows) cap *= 2;
    if (cap > this.slots.length) {
      this.slots = new Int32Array(cap);
      this.stamps = new Uint32Array(cap);
    }
    if (this.rowTs.length < maxRows) {
      this.rowTs = new Float64Array(maxRows);
      this.rowCode = new Int32Array(maxRows);
      this.rowMs = new Int32Array(maxRows);
    }
  }

  /**
   * Offers one stored row. `code` is the raw track code (the dedupe key uses the
   * id as stored), `track` its resolved catalog index or -1.
   */
  add(ts: number, code: number, track: number, ms: number, arrivalDay: number, priv: number): void {
    const w = this.w;
    if (ts < w.startMs || ts >= w.freezeMs) {
      this.skips.outside_window++;
      return;
    }
    if (arrivalDay >= w.cutoffDay) {
      this.skips.late_arrival++;
      return;
    }
    if (priv !== 0) {
      this.skips.private_session++;
      return;
    }
    // Exact dedupe by (user, track_id, ts, ms_played) among counted rows.
    const mask = this.slots.length - 1;
    let s = tupleHash(ts, code, ms) & mask;
    for (;;) {
      if (this.stamps[s] !== this.gen) break;
      const r = this.slots[s]!;
      if (this.rowTs[r] === ts && this.rowCode[r] === code && this.rowMs[r] === ms) {
        this.skips.duplicate++;
        return;
      }
      s = (s + 1) & mask;
    }
    const r = this.rows++;
    this.rowTs[r] = ts;
    this.rowCode[r] = code;
    this.rowMs[r] = ms;
    this.stamps[s] = this.gen;
    this.slots[s] = r;
    if (track < 0) {
      this.skips.unknown_track++;
      return;
    }
    this.count(ts, track, ms);
  }

  private count(ts: number, t: number, ms: number): void {
    const stream = ms >= STREAM_MS ? 1 : 0;
    this.plays++;
    this.streams += stream;
    this.totalMs += ms;
    if (this.tPlays[t] === 0) this.touchedTracks.push(t);
    this.tPlays[t]!++;
    this.tStreams[t]! += stream;
    this.tMs[t]! += ms;
    if (stream && ts < this.tFirst[t]!) this.tFirst[t] = ts;
    const local = ts + this.offsetMs;
    const ms0 = this.w.monthStart;
    let m = 0;
    while (m < 11 && local >= ms0[m + 1]!) m++;
    this.monthPlays[m]!++;
    this.monthMs[m]! += ms;
    const h = ((Math.floor(local / 3_600_000) % 24) + 24) % 24;
    this.hours[h]! += ms;
    const a = this.c.trackArtist[t]!;
    if (a >= 0) {
      const k = m * this.c.artists + a;
      if (this.maTouched[k] === 0) {
        this.maTouched[k] = 1;
        this.touchedMA.push(k);
      }
      this.maMs[k]! += ms;
      this.maStreams[k]! += stream;
    }
  }

  /** Adds a partial aggregate (from a time slice of a heavy user) to the current user. */
  addPartial(p: UserPartial): void {
    this.plays += p.plays;
    this.streams += p.streams;
    this.totalMs += p.totalMs;
    for (let h = 0; h < 24; h++) this.hours[h]! += p.hours[h]!;
    for (let m = 0; m < 12; m++) {
      this.monthPlays[m]! += p.monthPlays[m]!;
      this.monthMs[m]! += p.monthMs[m]!;
    }
    for (let i = 0; i < p.tracks.length; i++) {
      const t = p.tracks[i]!;
      if (this.tPlays[t] === 0) this.touchedTracks.push(t);
      this.tPlays[t]! += p.trackPlays[i]!;
      this.tStreams[t]! += p.trackStreams[i]!;
      this.tMs[t]! += p.trackMs[i]!;
      if (p.trackFirstStream[i]! < this.tFirst[t]!) this.tFirst[t] = p.trackFirstStream[i]!;
    }
    for (let i = 0; i < p.monthArtist.length; i++) {
      const k = p.monthArtist[i]!;
      if (this.maTouched[k] === 0) {
        this.maTouched[k] = 1;
        this.touchedMA.push(k);
      }
      this.maMs[k]! += p.monthArtistMs[i]!;
      this.maStreams[k]! += p.monthArtistStreams[i]!;
    }
  }

  /** The current user's partial aggregate; then resets for the next user. */
  takePartial(): UserPartial {
    const nt = this.touchedTracks.n;
    const tracks = this.touchedTracks.a.slice(0, nt);
    const nm = this.touchedMA.n;
    const monthArtist = this.touchedMA.a.slice(0, nm);
    const p: UserPartial = {
      plays: this.plays, streams: this.streams, totalMs: this.totalMs,
      hours: this.hours.slice(), monthPlays: this.monthPlays.slice(), monthMs: this.monthMs.slice(),
      tracks,
      trackPlays: Int32Array.from(tracks, (t) => this.tPlays[t]!),
      trackStreams: Int32Array.from(tracks, (t) => this.tStreams[t]!),
      trackMs: Float64Array.from(tracks, (t) => this.tMs[t]!),
      trackFirstStream: Float64Array.from(tracks, (t) => this.tFirst[t]!),
      monthArtist,
      monthArtistMs: Float64Array.from(monthArtist, (k) => this.maMs[k]!),
      monthArtistStreams: Int32Array.from(monthArtist, (k) => this.maStreams[k]!),
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
    const nt = this.touchedTracks.n;
    const tt = this.touchedTracks.a;
    const F = c.trackFeatures.length / c.tracks || 0;
    let datedMs = 0, yearMs = 0, timelessMs = 0, featuredMs = 0;
    const featureMs = new Float64Array(F);
    const artists = new GrowInt();
    const albums = new GrowInt();
    const genres = new GrowInt();
    for (let i = 0; i < nt; i++) {
      const t = tt[i]!;
      const ms = this.tMs[t]!;
      const y = c.trackYear[t]!;
      if (y > 0) {
        datedMs += ms;
        yearMs += ms * y;
        if (y <= this.w.year - 10) timelessMs += ms;
      }
      if (F > 0 && c.trackFeatures[t * F]! >= 0) {
        featuredMs += ms;
        for (let k = 0; k < F; k++) featureMs[k]! += ms * c.trackFeatures[t * F + k]!;
      }
      const a = c.trackArtist[t]!;
      if (a >= 0) {
        if (this.aPlays[a] === 0) artists.push(a);
        this.aPlays[a]! += this.tPlays[t]!;
        this.aStreams[a]! += this.tStreams[t]!;
        this.aMs[a]! += this.tMs[t]!;
        if (this.tFirst[t]! < this.aFirst[a]!) this.aFirst[a] = this.tFirst[t]!;
        const g = c.artistGenre[a]!;
        if (g >= 0) {
          if (this.gTouched[g] === 0) {
            this.gTouched[g] = 1;
            genres.push(g);
          }
          this.gMs[g]! += this.tMs[t]!;
        }
      }
      const al = c.trackAlbum[t]!;
      if (al >= 0) {
        if (this.albTouched[al] === 0) {
          this.albTouched[al] = 1;
          albums.push(al);
        }
        this.albStreams[al]! += this.tStreams[t]!;
        this.albMs[al]! += this.tMs[t]!;
      }
    }
    // Top tracks: at least one stream; streams desc, ms desc, track_id asc.
    const withStream = Array.from(tt.subarray(0, nt)).filter((t) => this.tStreams[t]! > 0);
    withStream.sort((x, y) => this.tStreams[y]! - this.tStreams[x]! || this.tMs[y]! - this.tMs[x]! || c.trackIdRank[x]! - c.trackIdRank[y]!);
    const top = Int32Array.from(withStream.slice(0, TOP_TRACKS));
    // Artists: ms desc, streams desc, artist_id asc.
    const byArtist = (x: number, y: number) => this.aMs[y]! - this.aMs[x]! || this.aStreams[y]! - this.aStreams[x]! || c.artistIdRank[x]! - c.artistIdRank[y]!;
    const artistOrder = Int32Array.from(artists.a.subarray(0, artists.n)).sort(byArtist);
    const albumOrder = Int32Array.from(albums.a.subarray(0, albums.n)).sort(
      (x, y) => this.albMs[y]! - this.albMs[x]! || this.albStreams[y]! - this.albStreams[x]! || c.albumIdRank[x]! - c.albumIdRank[y]!);
    const genreOrder = Int32Array.from(genres.a.subarray(0, genres.n)).sort((x, y) => this.gMs[y]! - this.gMs[x]! || c.genreNameRank[x]! - c.genreNameRank[y]!);
    // Month top artist: same order as top artists, over that month's plays.
    const monthTop = new Int32Array(12).fill(-1);
    const A = c.artists;
    for (let i = 0; i < this.touchedMA.n; i++) {
      const k = this.touchedMA.a[i]!;
      const m = Math.floor(k / A);
      const a = k - m * A;
      const b = monthTop[m]!;
      if (b < 0) {
        monthTop[m] = a;
        continue;
      }
      const kb = m * A + b;
      const better = this.maMs[k]! - this.maMs[kb]! || this.maStreams[k]! - this.maStreams[kb]! || c.artistIdRank[b]! - c.artistIdRank[a]!;
      if (better > 0) monthTop[m] = a;
    }
    let streamedArtists = 0;
    for (let i = 0; i < artists.n; i++) if (this.aStreams[artists.a[i]!]! > 0) streamedArtists++;
    const s: UserSummary = {
      plays: this.plays, streams: this.streams, totalMs: this.totalMs,
      uniqueTracks: nt, uniqueArtists: artists.n, genreCount: genres.n,
      eligible: this.streams >= 30 && streamedArtists >= 5,
      monthPlays: this.monthPlays.slice(), monthMs: this.monthMs.slice(), monthTopArtist: monthTop, hours: this.hours.slice(),
      topTracks: top,
      topTrackStreams: Int32Array.from(top, (t) => this.tStreams[t]!),
      topTrackMs: Float64Array.from(top, (t) => this.tMs[t]!),
      artists: artistOrder,
      artistPlays: Int32Array.from(artistOrder, (a) => this.aPlays[a]!),
      artistStreams: Int32Array.from(artistOrder, (a) => this.aStreams[a]!),
      artistMs: Float64Array.from(artistOrder, (a) => this.aMs[a]!),
      artistFirstStream: Float64Array.from(artistOrder, (a) => this.aFirst[a]!),
      topAlbums: albumOrder.slice(0, TOP_ALBUMS),
      topAlbumStreams: Int32Array.from(albumOrder.slice(0, TOP_ALBUMS), (a) => this.albStreams[a]!),
      topAlbumMs: Float64Array.from(albumOrder.slice(0, TOP_ALBUMS), (a) => this.albMs[a]!),
      genres: genreOrder,
      genreMs: Float64Array.from(genreOrder, (g) => this.gMs[g]!),
      datedMs, yearMs, timelessMs, featuredMs, featureMs,
    };
    for (let i = 0; i < artists.n; i++) {
      const a = artists.a[i]!;
      this.aPlays[a] = 0;
      this.aStreams[a] = 0;
      this.aMs[a] = 0;
      this.aFirst[a] = Infinity;
    }
    for (let i = 0; i < albums.n; i++) {
      this.albStreams[albums.a[i]!] = 0;
      this.albMs[albums.a[i]!] = 0;
      this.albTouched[albums.a[i]!] = 0;
    }
    for (let i = 0; i < genres.n; i++) {
      this.gMs[genres.a[i]!] = 0;
      this.gTouched[genres.a[i]!] = 0;
    }
    this.reset();
    return s;
  }

  private reset(): void {
    for (let i = 0; i < this.touchedTracks.n; i++) {
      const t = this.touchedTracks.a[i]!;
      this.tPlays[t] = 0;
      this.tStreams[t] = 0;
      this.tMs[t] = 0;
      this.tFirst[t] = Infinity;
    }
    this.touchedTracks.n = 0;
    for (let i = 0; i < this.touchedMA.n; i++) {
      const k = this.touchedMA.a[i]!;
      this.maMs[k] = 0;
      this.maStreams[k] = 0;
      this.maTouched[k] = 0;
    }
    this.touchedMA.n = 0;
    this.plays = 0;
    this.streams = 0;
    this.totalMs = 0;
    this.hours.fill(0);
    this.monthPlays.fill(0);
    this.monthMs.fill(0);
  }
}
