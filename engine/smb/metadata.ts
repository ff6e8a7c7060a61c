import * as fs from 'node:fs';
import * as path from 'node:path';
import { describeCause, wrappedError } from '../errors/registry.ts';
import { writeFileAtomic } from '../lake/atomic-file.ts';
import type { RejectReason } from '../lake/play-schema.ts';
import { ROLLUP_SORT_KEYS, SORT_KEYS } from './bucket-schema.ts';
import { METADATA_FILE } from './filename-policy.ts';
import { isPowerOfTwo } from './key.ts';

export const SMB_FORMAT = 'wrapped-smb';
export const SMB_FORMAT_VERSION = 1;

/** A reference to one version of an append-only id dictionary (see dictionary.ts). */
export interface DictionaryRef {
  readonly version: number;
  readonly count: number;
  readonly sha256: string;
}

/** Byte offsets of the fixed-width columns' value buffers inside a bucket file (an index, found at write time). */
export interface BufferIndex {
  readonly keys: number;
  readonly ts: number;
  readonly track: number;
  readonly artist: number;
  readonly album: number;
  readonly ms: number;
  readonly arrival: number;
  readonly source: number;
  readonly priv: number;
}

export interface BucketFileInfo {
  readonly name: string;
  readonly bucket: number;
  readonly shard: number;
  readonly rows: number;
  readonly bytes: number;
  /** Where the fixed-width columns sit in the file, so readers can view them without parsing Arrow metadata. */
  readonly buffers?: BufferIndex;
}

/**
 * metadata.json of an SMB partition directory: written last, as the
 * directory's commit marker. docs/smb-format.md documents every field.
 */
export interface BucketMetadata {
  readonly format: typeof SMB_FORMAT;
  readonly version: number;
  readonly numBuckets: number;
  readonly numShards: number;
  readonly hashType: 'murmur3_32';
  readonly hashSeed: number;
  readonly keyField: 'user_id';
  readonly keyEncoding: 'hex16';
  readonly keyColumn: 'user_key';
  readonly sortKeys: readonly string[];
  readonly schema: ReadonlyArray<{ readonly name: string; readonly type: string }>;
  readonly dictionaries: Readonly<Record<'track' | 'artist' | 'album', DictionaryRef>>;
  /** Ids absent from the dictionary, by column: row code -(i + 1) means overflow[col][i]. */
  readonly overflow: Readonly<Record<'track' | 'artist' | 'album', readonly string[]>>;
  /** What the partition holds: one arrival day, or a range (roll-ups). Epoch days, inclusive. */
  readonly arrivalDays: { readonly first: number; readonly last: number };
  readonly rows: number;
  readonly rejects: Partial<Record<RejectReason, number>>;
  readonly files: readonly BucketFileInfo[];
  /** The inputs this partition was made from (lake files, or SMB partitions for a roll-up), with sizes and modification times. */
  readonly inputs: ReadonlyArray<{ readonly path: string; readonly bytes: number; readonly mtimeMs?: number; /** Roll-ups: SHA-256 of the input partition's metadata.json. */ readonly sha256?: string }>;
}

export function writeMetadata(dir: string, m: BucketMetadata): void {
  writeFileAtomic(path.join(dir, METADATA_FILE), metadataText(m));
}

/** metadata.json's text for `m`. */
export function metadataText(m: BucketMetadata): string {
  return JSON.stringify(m, null, 2) + '\n';
}

/** Reads and checks metadata.json; a directory without one is not a (complete) partition. */
export function readMetadata(dir: string): BucketMetadata {
  const file = path.join(dir, METADATA_FILE);
  if (!fs.existsSync(file)) throw wrappedError('ERR_SMB_NOT_A_PARTITION', { dir });
  let m: BucketMetadata;
  try {
    m = JSON.parse(fs.readFileSync(file, 'utf8')) as BucketMetadata;
  } catch (e) {
    throw wrappedError('ERR_SMB_BAD_METADATA', { file, problem: `expected JSON, ${describeCause(e)}` }, e);
  }
  const bad = (problem: string) => wrappedError('ERR_SMB_BAD_METADATA', { file, problem });
  if (m.format !== SMB_FORMAT) throw bad(`expected format '${SMB_FORMAT}', found '${String(m.format)}'`);
  if (m.version !== SMB_FORMAT_VERSION) throw bad(`expected format version ${SMB_FORMAT_VERSION}, found ${String(m.version)}`);
  if (!isPowerOfTwo(m.numBuckets)) throw bad(`numBuckets must be a power of two, found ${String(m.numBuckets)}`);
  if (!Number.isInteger(m.numShards) || m.numShards < 1) throw bad(`numShards must be a positive integer, found ${String(m.numShards)}`);
  // Readers choose their kernel by the row order: one they do not know is refused, not guessed.
  const orders = [SORT_KEYS, ROLLUP_SORT_KEYS].map((k) => JSON.stringify(k));
  if (!orders.includes(JSON.stringify(m.sortKeys))) throw bad(`expected sortKeys ${orders.join(' or ')}, found ${JSON.stringify(m.sortKeys)}`);
  if (!Array.isArray(m.files) || m.files.length !== m.numBuckets * m.numShards) {
    throw bad(`expected ${m.numBuckets * m.numShards} bucket files, found ${Array.isArray(m.files) ? m.files.length : 'none'}`);
  }
  return m;
}

/**
 * Whether two partitions can be merged bucket by bucket (Scio's
 * isCompatibleWith): same hash, key, encoding, first sort key, schema and
 * dictionary lineage. Bucket and shard counts may differ. Throws naming the field.
 */
export function checkCompatible(a: BucketMetadata, aDir: string, b: BucketMetadata, bDir: string): void {
  const same = (field: string, x: unknown, y: unknown) => {
    const sx = JSON.stringify(x);
    const sy = JSON.stringify(y);
    if (sx !== sy) throw wrappedError('ERR_SMB_INCOMPATIBLE_METADATA', { a: aDir, b: bDir, field, expected: sx, actual: sy });
  };
  same('hashType', a.hashType, b.hashType);
  same('hashSeed', a.hashSeed, b.hashSeed);
  same('keyField', a.keyField, b.keyField);
  same('keyEncoding', a.keyEncoding, b.keyEncoding);
  // Merging needs the same key; the order within a key may differ (days by ts, roll-ups by track, ts).
  same('sortKeys[0]', a.sortKeys[0], b.sortKeys[0]);
  same('schema', a.schema, b.schema);
  for (const col of ['track', 'artist', 'album'] as const) {
    // Dictionaries only append: the older version's codes mean the same in the newer one,
    // which the dictionary store checks by hash (see dictionary.ts). Here: same lineage start.
    const x = a.dictionaries[col];
    const y = b.dictionaries[col];
    if (x.version === y.version) same(`dictionaries.${col}`, x, y);
  }
}
