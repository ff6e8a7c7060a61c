import * as arrow from 'apache-arrow';
import { FEATURES } from '../../engine/catalog/features.ts';
import { hexToKey, KEY_BYTES } from '../../engine/smb/key.ts';
import type { UserSummary } from '../../stages/aggregate/user-accumulator.ts';

/**
 * The baseline for stage 1's output writing (stages/aggregate/output.ts): the
 * writer before session 19, kept here to be timed beside it in the micro
 * benchmarks. It takes one summary object per user (as tasks returned them
 * then), gathers each column user by user into Arrow data, and encodes each
 * table with Arrow JS's `tableToIPC`.
 */
export interface UserRow {
  readonly user: string;
  readonly s: UserSummary;
}

const fixedList = (size: number, child: arrow.DataType, values: Int32Array | Float64Array, n: number) =>
  arrow.makeData({
    type: new arrow.FixedSizeList(size, new arrow.Field('item', child, false)), length: n,
    child: arrow.makeData({ type: child, length: n * size, data: values } as never),
  } as never);

function keys(rows: readonly UserRow[], repeat: (i: number) => number): arrow.Data {
  let n = 0;
  for (let i = 0; i < rows.length; i++) n += repeat(i);
  const k = new Uint8Array(n * KEY_BYTES);
  let at = 0;
  rows.forEach((r, i) => {
    const times = repeat(i);
    if (times === 0) return;
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

/** One bucket's five tables' bytes, in AGGREGATE_TABLES order. Rows must be in user_key order. */
export function encodeAggregateBucketBaseline(rows: readonly UserRow[]): Uint8Array[] {
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
  return [
    users,
    long(rows, (s) => s.topTracks.length, { track: (s) => s.topTracks, streams: (s) => s.topTrackStreams, ms: (s) => s.topTrackMs }),
    long(rows, (s) => s.artists.length, { artist: (s) => s.artists, plays: (s) => s.artistPlays, streams: (s) => s.artistStreams, ms: (s) => s.artistMs, first_stream_ts: (s) => s.artistFirstStream }),
    long(rows, (s) => s.topAlbums.length, { album: (s) => s.topAlbums, streams: (s) => s.topAlbumStreams, ms: (s) => s.topAlbumMs }),
    long(rows, (s) => s.genres.length, { genre: (s) => s.genres, ms: (s) => s.genreMs }),
  ];
}
