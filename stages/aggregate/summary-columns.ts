import { atLeast } from '../../engine/columns/growable.ts';
import { FEATURES } from '../../engine/catalog/features.ts';
import type { UserSummary } from './user-accumulator.ts';

/**
 * Users' summaries as columns, the way stage 1's output tables hold them
 * (output.ts, docs/stage-outputs.md): a task packs the summaries it finalizes
 * into one chunk, so its result is a few dozen typed arrays rather than a
 * summary object per user, and the coordinator writes a bucket by
 * concatenating its tasks' chunks column by column, not user by user.
 */
export type Column = Int32Array | Float64Array;

interface ColumnSpec {
  /** The column's name in the output table. */
  readonly name: string;
  readonly float: boolean;
}

/** A column of the users table: one value per user, or `width` (a fixed-size list). */
interface UserColumn extends ColumnSpec {
  readonly width: number;
  readonly get: (s: UserSummary) => number | Column;
}

/** The users table's columns after user_key, in the table's order. */
export const USER_COLUMNS: readonly UserColumn[] = [
  { name: 'plays', float: false, width: 1, get: (s) => s.plays },
  { name: 'streams', float: false, width: 1, get: (s) => s.streams },
  { name: 'total_ms', float: true, width: 1, get: (s) => s.totalMs },
  { name: 'unique_tracks', float: false, width: 1, get: (s) => s.uniqueTracks },
  { name: 'unique_artists', float: false, width: 1, get: (s) => s.uniqueArtists },
  { name: 'genre_count', float: false, width: 1, get: (s) => s.genreCount },
  { name: 'eligible', float: false, width: 1, get: (s) => (s.eligible ? 1 : 0) },
  { name: 'month_plays', float: false, width: 12, get: (s) => s.monthPlays },
  { name: 'month_ms', float: true, width: 12, get: (s) => s.monthMs },
  { name: 'month_top_artist', float: false, width: 12, get: (s) => s.monthTopArtist },
  { name: 'hours_ms', float: true, width: 24, get: (s) => s.hours },
  { name: 'dated_ms', float: true, width: 1, get: (s) => s.datedMs },
  { name: 'year_ms', float: true, width: 1, get: (s) => s.yearMs },
  { name: 'timeless_ms', float: true, width: 1, get: (s) => s.timelessMs },
  { name: 'featured_ms', float: true, width: 1, get: (s) => s.featuredMs },
  { name: 'feature_ms', float: true, width: FEATURES.length, get: (s) => s.featureMs },
];

/** A column of a long table: a user's items in rank order. */
interface ListColumn extends ColumnSpec {
  readonly get: (s: UserSummary) => Column;
}

/** The long tables (one row per user and item, after user_key and rank), each with its columns. */
export const LONG_TABLES = {
  top_tracks: [
    { name: 'track', float: false, get: (s) => s.topTracks },
    { name: 'streams', float: false, get: (s) => s.topTrackStreams },
    { name: 'ms', float: true, get: (s) => s.topTrackMs },
  ],
  artists: [
    { name: 'artist', float: false, get: (s) => s.artists },
    { name: 'plays', float: false, get: (s) => s.artistPlays },
    { name: 'streams', float: false, get: (s) => s.artistStreams },
    { name: 'ms', float: true, get: (s) => s.artistMs },
    { name: 'first_stream_ts', float: true, get: (s) => s.artistFirstStream },
  ],
  top_albums: [
    { name: 'album', float: false, get: (s) => s.topAlbums },
    { name: 'streams', float: false, get: (s) => s.topAlbumStreams },
    { name: 'ms', float: true, get: (s) => s.topAlbumMs },
  ],
  genres: [
    { name: 'genre', float: false, get: (s) => s.genres },
    { name: 'ms', float: true, get: (s) => s.genreMs },
  ],
} as const satisfies Record<string, readonly ListColumn[]>;

export type LongTable = keyof typeof LONG_TABLES;
export const LONG_TABLE_NAMES = Object.keys(LONG_TABLES) as LongTable[];

/** A long table's part of a chunk: items per user, and each column's items, users after one another. */
export interface LongChunk {
  readonly counts: Int32Array;
  readonly columns: Readonly<Record<string, Column>>;
}

/** Summaries packed as columns: exact-length arrays, cheap to send between threads. */
export interface SummaryChunk {
  readonly n: number;
  /** Per row: the index of its user among the task's users (users without a counted play have no row). */
  readonly user: Int32Array;
  readonly users: Readonly<Record<string, Column>>;
  readonly long: Readonly<Record<LongTable, LongChunk>>;
}

const make = (float: boolean, n: number): Column => (float ? new Float64Array(n) : new Int32Array(n));

/** Collects summaries into columns; one per thread, reused from chunk to chunk. */
export class SummaryColumns {
  private n = 0;
  private user = new Int32Array(64);
  private readonly users: Column[] = USER_COLUMNS.map((c) => make(c.float, 64 * c.width));
  private readonly counts: Int32Array[] = LONG_TABLE_NAMES.map(() => new Int32Array(64));
  private readonly items = new Int32Array(LONG_TABLE_NAMES.length);
  private readonly lists: Column[][] = LONG_TABLE_NAMES.map((t) => LONG_TABLES[t].map((c) => make(c.float, 256)));

