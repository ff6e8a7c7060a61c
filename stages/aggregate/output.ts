import * as fs from 'node:fs';
import * as path from 'node:path';
import * as arrow from 'apache-arrow';
import { writeFileAtomic } from '../../engine/lake/atomic-file.ts';
import { bucketFileName } from '../../engine/smb/filename-policy.ts';
import { compareKeys, hexToKey, KEY_BYTES, keyToHex } from '../../engine/smb/key.ts';
import { FEATURES } from '../../engine/catalog/features.ts';
import type { UserSummary } from './user-accumulator.ts';

/**
 * Stage 1's output, in the input's SMB bucketing (docs/stage-outputs.md):
 * per logical bucket, five Arrow IPC files sorted by user_key —
 *   users/       one row per user with a counted play: totals, eligibility, 12 months, 24 hours
 *   top_tracks/  (user_key, rank, track, streams, ms), rank 1..100
 *   artists/     (user_key, rank, artist, plays, streams, ms, first_stream_ts) for every artist; rank <= 10 are the top artists
 *   top_albums/  (user_key, rank, album, streams, ms), rank 1..5
 *   genres/      (user_key, rank, genre, ms) for every genre; rank <= 5 are the top genres
 * Ids are catalog indexes (row numbers of the catalog files the run pinned).
 */
export const AGGREGATE_TABLES = ['users', 'top_tracks', 'artists', 'top_albums', 'genres'] as const;

/** Catalog artist ids by index (JSON array), beside the tables. */
export const ARTIST_IDS_FILE = 'artist_ids.json';

export interface UserRow {
  readonly user: string;
  readonly s: UserSummary;
}

const fixedList = (size: number, child: arrow.DataType, values: Int32Array | Float64Array, n: number) =>
  arrow.makeData({
    type: new arrow.FixedSizeList(size, new arrow.Field('item', child, false)), length: n,
    child: arrow.makeData({ type: child, length: n * size, data: values } as never),
  } as never);

/** user_key for rows where user i repeats repeat(i) times (key bytes parsed once per user). */
function keys(rows: readonly UserRow[], repeat: (i: number) => number): arrow.Data {
  let n = 0;
  for (let i = 0; i < rows.length; i++) n += repeat(i);
  const k = new Uint8Array(n * KEY_BYTES);
  let at = 0;
  rows.forEach((r, i) => {
    const times = repeat(i);
    if (times === 0) return;
    // The key once, then doubling copies: log(times) calls, not one per row.
    k.set(hexToKey(r.user), at);
    for (let filled = 1; filled < times; ) {
      const more = Math.min(filled, times - filled);
      k.copyWithin(at + filled * KEY_BYTES, at, at + more * KEY_BYTES);
      filled += more;
    }
    at += times * KEY_BYTES;
  });
  return arrow.makeData({ type: new arrow.FixedSizeBinary(KEY_BYTES), length: n, data: k });
}

function table(cols: Record<string, arrow.Data>): Uint8Array {
  const fields = Object.entries(cols).map(([name, d]) => new arrow.Field(name, d.type, false));
  const n = Object.values(cols)[0]!.length;
  const batch = new arrow.RecordBatch(new arrow.Schema(fields), arrow.makeData({ type: new arrow.Struct(fields), length: n, children: Object.values(cols) }));
  return arrow.tableToIPC(new arrow.Table([batch]), 'file');
}

const i32 = (xs: ArrayLike<number>) => arrow.makeData({ type: new arrow.Int32(), length: xs.length, data: Int32Array.from(xs) });
const f64 = (xs: ArrayLike<number>) => arrow.makeData({ type: new arrow.Float64(), length: xs.length, data: Float64Array.from(xs) });

/** A long table: one row per (user, item), items in rank order; columns concatenate each user's typed arrays. */
function long(rows: readonly UserRow[], count: (s: UserSummary) => number, cols: Record<string, (s: UserSummary) => Int32Array | Float64Array>): Uint8Array {
  const counts = rows.map((r) => count(r.s));
  const n = counts.reduce((a, b) => a + b, 0);
  const rank = new Int32Array(n);
  let at = 0;
  for (const c of counts) for (let k = 1; k <= c; k++) rank[at++] = k;
  const out: Record<string, arrow.Data> = { user_key: keys(rows, (i) => counts[i]!), rank: arrow.makeData({ type: new arrow.Int32(), length: n, data: rank }) };
  for (const [name, get] of Object.entries(cols)) {
    const first = rows.length > 0 ? get(rows[0]!.s) : new Int32Array(0);
    const isFloat = first instanceof Float64Array;
    const data = isFloat ? new Float64Array(n) : new Int32Array(n);
    let o = 0;
    rows.forEach((r, i) => {
      data.set(get(r.s).subarray(0, counts[i]!) as never, o);
      o += counts[i]!;
    });
    out[name] = arrow.makeData({ type: isFloat ? new arrow.Float64() : new arrow.Int32(), length: n, data } as never);
  }
  return table(out);
}

