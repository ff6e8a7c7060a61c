import * as fs from 'node:fs';
import * as path from 'node:path';
import * as arrow from 'apache-arrow';
import { writeFileAtomic } from '../../engine/lake/atomic-file.ts';
import { bucketFileName } from '../../engine/smb/filename-policy.ts';
import { compareKeys, hexToKey, KEY_BYTES, keyToHex } from '../../engine/smb/key.ts';
import type { UserSummary } from './user-accumulator.ts';
import { IpcFileLayout, IpcScratch } from '../../engine/columns/ipc-file.ts';
import { LONG_TABLE_NAMES, LONG_TABLES, summariesOf, USER_COLUMNS, type Column, type LongChunk, type LongTable, type SummaryChunk } from './summary-columns.ts';

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

/** Part of a bucket's output: a chunk of summaries, and the hex user_id of each of its task's users (`chunk.user` indexes it). */
export interface BucketPart {
  readonly chunk: SummaryChunk;
  readonly userIds: readonly string[];
}

const numberType = (float: boolean) => (float ? new arrow.Float64() : new arrow.Int32());
const listType = (size: number, float: boolean) => new arrow.FixedSizeList(size, new arrow.Field('item', numberType(float), false));
const field = (name: string, type: arrow.DataType) => new arrow.Field(name, type, false);

/** The users table's schema, and each long table's (the same for every bucket). */
const USERS_FIELDS = [field('user_key', new arrow.FixedSizeBinary(KEY_BYTES)), ...USER_COLUMNS.map((c) => field(c.name, c.width === 1 ? numberType(c.float) : listType(c.width, c.float)))];
const longFields = (t: LongTable) => [field('user_key', new arrow.FixedSizeBinary(KEY_BYTES)), field('rank', new arrow.Int32()), ...LONG_TABLES[t].map((c) => field(c.name, numberType(c.float)))];

/** Each part's user keys as bytes, in its rows' order: hex parsed once per user and bucket. */
function partKeys(parts: readonly BucketPart[]): Uint8Array[] {
  return parts.map(({ chunk, userIds }) => {
    const k = new Uint8Array(chunk.n * KEY_BYTES);
    for (let r = 0; r < chunk.n; r++) k.set(hexToKey(userIds[chunk.user[r]!]!), r * KEY_BYTES);
    return k;
  });
}

/** user_key in place, where the p-th part's row r repeats repeat(p, r) times. */
function writeKeys(k: Uint8Array, keys: readonly Uint8Array[], repeat: (p: number, r: number) => number): void {
  let at = 0;
  keys.forEach((pk, p) => {
    for (let r = 0; r < pk.length / KEY_BYTES; r++) {
      const times = repeat(p, r);
      if (times === 0) continue;
      // The key once, then doubling copies: log(times) calls, not one per row.
      k.set(pk.subarray(r * KEY_BYTES, (r + 1) * KEY_BYTES), at);
      for (let filled = 1; filled < times; ) {
        const more = Math.min(filled, times - filled);
        k.copyWithin(at + filled * KEY_BYTES, at, at + more * KEY_BYTES);
        filled += more;
      }
      at += times * KEY_BYTES;
    }
  });
}

/** The parts' arrays one after another, into `out`. */
function concatInto(out: Int32Array | Float64Array | Uint8Array, arrays: readonly Column[]): void {
  let at = 0;
  for (const a of arrays) {
    out.set(a as never, at);
    at += a.length;
  }
}

/**
 * The files' bytes are laid out in this buffer, reused from file to file (each
 * is written before the next is laid out): fresh memory is slow to touch on
 * these machines, and a run writes tens of megabytes of tables.
 */
const scratch = new IpcScratch();

