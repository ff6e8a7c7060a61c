import { describe, expect, it } from 'vitest';
import type { StageCatalog } from '../../../engine/catalog/stage-catalog.ts';
import { exerciseKernel, warmupCodes } from '../../../stages/aggregate/kernel-warmup.ts';
import { UserAccumulator, type UserSummary } from '../../../stages/aggregate/user-accumulator.ts';
import { yearWindow } from '../../../stages/aggregate/year-window.ts';

const W = yearWindow(2025);
/**
 * 300 tracks of 40 artists; codes 0..299 name them in order, codes 300..309
 * are old ids of tracks 0..9 (aliases), codes 310..314 name no track.
 */
const TRACKS = 300;
const catalog: StageCatalog = {
  tracks: TRACKS, artists: 40, albums: 60, genres: 5,
  trackArtist: Int32Array.from({ length: TRACKS }, (_, t) => t % 40),
  trackAlbum: Int32Array.from({ length: TRACKS }, (_, t) => t % 60),
  artistGenre: Int32Array.from({ length: 40 }, (_, a) => a % 5),
  trackIdRank: Int32Array.from({ length: TRACKS }, (_, t) => TRACKS - 1 - t),
  artistIdRank: Int32Array.from({ length: 40 }, (_, a) => a),
  albumIdRank: Int32Array.from({ length: 60 }, (_, a) => a),
  genreNameRank: Int32Array.from({ length: 5 }, (_, g) => g),
  resolve: Int32Array.from({ length: 315 }, (_, c) => (c < TRACKS ? c : c < 310 ? c - TRACKS : -1)),
  trackYear: Int32Array.from({ length: TRACKS }, (_, t) => 1990 + (t % 36)),
  trackFeatures: Int32Array.from({ length: 5 * TRACKS }, (_, i) => (i % 7 === 0 ? -1 : i % 1000)),
};

/** Records what the warm-up's users came to, so the test can see what it exercised. */
class Recording extends UserAccumulator {
  readonly summaries: UserSummary[] = [];
  partials = 0;
  override finalize(): UserSummary {
    const s = super.finalize();
    this.summaries.push(s);
    return s;
  }
  override takePartial(): ReturnType<UserAccumulator['takePartial']> {
    this.partials++;
    return super.takePartial();
  }
}

describe('kernel warm-up', () => {
  it('sorts the dictionary codes into a track\'s first code, aliases and codes naming no track', () => {
    const codes = warmupCodes(catalog);
    expect(Array.from(codes.canonical)).toEqual(Array.from({ length: TRACKS }, (_, c) => c));
    expect(Array.from(codes.alias)).toEqual([300, 301, 302, 303, 304, 305, 306, 307, 308, 309]);
    expect(Array.from(codes.unknown)).toEqual([310, 311, 312, 313, 314]);
    expect(warmupCodes(catalog, 7).canonical.length).toBe(7);
  });

  it('takes every branch a real user can: each skip reason, aliases, finalize and partials, totals past 2^31', () => {
    const acc = new Recording(catalog, W);
    acc.prepareForAnyUser();
    exerciseKernel(acc, catalog, W);
    // Every reason a row is skipped for happened (the kernel counts them where it branches).
    for (const [reason, n] of Object.entries(acc.skips)) expect(n, reason).toBeGreaterThan(0);
    expect(acc.summaries.length).toBeGreaterThan(300);
    expect(acc.partials).toBeGreaterThan(40);
    // A user's total went past what a small integer holds (V8 would otherwise change the field's representation in a timed task).
    expect(Math.max(...acc.summaries.map((s) => s.totalMs))).toBeGreaterThan(2 ** 31);
  });

  it('leaves nothing behind: a user after the warm-up gets the same numbers as on a fresh accumulator', () => {
    const warmed = new UserAccumulator(catalog, W);
    warmed.prepareForAnyUser();
    exerciseKernel(warmed, catalog, W);
    const fresh = new UserAccumulator(catalog, W);
    const n = 500;
    const cols = { tsWords: new Int32Array(2 * n), track: new Int32Array(n), ms: new Int32Array(n), arrival: new Int32Array(n), priv: new Uint8Array(n) };
    for (let i = 0; i < n; i++) {
      const ts = W.startMs + i * 7_200_000;
      cols.tsWords[2 * i] = ts % 4294967296;
      cols.tsWords[2 * i + 1] = Math.floor(ts / 4294967296);
      cols.track[i] = (i * 37) % 312;
      cols.ms[i] = (i * 7919) % 240_000;
    }
    const none = { overflowCode: new Int32Array(0), overflowTrack: new Int32Array(0) };
    const user = (a: UserAccumulator) => {
      a.begin(-300, n);
      a.addRows(cols, 0, n, none, true);
      return a.finalize();
    };
    expect(user(warmed)).toEqual(user(fresh));
  });
});
