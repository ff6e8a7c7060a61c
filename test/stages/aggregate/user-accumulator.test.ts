import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import type { StageCatalog } from '../../../engine/catalog/stage-catalog.ts';
import { UserAccumulator, type PlayColumns, type TrackCodes, type UserSummary } from '../../../stages/aggregate/user-accumulator.ts';
import { yearWindow } from '../../../stages/aggregate/year-window.ts';
import { SMALL_TRACKS, smallCatalog } from '../../helpers/small-catalog.ts';
import { referenceUser, type RefCatalog, type RefPlay, type RefUser } from '../../reference/stage1-reference.ts';

/**
 * A tiny catalog where ties are common: 12 tracks of 4 artists (3 albums,
 * 3 genres), 2 old alias ids and 2 unknown ids. Ids are chosen so that string
 * order differs from index order, to exercise the "id asc" tie-breaks.
 */
const TRACK_IDS = Array.from({ length: 12 }, (_, i) => `T${String.fromCharCode(90 - i)}`.padEnd(22, 'x'));
const OLD_IDS = ['Old1'.padEnd(22, 'o'), 'Old2'.padEnd(22, 'o')];
const UNKNOWN_IDS = ['Unk1'.padEnd(22, 'u'), 'Unk2'.padEnd(22, 'u')];
const CODES = [...TRACK_IDS, ...OLD_IDS, ...UNKNOWN_IDS];
const ARTIST_IDS = ['Ad', 'Ac', 'Ab', 'Aa'];
const ALBUM_IDS = ['Lb', 'La', 'Lc'];
const GENRES = ['rock', 'pop', 'jazz'];
const trackArtist = TRACK_IDS.map((_, i) => i % 4);
const trackAlbum = TRACK_IDS.map((_, i) => i % 3);
const artistGenre = [0, 1, 1, 2];
const aliasTarget = [3, 7];
/** Release years around the timeless edge (2015 for 2025) and one unknown (0); track 5 has no audio features. */
const TRACK_YEARS = [2025, 2015, 2016, 0, 1990, 2024, 2015, 2003, 2020, 2014, 2025, 1969];
const featuresOf = (t: number) => [90 + t * 7.25, (t % 5) / 4, 0.1 * t, 0.333, 1 - t / 11];
const rank = (ids: string[]) => {
  const order = ids.map((_, i) => i).sort((a, b) => (ids[a]! < ids[b]! ? -1 : 1));
  const r = new Int32Array(ids.length);
  order.forEach((i, k) => (r[i] = k));
  return r;
};
const CATALOG: StageCatalog = {
  tracks: 12, artists: 4, albums: 3, genres: 3,
  trackArtist: Int32Array.from(trackArtist), trackAlbum: Int32Array.from(trackAlbum), artistGenre: Int32Array.from(artistGenre),
  trackIdRank: rank(TRACK_IDS), artistIdRank: rank(ARTIST_IDS), albumIdRank: rank(ALBUM_IDS), genreNameRank: rank(GENRES),
  resolve: Int32Array.from(CODES, (_, c) => (c < 12 ? c : c < 14 ? aliasTarget[c - 12]! : -1)),
  trackYear: Int32Array.from(TRACK_YEARS),
  trackFeatures: Int32Array.from(TRACK_IDS.flatMap((_, t) => (t === 5 ? [-1, -1, -1, -1, -1] : featuresOf(t).map((v, k) => Math.round(v * [10, 1000, 1000, 1000, 1000][k]!))))),
};
const REF_CATALOG: RefCatalog = {
  trackArtist: new Map(TRACK_IDS.map((id, i) => [id, ARTIST_IDS[trackArtist[i]!]!])),
  trackAlbum: new Map(TRACK_IDS.map((id, i) => [id, ALBUM_IDS[trackAlbum[i]!]!])),
  artistGenre: new Map(ARTIST_IDS.map((id, i) => [id, GENRES[artistGenre[i]!]!])),
  alias: new Map(OLD_IDS.map((o, i) => [o, TRACK_IDS[aliasTarget[i]!]!])),
  trackYear: new Map(TRACK_IDS.map((id, i) => [id, TRACK_YEARS[i]!])),
  trackFeatures: new Map(TRACK_IDS.flatMap((id, t) => (t === 5 ? [] : [[id, featuresOf(t)] as [string, number[]]]))),
};

