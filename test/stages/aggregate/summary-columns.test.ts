import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { FEATURES } from '../../../engine/catalog/features.ts';
import { LONG_TABLE_NAMES, SummaryColumns, summaryAt, type SummaryChunk } from '../../../stages/aggregate/summary-columns.ts';
import type { UserSummary } from '../../../stages/aggregate/user-accumulator.ts';

/** A summary with the given list lengths and values drawn from `next`. */
function summary(lengths: { tracks: number; artists: number; albums: number; genres: number }, next: () => number): UserSummary {
  const i32 = (n: number) => Int32Array.from({ length: n }, () => next() | 0);
  const f64 = (n: number) => Float64Array.from({ length: n }, () => next() * 1000.5);
  return {
    plays: next() | 0, streams: next() | 0, totalMs: next() * 3e9, uniqueTracks: next() | 0, uniqueArtists: next() | 0, genreCount: next() | 0,
    eligible: next() % 2 === 0, monthPlays: i32(12), monthMs: f64(12), monthTopArtist: i32(12), hours: f64(24),
    topTracks: i32(lengths.tracks), topTrackStreams: i32(lengths.tracks), topTrackMs: f64(lengths.tracks),
    artists: i32(lengths.artists), artistPlays: i32(lengths.artists), artistStreams: i32(lengths.artists), artistMs: f64(lengths.artists),
    artistFirstStream: Float64Array.from({ length: lengths.artists }, (_, i) => (i % 3 === 2 ? Infinity : next() * 1e6)),
    topAlbums: i32(lengths.albums), topAlbumStreams: i32(lengths.albums), topAlbumMs: f64(lengths.albums),
    genres: i32(lengths.genres), genreMs: f64(lengths.genres),
    datedMs: next() * 7, yearMs: next() * 2025, timelessMs: next(), featuredMs: next(), featureMs: f64(FEATURES.length),
  };
}

const lengthsArb = fc.record({ tracks: fc.integer({ min: 0, max: 120 }), artists: fc.integer({ min: 0, max: 60 }), albums: fc.integer({ min: 0, max: 5 }), genres: fc.integer({ min: 0, max: 9 }) });

describe('SummaryColumns', () => {
  it('packs summaries as columns and gives each back as it was, chunk after chunk from one builder', () => {
    const b = new SummaryColumns();
    fc.assert(fc.property(fc.array(fc.tuple(lengthsArb, fc.boolean()), { maxLength: 40 }), fc.integer(), (users, seed) => {
      let x = seed | 0;
      const next = () => ((x = (Math.imul(x, 1103515245) + 12345) | 0) >>> 8) % 100_000;
      // Users without a counted play have no row: every other one is skipped when its flag says so.
      const rows: Array<{ user: number; s: UserSummary }> = [];
      users.forEach(([lengths, skip], user) => {
        if (skip) return;
        const s = summary(lengths, next);
        b.append(user, s);
        rows.push({ user, s });
      });
      const chunk = b.take();
      expect(chunk.n).toBe(rows.length);
      expect(Array.from(chunk.user)).toEqual(rows.map((r) => r.user));
      rows.forEach((r, i) => expect(summaryAt(chunk, i)).toEqual(r.s));
      // Exact lengths: a structured clone copies whole buffers, so none may carry a builder's spare capacity.
      for (const a of columnsOf(chunk)) expect(a.buffer.byteLength).toBe(a.byteLength);
      for (const t of LONG_TABLE_NAMES) expect(chunk.long[t].counts.length).toBe(rows.length);
    }), { numRuns: 60 });
    // Taken chunks leave the builder empty.
    expect(b.take().n).toBe(0);
  });

  it('starts again from nothing after reset', () => {
    const b = new SummaryColumns();
    b.append(0, summary({ tracks: 3, artists: 2, albums: 1, genres: 1 }, () => 7));
    b.reset();
    b.append(1, summary({ tracks: 2, artists: 1, albums: 1, genres: 1 }, () => 5));
    const chunk = b.take();
    expect(chunk.n).toBe(1);
    expect(Array.from(chunk.user)).toEqual([1]);
    expect(Array.from(chunk.long.top_tracks.columns['track']!)).toEqual([5, 5]);
  });

  it('refuses a row it does not hold', () => {
    const b = new SummaryColumns();
    b.append(4, summary({ tracks: 1, artists: 1, albums: 1, genres: 1 }, () => 3));
    const chunk = b.take();
    expect(summaryAt(chunk, 0).plays).toBe(3);
    expect(() => summaryAt(chunk, 1)).toThrow(RangeError);
    expect(() => summaryAt(chunk, -1)).toThrow(RangeError);
  });
});

function columnsOf(c: SummaryChunk): Array<Int32Array | Float64Array> {
  return [c.user, ...Object.values(c.users), ...LONG_TABLE_NAMES.flatMap((t) => [c.long[t].counts, ...Object.values(c.long[t].columns)])];
}
