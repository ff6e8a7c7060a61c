import * as fs from 'node:fs';
import * as arrow from 'apache-arrow';
import { Footer } from 'apache-arrow/ipc/metadata/file';
import { Message, type RecordBatch as RecordBatchMetadata } from 'apache-arrow/ipc/metadata/message';
import { describeCause, wrappedError } from '../errors/registry.ts';
import { BUCKET_FIELDS } from './bucket-schema.ts';
import { KEY_BYTES } from './key.ts';
import type { BufferIndex } from './metadata.ts';
import { utf8Strings } from '../columns/utf8-strings.ts';

/**
 * One bucket file's columns as typed arrays viewing the file's bytes in place
 * (no copy when the file holds one record batch, as the writer makes them).
 * ts stays 64-bit: `tsWords` holds (low, high) int32 pairs.
 */
export interface BucketViews {
  readonly n: number;
  readonly keys: Uint8Array;
  readonly tsWords: Int32Array;
  readonly track: Int32Array;
  readonly artist: Int32Array;
  readonly album: Int32Array;
  readonly ms: Int32Array;
  readonly arrival: Int32Array;
  readonly source: Int8Array;
  readonly priv: Uint8Array;
}

export interface BucketColumns extends BucketViews {
  readonly file: string;
  readonly device: { readonly codes: Int32Array; readonly dictionary: readonly string[] };
  readonly country: { readonly codes: Int32Array; readonly dictionary: readonly string[] };
}

/** ts (ms since the epoch) of row i, exact below 2^53. */
export function tsAt(c: BucketViews, i: number): number {
  return c.tsWords[2 * i + 1]! * 4294967296 + (c.tsWords[2 * i]! >>> 0);
}

const EMPTY = (file: string): BucketColumns => ({
  file, n: 0, keys: new Uint8Array(0), tsWords: new Int32Array(0), track: new Int32Array(0), artist: new Int32Array(0),
  album: new Int32Array(0), ms: new Int32Array(0), arrival: new Int32Array(0), source: new Int8Array(0), priv: new Uint8Array(0),
  device: { codes: new Int32Array(0), dictionary: [] }, country: { codes: new Int32Array(0), dictionary: [] },
});

/**
 * Parses bucket-file bytes (e.g. a SharedArrayBuffer view) into columns.
 * `expectRows` comes from metadata.json; a mismatch, a wrong schema or bytes
 * that are not Arrow IPC are errors naming the file.
 */
export function bucketColumns(file: string, bytes: Uint8Array, expectRows: number): BucketColumns {
  if (bytes.length === 0) {
    if (expectRows !== 0) throw wrappedError('ERR_SMB_CORRUPT_BUCKET', { file, problem: `expected ${expectRows} rows, found an empty file` });
    return EMPTY(file);
  }
  let t: arrow.Table;
  try {
    t = arrow.tableFromIPC(bytes);
  } catch (e) {
    throw wrappedError('ERR_SMB_CORRUPT_BUCKET', { file, problem: `expected an Arrow IPC file, ${describeCause(e)}` }, e);
  }
  const bad = (problem: string) => wrappedError('ERR_SMB_CORRUPT_BUCKET', { file, problem });
  if (t.numRows !== expectRows) throw bad(`expected ${expectRows} rows (metadata.json), found ${t.numRows}`);
  if (t.batches.length !== 1) throw bad(`expected one record batch, found ${t.batches.length}`);
  const fields = t.schema.fields.map((f) => `${f.name}:${String(f.type)}`).join(',');
  const expected = BUCKET_FIELDS.map((f) => `${f.name}:${String(f.type)}`).join(',');
  if (fields !== expected) throw bad(`expected columns ${expected}, found ${fields}`);
  const n = t.numRows;
  const col = (i: number) => t.batches[0]!.data.children[i]!;
  // Arrow JS exposes the 8-byte-padded buffer as `values`: view exactly n rows from the data's offset.
  const view = <T extends Int32Array | Int8Array | Uint8Array>(i: number, width = 1): T => {
    const d = col(i);
    return (d.values as T).subarray(d.offset * width, (d.offset + n) * width) as T;
  };
  const dict = (i: number) => ({ codes: view<Int32Array>(i), dictionary: utf8Strings(col(i).dictionary!) as string[] });
  const tsData = col(1);
  const ts = tsData.values as BigInt64Array;
  return {
    file, n,
    keys: view<Uint8Array>(0, KEY_BYTES),
    tsWords: new Int32Array(ts.buffer, ts.byteOffset + tsData.offset * 8, n * 2),
    track: view<Int32Array>(2), artist: view<Int32Array>(3), album: view<Int32Array>(4), ms: view<Int32Array>(5),
    arrival: view<Int32Array>(6), source: view<Int8Array>(7), priv: view<Uint8Array>(8),
    device: dict(9), country: dict(10),
  };
}