/** Writes one bucket's tables. Rows must be in user_key order. */
export function writeAggregateBucket(dir: string, bucket: number, numBuckets: number, rows: readonly UserRow[]): void {
  const name = bucketFileName(bucket, numBuckets, 0, 1);
  const n = rows.length;
  const flat = <T extends Int32Array | Float64Array>(make: (k: number) => T, size: number, get: (s: UserSummary) => ArrayLike<number>) => {
    const out = make(n * size);
    rows.forEach((r, i) => out.set(get(r.s) as never, i * size));
    return out;
  };
  const users = table({
    user_key: keys(rows, () => 1),
    plays: i32(rows.map((r) => r.s.plays)), streams: i32(rows.map((r) => r.s.streams)), total_ms: f64(rows.map((r) => r.s.totalMs)),
    unique_tracks: i32(rows.map((r) => r.s.uniqueTracks)), unique_artists: i32(rows.map((r) => r.s.uniqueArtists)),
    genre_count: i32(rows.map((r) => r.s.genreCount)), eligible: i32(rows.map((r) => (r.s.eligible ? 1 : 0))),
    month_plays: fixedList(12, new arrow.Int32(), flat((k) => new Int32Array(k), 12, (s) => s.monthPlays), n),
    month_ms: fixedList(12, new arrow.Float64(), flat((k) => new Float64Array(k), 12, (s) => s.monthMs), n),
    month_top_artist: fixedList(12, new arrow.Int32(), flat((k) => new Int32Array(k), 12, (s) => s.monthTopArtist), n),
    hours_ms: fixedList(24, new arrow.Float64(), flat((k) => new Float64Array(k), 24, (s) => s.hours), n),
    dated_ms: f64(rows.map((r) => r.s.datedMs)), year_ms: f64(rows.map((r) => r.s.yearMs)), timeless_ms: f64(rows.map((r) => r.s.timelessMs)),
    featured_ms: f64(rows.map((r) => r.s.featuredMs)),
    feature_ms: fixedList(FEATURES.length, new arrow.Float64(), flat((k) => new Float64Array(k), FEATURES.length, (s) => s.featureMs), n),
  });
  writeFileAtomic(path.join(dir, 'users', name), users);
  writeFileAtomic(path.join(dir, 'top_tracks', name), long(rows, (s) => s.topTracks.length,
    { track: (s) => s.topTracks, streams: (s) => s.topTrackStreams, ms: (s) => s.topTrackMs }));
  writeFileAtomic(path.join(dir, 'artists', name), long(rows, (s) => s.artists.length,
    { artist: (s) => s.artists, plays: (s) => s.artistPlays, streams: (s) => s.artistStreams, ms: (s) => s.artistMs, first_stream_ts: (s) => s.artistFirstStream }));
  writeFileAtomic(path.join(dir, 'top_albums', name), long(rows, (s) => s.topAlbums.length,
    { album: (s) => s.topAlbums, streams: (s) => s.topAlbumStreams, ms: (s) => s.topAlbumMs }));
  writeFileAtomic(path.join(dir, 'genres', name), long(rows, (s) => s.genres.length, { genre: (s) => s.genres, ms: (s) => s.genreMs }));
}