  /** Appends one user's summary; `user` is the user's index among the task's users. */
  append(user: number, s: UserSummary): void {
    const n = this.n;
    this.user = atLeast(this.user, n + 1);
    this.user[n] = user;
    USER_COLUMNS.forEach((c, k) => {
      const col = (this.users[k] = atLeast(this.users[k]!, (n + 1) * c.width));
      const v = c.get(s);
      if (typeof v === 'number') col[n] = v;
      else col.set(v as never, n * c.width);
    });
    LONG_TABLE_NAMES.forEach((t, k) => {
      const cols = LONG_TABLES[t];
      const count = cols[0].get(s).length;
      this.counts[k] = atLeast(this.counts[k]!, n + 1);
      this.counts[k]![n] = count;
      const at = this.items[k]!;
      cols.forEach((c, j) => {
        const col = (this.lists[k]![j] = atLeast(this.lists[k]![j]!, at + count));
        col.set(c.get(s) as never, at);
      });
      this.items[k] = at + count;
    });
    this.n = n + 1;
  }

  /** Drops what was appended since the last take (a task that failed half-way left it). */
  reset(): void {
    this.n = 0;
    this.items.fill(0);
  }

  /** The summaries appended since the last take, copied out at their exact lengths; the builder is then empty. */
  take(): SummaryChunk {
    const n = this.n;
    const users = Object.fromEntries(USER_COLUMNS.map((c, k) => [c.name, this.users[k]!.slice(0, n * c.width)]));
    const long = Object.fromEntries(LONG_TABLE_NAMES.map((t, k) => [t, {
      counts: this.counts[k]!.slice(0, n),
      columns: Object.fromEntries(LONG_TABLES[t].map((c, j) => [c.name, this.lists[k]![j]!.slice(0, this.items[k]!)])),
    }])) as Record<LongTable, LongChunk>;
    const chunk: SummaryChunk = { n, user: this.user.slice(0, n), users, long };
    this.reset();
    return chunk;
  }
}

/** Row `row` of a chunk as a summary, its list items starting at starts[k] in long table k (copies, not views). */
function summaryOf(chunk: SummaryChunk, row: number, starts: ArrayLike<number>): UserSummary {
  const one = (name: string, width: number) => chunk.users[name]!.slice(row * width, (row + 1) * width);
  const num = (name: string) => chunk.users[name]![row]!;
  const list = (t: LongTable, c: string) => {
    const k = LONG_TABLE_NAMES.indexOf(t);
    return chunk.long[t].columns[c]!.slice(starts[k]!, starts[k]! + chunk.long[t].counts[row]!);
  };
  const i32 = (t: LongTable, c: string) => list(t, c) as Int32Array;
  const f64 = (t: LongTable, c: string) => list(t, c) as Float64Array;
  return {
    plays: num('plays'), streams: num('streams'), totalMs: num('total_ms'), uniqueTracks: num('unique_tracks'), uniqueArtists: num('unique_artists'),
    genreCount: num('genre_count'), eligible: num('eligible') === 1,
    monthPlays: one('month_plays', 12) as Int32Array, monthMs: one('month_ms', 12) as Float64Array,
    monthTopArtist: one('month_top_artist', 12) as Int32Array, hours: one('hours_ms', 24) as Float64Array,
    topTracks: i32('top_tracks', 'track'), topTrackStreams: i32('top_tracks', 'streams'), topTrackMs: f64('top_tracks', 'ms'),
    artists: i32('artists', 'artist'), artistPlays: i32('artists', 'plays'), artistStreams: i32('artists', 'streams'),
    artistMs: f64('artists', 'ms'), artistFirstStream: f64('artists', 'first_stream_ts'),
    topAlbums: i32('top_albums', 'album'), topAlbumStreams: i32('top_albums', 'streams'), topAlbumMs: f64('top_albums', 'ms'),
    genres: i32('genres', 'genre'), genreMs: f64('genres', 'ms'),
    datedMs: num('dated_ms'), yearMs: num('year_ms'), timelessMs: num('timeless_ms'), featuredMs: num('featured_ms'),
    featureMs: one('feature_ms', FEATURES.length) as Float64Array,
  };
}

/** Every row of a chunk as a summary, in order: the inverse of `SummaryColumns.append` (one walk over the lists). */
export function summariesOf(chunk: SummaryChunk): UserSummary[] {
  const starts = new Float64Array(LONG_TABLE_NAMES.length);
  const out: UserSummary[] = [];
  for (let r = 0; r < chunk.n; r++) {
    out.push(summaryOf(chunk, r, starts));
    LONG_TABLE_NAMES.forEach((t, k) => (starts[k]! += chunk.long[t].counts[r]!));
  }
  return out;
}

/** One row of a chunk as a summary (tests). */
export function summaryAt(chunk: SummaryChunk, row: number): UserSummary {
  if (!(Number.isInteger(row) && row >= 0 && row < chunk.n)) throw new RangeError(`row ${row} of a chunk of ${chunk.n}`);
  const starts = LONG_TABLE_NAMES.map((t) => chunk.long[t].counts.subarray(0, row).reduce((a, b) => a + b, 0));
  return summaryOf(chunk, row, starts);
}