/** A hash of the duplicate tuple (track code, ts, ms), to salt a user's plays into partials (duplicates land together). */
function tupleHash(ts: number, code: number, ms: number): number {
  const hi = Math.floor(ts / 4294967296);
  let h = Math.imul((ts - hi * 4294967296) ^ 0x9e3779b9, 0x85ebca6b);
  h = Math.imul((h ^ (h >>> 13)) ^ hi, 0xc2b2ae35);
  h = Math.imul((h ^ (h >>> 16)) ^ code, 0x27d4eb2f);
  h = Math.imul((h ^ (h >>> 15)) ^ ms, 0x165667b1);
  return (h ^ (h >>> 16)) >>> 0;
}

const YEAR = 2025;
const W = yearWindow(YEAR);
const T0 = Date.UTC(YEAR, 0, 1);
const DAY = 86_400_000;

/** Timestamps that hug the boundaries: the year start, the freeze, local month edges, and anywhere. */
const ts = fc.oneof(
  fc.integer({ min: T0 - 2 * DAY, max: T0 + 2 * DAY }),
  fc.integer({ min: W.freezeMs - 2 * DAY, max: W.freezeMs + DAY }),
  fc.integer({ min: 0, max: 11 }).chain((m) => fc.integer({ min: Date.UTC(YEAR, m, 1) - 15 * 3_600_000, max: Date.UTC(YEAR, m, 1) + 15 * 3_600_000 })),
  fc.integer({ min: T0, max: W.freezeMs - 1 }),
);
const play = fc.record({
  code: fc.integer({ min: 0, max: CODES.length - 1 }),
  ts,
  ms: fc.oneof(fc.constantFrom(0, 29_999, 30_000, 30_001, 180_000), fc.integer({ min: 0, max: 600_000 })),
  arrivalDay: fc.oneof(fc.constant(0), fc.integer({ min: W.cutoffDay - 2, max: W.cutoffDay + 1 })),
  priv: fc.boolean(),
});
/** Plays with exact duplicates mixed in. */
const plays = fc.array(play, { maxLength: 120 }).chain((ps) =>
  fc.array(fc.nat({ max: Math.max(0, ps.length - 1) }), { maxLength: ps.length === 0 ? 0 : 30 }).map((dups) => [...ps, ...dups.map((i) => ({ ...ps[i]!, arrivalDay: ps[i]!.arrivalDay - 1 }))]));
const offset = fc.constantFrom(0, -600, -300, 330, 345, 840);

function asRef(s: UserSummary): RefUser {
  return {
    plays: s.plays, streams: s.streams, totalMs: s.totalMs, uniqueTracks: s.uniqueTracks, uniqueArtists: s.uniqueArtists,
    genreCount: s.genreCount, eligible: s.eligible, monthPlays: Array.from(s.monthPlays), monthMs: Array.from(s.monthMs),
    monthTopArtist: Array.from(s.monthTopArtist, (a) => (a < 0 ? null : ARTIST_IDS[a]!)), hours: Array.from(s.hours),
    topTracks: Array.from(s.topTracks, (t, i) => ({ id: TRACK_IDS[t]!, streams: s.topTrackStreams[i]!, ms: s.topTrackMs[i]! })),
    artists: Array.from(s.artists, (a, i) => ({ id: ARTIST_IDS[a]!, plays: s.artistPlays[i]!, streams: s.artistStreams[i]!, ms: s.artistMs[i]!, firstStream: s.artistFirstStream[i]! })),
    topAlbums: Array.from(s.topAlbums, (a, i) => ({ id: ALBUM_IDS[a]!, streams: s.topAlbumStreams[i]!, ms: s.topAlbumMs[i]! })),
    genres: Array.from(s.genres, (g, i) => ({ genre: GENRES[g]!, ms: s.genreMs[i]! })),
    datedMs: s.datedMs, yearMs: s.yearMs, timelessMs: s.timelessMs, featuredMs: s.featuredMs, featureMs: Array.from(s.featureMs),
  };
}

type P = { code: number; ts: number; ms: number; arrivalDay: number; priv: boolean };