/** Reads a bucket file (and closes it: a reader holds no file open). */
export function readBucketFile(file: string, expectRows: number): BucketColumns {
  let bytes: Uint8Array;
  try {
    bytes = fs.readFileSync(file);
  } catch (e) {
    throw wrappedError('ERR_IO', { op: 'reading', path: file, cause: describeCause(e) }, e);
  }
  // Small files come from Node's shared buffer pool at any offset; Arrow needs 8-byte alignment to view in place.
  if (bytes.byteOffset % 8 !== 0) bytes = new Uint8Array(bytes);
  return bucketColumns(file, bytes, expectRows);
}


/**
 * Views of a bucket file's fixed-width columns from its buffer index in
 * metadata.json: no Arrow parsing, so a reader of many small files pays only
 * for the bytes. Checks that every column lies inside the file.
 */
export function bucketViews(file: string, bytes: Uint8Array, rows: number, idx: BufferIndex): BucketViews {
  const need = (off: number, len: number, col: string) => {
    if (off < 0 || off % 8 !== 0 || off + len > bytes.length) {
      throw wrappedError('ERR_SMB_CORRUPT_BUCKET', { file, problem: `column ${col} at byte ${off} (+${len}) lies outside the file's ${bytes.length} bytes` });
    }
    return bytes.byteOffset + off;
  };
  const b = bytes.buffer;
  return {
    n: rows,
    keys: new Uint8Array(b, need(idx.keys, rows * KEY_BYTES, 'user_key'), rows * KEY_BYTES),
    tsWords: new Int32Array(b, need(idx.ts, rows * 8, 'ts'), rows * 2),
    track: new Int32Array(b, need(idx.track, rows * 4, 'track'), rows),
    artist: new Int32Array(b, need(idx.artist, rows * 4, 'artist'), rows),
    album: new Int32Array(b, need(idx.album, rows * 4, 'album'), rows),
    ms: new Int32Array(b, need(idx.ms, rows * 4, 'ms_played'), rows),
    arrival: new Int32Array(b, need(idx.arrival, rows * 4, 'arrival_day'), rows),
    source: new Int8Array(b, need(idx.source, rows, 'source'), rows),
    priv: new Uint8Array(b, need(idx.priv, rows, 'private_session'), rows),
  };
}

/**
 * The buffer index of bucket-file bytes (at write time), read from the IPC
 * file's footer and its record batch's metadata: where the batch's body starts
 * and each buffer's offset in it. No column or dictionary is decoded. Every
 * field of BUCKET_SCHEMA has two buffers (validity, then values or dictionary
 * indexes), so field i's values are buffer 2i + 1.
 */
export function bufferIndexOf(file: string, bytes: Uint8Array, rows: number): BufferIndex | undefined {
  if (rows === 0) return undefined;
  const dv = new DataView(bytes.buffer, bytes.byteOffset, bytes.byteLength);
  const footerLength = dv.getInt32(bytes.length - 10, true);
  const footer = Footer.decode(bytes.subarray(bytes.length - 10 - footerLength, bytes.length - 10));
  const block = footer.getRecordBatch(0);
  const bad = (problem: string) => wrappedError('ERR_SMB_CORRUPT_BUCKET', { file, problem });
  if (!block || footer.numRecordBatches !== 1) throw bad(`expected one record batch, found ${footer.numRecordBatches}`);
  // A message starts with the continuation marker (-1) and the metadata's length (older writers: the length alone).
  const continued = dv.getInt32(block.offset, true) === -1;
  const metaStart = block.offset + (continued ? 8 : 4);
  const metaLength = dv.getInt32(block.offset + (continued ? 4 : 0), true);
  const batch = Message.decode(bytes.subarray(metaStart, metaStart + metaLength)).header() as RecordBatchMetadata;
  if (batch.length !== rows || batch.buffers.length !== 2 * BUCKET_FIELDS.length) {
    throw bad(`expected ${rows} rows in ${2 * BUCKET_FIELDS.length} buffers, found ${batch.length} rows in ${batch.buffers.length} buffers`);
  }
  const body = block.offset + block.metaDataLength;
  const values = (field: number) => body + batch.buffers[2 * field + 1]!.offset;
  return { keys: values(0), ts: values(1), track: values(2), artist: values(3), album: values(4), ms: values(5), arrival: values(6), source: values(7), priv: values(8) };
}
