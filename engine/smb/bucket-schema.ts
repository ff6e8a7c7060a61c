import * as arrow from 'apache-arrow';

/**
 * The columns of an SMB bucket file (format version 1), all fixed-width
 * except the two small dictionary columns kernels never read. Rows are sorted
 * by (user_key, ts), ties in arrival order. See docs/smb-format.md.
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

export const SORT_KEYS = ['user_key', 'ts', 'arrival order'] as const;

/** The schema as recorded in metadata.json. */
export function schemaDescription(): Array<{ name: string; type: string }> {
  return BUCKET_FIELDS.map((f) => ({ name: f.name, type: String(f.type) }));
}