/**
 * The plays as stored columns, as a bucket file holds them. Codes 14 and 15
 * (the unknown ids) are stored as overflow codes -1 and -2, as the SMB writer
 * stores ids missing from the dictionary.
 */
function columnsOf(ps: readonly P[], tsSorted = false): PlayColumns {
  const tsWords = new Int32Array(2 * ps.length);
  ps.forEach((p, i) => {
    const hi = Math.floor(p.ts / 4294967296);
    tsWords[2 * i] = p.ts - hi * 4294967296;
    tsWords[2 * i + 1] = hi;
  });
  return {
    tsWords,
    track: Int32Array.from(ps, (p) => (p.code < 14 ? p.code : -(p.code - 13))),
    ms: Int32Array.from(ps, (p) => p.ms),
    arrival: Int32Array.from(ps, (p) => p.arrivalDay),
    priv: Uint8Array.from(ps, (p) => (p.priv ? 1 : 0)),
    tsSorted,
  };
}
/** Overflow codes: shared dedupe codes 1000, 1001 (any value outside the dictionary); both unknown to the catalog. */
const CODE_MAPS: TrackCodes = { overflowCode: Int32Array.of(1000, 1001), overflowTrack: Int32Array.of(-1, -1) };

/**
 * Offers the plays to the current user in `cuts + 1` ranges (as a user's rows arrive from several
 * files); `tsSorted` marks the ranges as day files' (exact whatever the rows' order, only faster).
 */
function offer(acc: UserAccumulator, ps: readonly P[], cuts: readonly number[] = [], tsSorted = false): void {
  const cols = columnsOf(ps, tsSorted);
  const at = [0, ...cuts.map((c) => Math.min(c, ps.length)).sort((a, b) => a - b), ps.length];
  for (let k = 0; k + 1 < at.length; k++) acc.addRows(cols, at[k]!, at[k + 1]!, CODE_MAPS);
}
/** The plays in roll-up order: by stored track code (overflow codes are negative), then ts, stable (arrival order). */
function trackSorted(ps: readonly P[]): P[] {
  const stored = columnsOf(ps).track;
  return ps.map((p, i) => ({ p, i })).sort((a, b) => stored[a.i]! - stored[b.i]! || a.p.ts - b.p.ts || a.i - b.i).map((x) => x.p);
}
/** Offers plays already in roll-up order as one range to the sorted kernel. */
function offerSorted(acc: UserAccumulator, ps: readonly P[]): void {
  acc.addTrackSorted(columnsOf(ps), 0, ps.length, CODE_MAPS);
}
const refPlays = (ps: readonly P[]): RefPlay[] => ps.map((p) => ({ track: CODES[p.code]!, ts: p.ts, ms: p.ms, arrivalDay: p.arrivalDay, priv: p.priv }));

