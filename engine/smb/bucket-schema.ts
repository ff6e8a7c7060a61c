import * as arrow from 'apache-arrow';

/**
 * The columns of an SMB bucket file (format version 1), all fixed-width
 * except the two small dictionary columns kernels never read. Rows are sorted
 * by SORT_KEYS (a day) or ROLLUP_SORT_KEYS (a roll-up). See docs/smb-format.md.
 */
export const BUCKET_FIELDS = [
  new arrow.Field('user_key', new arrow.FixedSizeBinary(16), false),
  new arrow.Field('ts', new arrow.TimestampMillisecond('UTC'), false),
  new arrow.Field('track', new arrow.Int32(), false),
  new arrow.Field('artist', new arrow.Int32(), false),
  new arrow.Field('album', new arrow.Int32(), false),
  new arrow.Field('ms_played', new arrow.Int32(), false),
  new arrow.Field('arrival_day', new arrow.Int32(), false),
  new arrow.Field('source', new arrow.Int8(), false),
  new arrow.Field('private_session', new arrow.Uint8(), false),
  new arrow.Field('device_class', new arrow.Dictionary(new arrow.Utf8(), new arrow.Int32()), false),
  new arrow.Field('country', new arrow.Dictionary(new arrow.Utf8(), new arrow.Int32()), false),
];

export const BUCKET_SCHEMA = new arrow.Schema(BUCKET_FIELDS);

/** Day partitions: rows by (user_key, ts), ties in arrival order. */
export const SORT_KEYS = ['user_key', 'ts', 'arrival order'] as const;

/**
 * Roll-ups: rows by (user_key, track, ts), ties in arrival order, where
 * `track` is the stored int32 code (negative: an overflow id). A user's plays
 * of one track are one run, so stage 1 finds a track once per run, and exact
 * duplicates (same track, ts, ms_played) are neighbours.
 */
export const ROLLUP_SORT_KEYS = ['user_key', 'track', 'ts', 'arrival order'] as const;

/** Whether a partition's rows are in day-partition order: each user's rows sorted by ts. */
export const isTsSorted = (sortKeys: readonly string[]): boolean => sortKeys.length === SORT_KEYS.length && sortKeys.every((k, i) => k === SORT_KEYS[i]);

/** Whether a partition's rows are in roll-up order (one run per user and track). */
export const isTrackSorted = (sortKeys: readonly string[]): boolean => sortKeys.length === ROLLUP_SORT_KEYS.length && sortKeys.every((k, i) => k === ROLLUP_SORT_KEYS[i]);

/** The schema as recorded in metadata.json. */
export function schemaDescription(): Array<{ name: string; type: string }> {
  return BUCKET_FIELDS.map((f) => ({ name: f.name, type: String(f.type) }));
}