/** A long table: one row per (user, item), items in rank order; each column the parts' columns one after another. */
function long(parts: readonly BucketPart[], keys: readonly Uint8Array[], t: LongTable): Uint8Array {
  const counts = parts.map((p) => p.chunk.long[t].counts);
  const n = counts.reduce((s, c) => c.reduce((a, b) => a + b, s), 0);
  const file = new IpcFileLayout(longFields(t), n, scratch);
  writeKeys(file.column(0) as Uint8Array, keys, (p, r) => counts[p]![r]!);
  const rank = file.column(1);
  let at = 0;
  for (const c of counts) for (let r = 0; r < c.length; r++) for (let k = 1; k <= c[r]!; k++) rank[at++] = k;
  LONG_TABLES[t].forEach((c, k) => concatInto(file.column(k + 2), parts.map((p) => p.chunk.long[t].columns[c.name]!)));
  return file.bytes;
}

/**
 * Encodes one bucket's tables from its parts, in user_key order, and hands each
 * file's bytes to `emit` (valid only during the call: the buffer is reused):
 * each column is the parts' arrays copied one after another straight into its
 * place in the file (engine/columns/ipc-file.ts).
 */
export function encodeAggregateBucket(parts: readonly BucketPart[], emit: (table: (typeof AGGREGATE_TABLES)[number], bytes: Uint8Array) => void): void {
  const keys = partKeys(parts);
  const users = new IpcFileLayout(USERS_FIELDS, parts.reduce((s, p) => s + p.chunk.n, 0), scratch);
  writeKeys(users.column(0) as Uint8Array, keys, () => 1);
  USER_COLUMNS.forEach((c, k) => concatInto(users.column(k + 1), parts.map((p) => p.chunk.users[c.name]!)));
  emit('users', users.bytes);
  for (const t of LONG_TABLE_NAMES) emit(t, long(parts, keys, t));
}

/** Writes one bucket's tables from its parts (`encodeAggregateBucket`), each file atomically. */
export function writeAggregateBucket(dir: string, bucket: number, numBuckets: number, parts: readonly BucketPart[]): void {
  const name = bucketFileName(bucket, numBuckets, 0, 1);
  encodeAggregateBucket(parts, (t, bytes) => writeFileAtomic(path.join(dir, t, name), bytes));
}

/** Reads one bucket's tables back into summaries keyed by user_id (for later stages and tests). */
export function readAggregateBucket(dir: string, bucket: number, numBuckets: number): Map<string, UserSummary> {
  const name = bucketFileName(bucket, numBuckets, 0, 1);
  const read = (t: string) => arrow.tableFromIPC(fs.readFileSync(path.join(dir, t, name)));
  const u = read('users');
  const n = u.numRows;
  const ukeys = tableColumn<Uint8Array>(u, 'user_key');
  // The tables as one chunk of columns (summary-columns.ts), then each row as a summary the way a task's chunk is read.
  const users = Object.fromEntries(USER_COLUMNS.map((c) => [c.name, c.width === 1
    ? tableColumn<Column>(u, c.name)
    : (u.getChild(c.name)!.data[0]!.children[0]!.values as Column)]));
  const long = Object.fromEntries(LONG_TABLE_NAMES.map((t) => {
    const tb = read(t);
    const counts = new Int32Array(n);
    const columns = Object.fromEntries(LONG_TABLES[t].map((c) => [c.name, tb.numRows === 0 ? (c.float ? new Float64Array(0) : new Int32Array(0)) : tableColumn<Column>(tb, c.name)]));
    if (tb.numRows > 0) {
      // Every table is sorted by user_key in the users table's order: one walk counts each user's rows.
      const keys = tableColumn<Uint8Array>(tb, 'user_key');
      let row = 0;
      for (let i = 0; i < n && row < tb.numRows; i++) {
        const start = row;
        while (row < tb.numRows && compareKeys(keys, row, ukeys, i) === 0) row++;
        counts[i] = row - start;
      }
    }
    return [t, { counts, columns }];
  })) as Record<LongTable, LongChunk>;
  const summaries = summariesOf({ n, user: Int32Array.from({ length: n }, (_, i) => i), users, long });
  const out = new Map<string, UserSummary>();
  summaries.forEach((s, i) => out.set(keyToHex(ukeys, i * KEY_BYTES), s));
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