describe('UserAccumulator (stage-1 kernel) against the naive reference', () => {
  const acc = new UserAccumulator(CATALOG, W);
  /** Finalizes the current user and compares with the reference (null: no counted play, so no summary). */
  const expectUser = (expected: RefUser | null) => {
    if (expected === null) {
      expect(acc.hasPlays).toBe(false);
      acc.takePartial();
    } else expect(asRef(acc.finalize())).toEqual(expected);
  };

  it('gives the SPEC §3 numbers of the reference for any plays: boundaries, ties, duplicates, aliases, unknown tracks', () => {
    fc.assert(fc.property(plays, offset, fc.array(fc.nat({ max: 150 }), { maxLength: 4 }), fc.boolean(), fc.boolean(), (ps, off, cuts, hint, tsSorted) => {
      // Without the size hint the scratch grows mid-user. Rows in any order, read as day files' or not.
      acc.begin(off, hint ? ps.length : 0);
      offer(acc, ps, cuts, tsSorted);
      expectUser(referenceUser(refPlays(ps), off, REF_CATALOG, YEAR));
    }), { numRuns: 400 });
  });

  it('gives the same numbers when ranges read as day files\' and ranges read as a roll-up\'s come mixed, in any order', () => {
    // As a user with a roll-up of the first months beside later day files: per range, the rows go through the
    // ordered dedupe or all through the table; either must see duplicates kept by the other.
    fc.assert(fc.property(plays, offset, fc.array(fc.nat({ max: 150 }), { maxLength: 4 }), fc.array(fc.boolean(), { minLength: 5, maxLength: 5 }), (ps, off, cuts, flags) => {
      const byTs = columnsOf(ps, true), hashed = columnsOf(ps, false);
      const at = [0, ...cuts.map((c) => Math.min(c, ps.length)).sort((a, b) => a - b), ps.length];
      acc.begin(off, ps.length);
      for (let k = 0; k + 1 < at.length; k++) acc.addRows(flags[k] ? byTs : hashed, at[k]!, at[k + 1]!, CODE_MAPS);
      expectUser(referenceUser(refPlays(ps), off, REF_CATALOG, YEAR));
    }), { numRuns: 400 });
  });

  it('gives the same numbers from a (track, ts)-sorted range (a roll-up), one lookup per track run, deduplicating neighbours', () => {
    fc.assert(fc.property(plays, offset, (ps, off) => {
      acc.begin(off, 0);
      offerSorted(acc, trackSorted(ps));
      expectUser(referenceUser(refPlays(ps), off, REF_CATALOG, YEAR));
    }), { numRuns: 400 });
  });

  it('gives the same numbers when a sorted range is cut between (track, ts) groups into partials and combined', () => {
    fc.assert(fc.property(plays, offset, fc.array(fc.nat({ max: 150 }), { maxLength: 4 }), (ps, off, cuts) => {
      const sorted = trackSorted(ps);
      const stored = columnsOf(sorted);
      // As the coordinator cuts a heavy user: each cut moved forward past rows of the same (track, ts).
      const at = [0, ...cuts.map((c) => {
        let k = Math.min(c, sorted.length);
        while (k > 0 && k < sorted.length && stored.track[k] === stored.track[k - 1] && sorted[k]!.ts === sorted[k - 1]!.ts) k++;
        return k;
      }).sort((a, b) => a - b), sorted.length];
      const partials = [];
      for (let k = 0; k + 1 < at.length; k++) {
        acc.begin(off, 0);
        acc.addTrackSorted(stored, at[k]!, at[k + 1]!, CODE_MAPS);
        partials.push(acc.takePartial());
      }
      acc.begin(0, 0);
      for (const p of partials) acc.addPartial(p);
      expectUser(referenceUser(refPlays(ps), off, REF_CATALOG, YEAR));
    }), { numRuns: 300 });
  });

  it('deduplicates a large group of rows sharing one (track, ts) (past the scan limit) in a sorted range', () => {
    fc.assert(fc.property(fc.array(fc.record({ code: fc.integer({ min: 0, max: 15 }), ms: fc.integer({ min: 0, max: 40 }).map((k) => k * 1000) }), { minLength: 30, maxLength: 400 }), fc.nat({ max: 3 }), (cells, few) => {
      const t = T0 + 40 * DAY;
      // Many rows at one ts (a bot sending a burst) on few tracks, some exact duplicates, then a few later plays.
      const ps: P[] = [...cells.map((x) => ({ ts: t, code: x.code % (few + 1), ms: x.ms, arrivalDay: 0, priv: false })), ...cells.slice(0, 5).map((x, i) => ({ ts: t + 1000 * (i + 1), code: x.code, ms: x.ms, arrivalDay: 0, priv: false }))];
      acc.begin(0, 0);
      offerSorted(acc, trackSorted(ps));
      expectUser(referenceUser(refPlays(ps), 0, REF_CATALOG, YEAR));
    }), { numRuns: 100 });
  });

  it('ignores rows outside a time slice\'s bounds without counting them anywhere (a roll-up range read by every slice)', () => {
    fc.assert(fc.property(plays, offset, fc.integer({ min: 2, max: 4 }), fc.array(fc.nat(), { minLength: 3, maxLength: 3 }), (ps, off, n, picks) => {
      const sorted = trackSorted(ps);
      const times = [...new Set(ps.map((p) => p.ts))].sort((a, b) => a - b);
      const bounds = [-Infinity, ...picks.slice(0, n - 1).map((k) => (times.length === 0 ? 0 : times[k % times.length]!)).sort((a, b) => a - b), Infinity];
      const before = { ...acc.skips };
      const partials = [];
      for (let s = 0; s + 1 < bounds.length; s++) {
        acc.begin(off, 0);
        acc.addRows(columnsOf(sorted), 0, sorted.length, CODE_MAPS, bounds[s]!, bounds[s + 1]!);
        partials.push(acc.takePartial());
      }
      acc.begin(0, 0);
      for (const p of partials) acc.addPartial(p);
      expectUser(referenceUser(refPlays(ps), off, REF_CATALOG, YEAR));
      // Each row's skip reason counted once over all slices.
      const one = { ...acc.skips };
      acc.begin(off, 0);
      offer(acc, ps);
      acc.takePartial();
      for (const k of Object.keys(before) as Array<keyof typeof before>) expect(one[k] - before[k]).toBe(acc.skips[k] - one[k]);
    }), { numRuns: 200 });
  });

  it('gives the same numbers from day-file ranges: each in ts order, later ones holding late rows and re-sent duplicates', () => {
    // Day files in arrival order: a user's rows sorted by ts inside each; a late row (arrived days
    // after its ts) sits in a later file, so it goes back in time across ranges.
    const day = fc.array(play, { minLength: 1, maxLength: 30 });
    fc.assert(fc.property(fc.array(day, { minLength: 1, maxLength: 6 }), fc.array(fc.tuple(fc.nat(), fc.nat()), { maxLength: 20 }), offset, (days, resent, off) => {
      const files = days.map((d) => [...d]);
      // Re-send some rows in a later file (exact duplicates, late).
      for (const [a, b] of resent) {
        const from = a % files.length, to = b % files.length;
        const src = files[Math.min(from, to)]!;
        files[Math.max(from, to)]!.push({ ...src[a % src.length]!, arrivalDay: 0 });
      }
      const ranges = files.map((f) => f.map((p, i) => ({ p, i })).sort((x, y) => x.p.ts - y.p.ts || x.i - y.i).map((x) => x.p));
      const ps = ranges.flat();
      const cuts: number[] = [];
      ranges.reduce((at, r) => (cuts.push(at + r.length), at + r.length), 0);
      acc.begin(off, 0);
      offer(acc, ps, cuts.slice(0, -1), true);
      expectUser(referenceUser(refPlays(ps), off, REF_CATALOG, YEAR));
    }), { numRuns: 300 });
  });

  it('deduplicates a large group of rows at one ts among late rows and re-sent duplicates (several ranges)', () => {
    fc.assert(fc.property(fc.array(fc.record({ code: fc.integer({ min: 0, max: 13 }), ms: fc.integer({ min: 0, max: 40 }).map((k) => k * 1000) }), { minLength: 33, maxLength: 300 }), fc.nat(), (cells, seed) => {
      const t = T0 + 40 * DAY;
      const row = (ts: number, x: { code: number; ms: number }): P => ({ ts, code: x.code, ms: x.ms, arrivalDay: 0, priv: false });
      // Range 1: plays over ten days; range 2: late plays (older than range 1's last); range 3: a
      // burst at one later ts past the sorted scan's limit (its own duplicates among it); range 4:
      // the late plays again and some of the burst again — all duplicates.
      const early = cells.slice(0, 10).map((x, i) => row(t - (10 - i) * DAY, x));
      const late = cells.slice(0, 10).map((x, i) => row(t - (10 - i) * DAY + 1 + (seed % 7), x));
      const burst = cells.map((x) => row(t + DAY, x));
      const ps = [...early, ...late, ...burst, ...late, ...burst.slice(0, 5)];
      acc.begin(0, 0);
      offer(acc, ps, [early.length, early.length + late.length, early.length + late.length + burst.length], true);
      expectUser(referenceUser(refPlays(ps), 0, REF_CATALOG, YEAR));
    }), { numRuns: 100 });
  });

  it('refuses a sorted range out of (track, ts) order (it would miss duplicates)', () => {
    const t = T0 + 5 * DAY;
    const p = (ts: number, code = 0): P => ({ ts, code, ms: 40_000, arrivalDay: 0, priv: false });
    acc.begin(0, 0);
    expect(() => offerSorted(acc, [p(t), p(t + 1000), p(t)])).toThrow(/expected a user's rows sorted by \(track, ts\).*found row 2 at ts/);
    acc.takePartial();
    acc.begin(0, 0);
    expect(() => offerSorted(acc, [p(t, 3), p(t, 5), p(t + 1, 3)])).toThrow(/expected a user's rows sorted by \(track, ts\).*found row 2 with track code 3 after code 5/);
    acc.takePartial();
  });

  it('gives the same numbers when a user is split into salted partials and combined', () => {
    fc.assert(fc.property(plays, offset, fc.integer({ min: 2, max: 5 }), (ps, off, salts) => {
      const expected = referenceUser(refPlays(ps), off, REF_CATALOG, YEAR);
      const partials = [];
      for (let s = 0; s < salts; s++) {
        acc.begin(off, ps.length);
        offer(acc, ps.filter((p) => tupleHash(p.ts, p.code, p.ms) % salts === s));
        partials.push(acc.takePartial());
      }
      acc.begin(0, 0);
      for (const p of partials) acc.addPartial(p);
      expectUser(expected);
    }), { numRuns: 200 });
  });

  it('counts each skipped row once, by reason', () => {
    const before = { ...acc.skips };
    acc.begin(0, 10);
    const inWindow = T0 + 10 * DAY;
    offer(acc, [
      { ts: T0 - 1, code: 0, ms: 40_000, arrivalDay: 0, priv: false }, // outside the window
      { ts: inWindow, code: 0, ms: 40_000, arrivalDay: W.cutoffDay, priv: false }, // arrived too late
      { ts: inWindow, code: 0, ms: 40_000, arrivalDay: 0, priv: true }, // private
      { ts: inWindow, code: 0, ms: 40_000, arrivalDay: 0, priv: false }, // counted
      { ts: inWindow, code: 0, ms: 40_000, arrivalDay: 3, priv: false }, // duplicate of the previous
      { ts: inWindow, code: 14, ms: 40_000, arrivalDay: 0, priv: false }, // unknown track
    ], [4]);
    const s = acc.finalize();
    expect(s.plays).toBe(1);
    const d = Object.fromEntries(Object.entries(acc.skips).map(([k, v]) => [k, v - before[k as keyof typeof before]]));
    expect(d).toEqual({ outside_window: 1, late_arrival: 1, private_session: 1, duplicate: 1, unknown_track: 1 });
  });
});

/**
 * Top tracks and top albums when there are more candidates than places, as in
 * a real year (the catalog above has 12 tracks): the 300-track catalog, plays
 * without skips or duplicates, and the lists computed naively beside them.
 * Sums past what packs into one sort key (finalize's `packedKey`) take the
 * comparison path; both must give the SPEC's order.
 */
describe('UserAccumulator top tracks and albums with more candidates than places', () => {
  const cat = smallCatalog();
  const acc = new UserAccumulator(cat, W);
  const STREAM = 30_000;

  /** The plays as a roll-up range holds them: distinct ts, sorted by (code, ts). */
  const sortedColumns = (codes: readonly number[], ms: readonly number[]): PlayColumns => {
    const order = codes.map((_, i) => i).sort((a, b) => codes[a]! - codes[b]! || a - b);
    const tsWords = new Int32Array(2 * codes.length);
    order.forEach((i, r) => {
      const t = T0 + DAY + i * 1000;
      const hi = Math.floor(t / 4294967296);
      tsWords[2 * r] = t - hi * 4294967296;
      tsWords[2 * r + 1] = hi;
    });
    return { tsWords, track: Int32Array.from(order, (i) => codes[i]!), ms: Int32Array.from(order, (i) => ms[i]!), arrival: new Int32Array(codes.length), priv: new Uint8Array(codes.length), tsSorted: false };
  };
  const naive = (codes: readonly number[], ms: readonly number[]) => {
    const t = new Map<number, { streams: number; ms: number }>();
    const a = new Map<number, { streams: number; ms: number }>();
    codes.forEach((c, i) => {
      const track = cat.resolve[c]!;
      for (const [m, k] of [[t, track], [a, cat.trackAlbum[track]!]] as const) {
        const x = m.get(k) ?? { streams: 0, ms: 0 };
        x.streams += ms[i]! >= STREAM ? 1 : 0;
        x.ms += ms[i]!;
        m.set(k, x);
      }
    });
    const tracks = [...t].filter(([, x]) => x.streams > 0).sort(([ia, x], [ib, y]) => y.streams - x.streams || y.ms - x.ms || cat.trackIdRank[ia]! - cat.trackIdRank[ib]!).slice(0, 100);
    const albums = [...a].sort(([ia, x], [ib, y]) => y.ms - x.ms || y.streams - x.streams || cat.albumIdRank[ia]! - cat.albumIdRank[ib]!).slice(0, 5);
    return {
      topTracks: tracks.map(([id, x]) => [id, x.streams, x.ms]),
      topAlbums: albums.map(([id, x]) => [id, x.streams, x.ms]),
    };
  };
  const lists = (s: UserSummary) => ({
    topTracks: Array.from(s.topTracks, (id, i) => [id, s.topTrackStreams[i]!, s.topTrackMs[i]!]),
    topAlbums: Array.from(s.topAlbums, (id, i) => [id, s.topAlbumStreams[i]!, s.topAlbumMs[i]!]),
  });

  it('holds every local track when a user\'s ranges alternate between the ordered rows and the table (no size hint)', () => {
    // 300 tracks played once each, in three ranges of 100: the first read as a day file's (kept in ts order),
    // the other two through the table. The local arrays start at 256 tracks and must grow for the third.
    const fresh = new UserAccumulator(cat, W);
    const codes = Array.from({ length: SMALL_TRACKS }, (_, i) => i), msOf = codes.map((c) => STREAM + c);
    // Codes ascending, so also in ts order.
    const cols = sortedColumns(codes, msOf);
    const none = { overflowCode: new Int32Array(0), overflowTrack: new Int32Array(0) };
    fresh.begin(0, 0);
    fresh.addRows({ ...cols, tsSorted: true }, 0, 100, none);
    fresh.addRows({ ...cols, tsSorted: false }, 100, 200, none);
    fresh.addRows({ ...cols, tsSorted: false }, 200, 300, none);
    const s = fresh.finalize();
    expect([s.plays, s.uniqueTracks]).toEqual([SMALL_TRACKS, SMALL_TRACKS]);
    expect(lists(s)).toEqual(naive(codes, msOf));
  });

  it('equals sorting every track and album, with ties on streams and ms broken by id, and sums too large to pack', () => {
    // Few ms values: ties on (streams, ms) at the 100th track are common. `huge` adds 40 plays of 2^31 - 1 ms
    // to one track (past 2^36 ms: the comparison path for tracks and albums alike).
    const ms = fc.constantFrom(0, 29_999, 30_000, 60_000);
    fc.assert(fc.property(fc.array(fc.tuple(fc.integer({ min: 0, max: SMALL_TRACKS + 9 }), ms), { minLength: 1, maxLength: 900 }), fc.option(fc.nat({ max: SMALL_TRACKS - 1 })), (ps, huge) => {
      const codes = ps.map(([c]) => c), msOf: number[] = ps.map(([, m]) => m);
      if (huge !== null) for (let k = 0; k < 40; k++) {
        codes.push(huge);
        msOf.push(2 ** 31 - 1);
      }
      acc.begin(0, 0);
      acc.addTrackSorted(sortedColumns(codes, msOf), 0, codes.length, { overflowCode: new Int32Array(0), overflowTrack: new Int32Array(0) });
      expect(lists(acc.finalize())).toEqual(naive(codes, msOf));
    }), { numRuns: 200 });
  });

  it('falls back to comparisons for a track streamed 2^17 times or more', () => {
    const n = 2 ** 17 + 3;
    const codes = Array.from({ length: n + 400 }, (_, i) => (i < n ? 7 : i % SMALL_TRACKS));
    const msOf = codes.map((_, i) => (i < n ? STREAM : 30_000 + (i % 3)));
    acc.begin(0, 0);
    acc.addTrackSorted(sortedColumns(codes, msOf), 0, codes.length, { overflowCode: new Int32Array(0), overflowTrack: new Int32Array(0) });
    const got = lists(acc.finalize());
    expect(got).toEqual(naive(codes, msOf));
    // Track 7 also comes up twice among the 400 others (i ≡ 7 mod 300, 30,001 ms each).
    expect(got.topTracks[0]).toEqual([7, n + 2, n * STREAM + 2 * 30_001]);
  });
});