/** Reads one bucket's tables back into summaries keyed by user_id (for later stages and tests). */
export function readAggregateBucket(dir: string, bucket: number, numBuckets: number): Map<string, UserSummary> {
  const name = bucketFileName(bucket, numBuckets, 0, 1);
  const read = (t: string) => arrow.tableFromIPC(fs.readFileSync(path.join(dir, t, name)));
  const keyOf = (tb: arrow.Table, i: number) => keyToHex(tb.getChild('user_key')!.data[0]!.values as Uint8Array, i * KEY_BYTES);
  const num = (tb: arrow.Table, c: string) => tb.getChild(c)!.toArray() as Int32Array | Float64Array;
  const list = (tb: arrow.Table, c: string) => tb.getChild(c)!.data[0]!.children[0]!.values as Int32Array | Float64Array;
  const u = read('users');
  const out = new Map<string, UserSummary>();
  const mp = list(u, 'month_plays'), mm = list(u, 'month_ms'), mt = list(u, 'month_top_artist'), hm = list(u, 'hours_ms'), fm = list(u, 'feature_ms');
  const F = FEATURES.length;
  const cols = Object.fromEntries(['plays', 'streams', 'total_ms', 'unique_tracks', 'unique_artists', 'genre_count', 'eligible', 'dated_ms', 'year_ms', 'timeless_ms', 'featured_ms'].map((c) => [c, num(u, c)]));
  for (let i = 0; i < u.numRows; i++) {
    out.set(keyOf(u, i), {
      plays: cols['plays']![i]!, streams: cols['streams']![i]!, totalMs: cols['total_ms']![i]!, uniqueTracks: cols['unique_tracks']![i]!,
      uniqueArtists: cols['unique_artists']![i]!, genreCount: cols['genre_count']![i]!, eligible: cols['eligible']![i] === 1,
      monthPlays: Int32Array.from(mp.subarray(12 * i, 12 * i + 12)), monthMs: Float64Array.from(mm.subarray(12 * i, 12 * i + 12)),
      monthTopArtist: Int32Array.from(mt.subarray(12 * i, 12 * i + 12)), hours: Float64Array.from(hm.subarray(24 * i, 24 * i + 24)),
      datedMs: cols['dated_ms']![i]!, yearMs: cols['year_ms']![i]!, timelessMs: cols['timeless_ms']![i]!, featuredMs: cols['featured_ms']![i]!,
      featureMs: Float64Array.from(fm.subarray(F * i, F * i + F)),
      topTracks: new Int32Array(0), topTrackStreams: new Int32Array(0), topTrackMs: new Float64Array(0),
      artists: new Int32Array(0), artistPlays: new Int32Array(0), artistStreams: new Int32Array(0), artistMs: new Float64Array(0), artistFirstStream: new Float64Array(0),
      topAlbums: new Int32Array(0), topAlbumStreams: new Int32Array(0), topAlbumMs: new Float64Array(0), genres: new Int32Array(0), genreMs: new Float64Array(0),
    });
  }
  // Every table is sorted by user_key in the users table's order: walk each once, slicing runs (no per-row work but a key compare).
  const ukeys = tableColumn<Uint8Array>(u, 'user_key');
  const summaries = [...out.values()];
  const fill = (t: (typeof AGGREGATE_TABLES)[number], set: (s: UserSummary, cols: Record<string, Int32Array | Float64Array>) => void, names: string[]) => {
    const tb = read(t);
    if (tb.numRows === 0) return;
    const keys = tableColumn<Uint8Array>(tb, 'user_key');
    const arrays = Object.fromEntries(names.map((c) => [c, tableColumn<Int32Array | Float64Array>(tb, c)]));
    let row = 0;
    for (let i = 0; i < summaries.length && row < tb.numRows; i++) {
      const start = row;
      while (row < tb.numRows && compareKeys(keys, row, ukeys, i) === 0) row++;
      if (row > start) set(summaries[i]!, Object.fromEntries(names.map((c) => [c, arrays[c]!.slice(start, row)])));
    }
  };
  fill('top_tracks', (s, g) => Object.assign(s, { topTracks: g['track'], topTrackStreams: g['streams'], topTrackMs: g['ms'] }), ['track', 'streams', 'ms']);
  fill('artists', (s, g) => Object.assign(s, {
    artists: g['artist'], artistPlays: g['plays'], artistStreams: g['streams'], artistMs: g['ms'], artistFirstStream: g['first_stream_ts'],
  }), ['artist', 'plays', 'streams', 'ms', 'first_stream_ts']);
  fill('top_albums', (s, g) => Object.assign(s, { topAlbums: g['album'], topAlbumStreams: g['streams'], topAlbumMs: g['ms'] }), ['album', 'streams', 'ms']);
  fill('genres', (s, g) => Object.assign(s, { genres: g['genre'], genreMs: g['ms'] }), ['genre', 'ms']);
  return out;
}

/** Path of one bucket's file of one stage-1 table. */
export function aggregateTablePath(dir: string, table: (typeof AGGREGATE_TABLES)[number], bucket: number, numBuckets: number): string {
  return path.join(dir, table, bucketFileName(bucket, numBuckets, 0, 1));
}

/** A column of a stage-1 table as one typed array of exactly the table's rows (Arrow pads buffers). */
export function tableColumn<T extends Int32Array | Float64Array | Uint8Array>(t: arrow.Table, name: string): T {
  const v = t.getChild(name);
  if (!v) throw new Error(`stage-1 table without column ${name}`);
  if (v.data.length === 1) return (v.data[0]!.values as T).subarray(0, t.numRows * (name === 'user_key' ? KEY_BYTES : 1)) as T;
  return (name === 'user_key' ? Uint8Array.from(v.data.flatMap((d) => Array.from((d.values as Uint8Array).subarray(0, d.length * KEY_BYTES)))) : v.toArray()) as T;
}
