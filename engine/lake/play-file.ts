import * as arrow from 'apache-arrow';
import { intern } from '../columns/growable.ts';
import { wrappedError } from '../errors/registry.ts';
import { readParquetFile } from './parquet-io.ts';
import { PLAY_COLUMNS, type PlayColumn } from './play-schema.ts';
import { utf8Strings } from '../columns/utf8-strings.ts';
import { stringTable, type StringTable } from '../columns/string-table.ts';

/**
 * A string column as codes into a file-level dictionary: the same shape
 * whether the file stored it plain or dictionary-encoded. Null rows have code -1.
 * The dictionary is there both as UTF-8 bytes (`table`: what validation and
 * id lookups read, with no string per value) and as JS strings (`dictionary`:
 * for rejects and small columns); each is made on first use from the other.
 */
export interface StringCodes {
  readonly codes: Int32Array;
  readonly dictionary: readonly string[];
  readonly table: StringTable;
  /** Entry k as a string, without decoding the whole dictionary (an overflow id, a rejected row's value). */
  valueAt(k: number): string;
}

/** A dictionary held as strings or as an Arrow Utf8 chunk; the other form is made when first asked for. */
class FileDictionary implements StringCodes {
  private strings: readonly string[] | undefined;
  private utf8: StringTable | undefined;
  private readonly chunk: arrow.Data<arrow.Utf8> | undefined;

  constructor(readonly codes: Int32Array, from: { strings: readonly string[] } | { chunk: arrow.Data<arrow.Utf8> }) {
    if ('strings' in from) {
      this.strings = from.strings;
    } else {
      this.chunk = from.chunk;
      this.utf8 = { bytes: from.chunk.values, offsets: from.chunk.valueOffsets };
    }
  }

  get dictionary(): readonly string[] {
    return (this.strings ??= utf8Strings(this.chunk!) as string[]);
  }

  get table(): StringTable {
    return (this.utf8 ??= stringTable(this.strings!));
  }

  valueAt(k: number): string {
    if (this.strings) return this.strings[k]!;
    const { bytes, offsets } = this.utf8!;
    return decoder.decode(bytes.subarray(offsets[k]!, offsets[k + 1]!));
  }
}

const decoder = new TextDecoder();

/** A play file's columns, normalized: ts in UTC milliseconds whatever the stored unit. */
export interface PlayFile {
  readonly file: string;
  readonly n: number;
  readonly user_id: StringCodes;
  readonly track_id: StringCodes;
  readonly artist_id: StringCodes;
  readonly album_id: StringCodes;
  readonly source: StringCodes;
  readonly device_class: StringCodes;
  readonly country: StringCodes;
  /** Milliseconds since the epoch; NaN for null. */
  readonly ts: Float64Array;
  /** ms_played; `msValid[i]` is 0 for null. */
  readonly ms_played: Int32Array;
  readonly msValid: Uint8Array;
  /** 0, 1, or 255 for null. */
  readonly private_session: Uint8Array;
}

const STRING_COLUMNS = ['user_id', 'track_id', 'artist_id', 'album_id', 'source', 'device_class', 'country'] as const;

/** Bit j of an Arrow bitmap (validity or bool values), LSB first. */
const bitAt = (bits: Uint8Array, j: number): number => (bits[j >> 3]! >> (j & 7)) & 1;

function isValid(data: arrow.Data, i: number): boolean {
  const bm = data.nullBitmap;
  if (!bm || data.nullCount === 0) return true;
  return bitAt(bm, data.offset + i) === 1;
}

function stringCodes(file: string, name: string, vec: arrow.Vector): StringCodes {
  const n = vec.length;
  const dictionary: string[] = [];
  const index = new Map<string, number>();
  const add = (s: string) => intern(dictionary, index, s);
  // One dictionary-encoded chunk (a file of one row group): its dictionary is the file's,
  // and rows keep their indexes (no interning of every distinct value).
  const only = vec.data.length === 1 ? vec.data[0]! : null;
  const values = only && arrow.DataType.isDictionary(only.type) && only.dictionary!.data.length === 1 ? only.dictionary!.data[0]! : null;
  if (only && values && values.nullCount === 0 && arrow.DataType.isUtf8(values.type)) {
    const idx = only.values as ArrayLike<number>;
    // Int32 indexes with no nulls are the codes as they are: a view, not a copy.
    if (only.nullCount === 0 && idx instanceof Int32Array) return new FileDictionary(idx.subarray(only.offset, only.offset + n), { chunk: values as arrow.Data<arrow.Utf8> });
    const codes = new Int32Array(n);
    const hasNulls = only.nullCount > 0;
    for (let i = 0; i < n; i++) codes[i] = hasNulls && !isValid(only, i) ? -1 : idx[only.offset + i]!;
    return new FileDictionary(codes, { chunk: values as arrow.Data<arrow.Utf8> });
  }
  const codes = new Int32Array(n);
  let row = 0;
  for (const data of vec.data) {
    if (arrow.DataType.isDictionary(data.type)) {
      // Remap the batch's dictionary once; rows are then one array lookup each.
      const dict = utf8Strings(data.dictionary!);
      const remap = new Int32Array(dict.length);
      for (let k = 0; k < dict.length; k++) {
        const s = dict[k];
        remap[k] = s === null || s === undefined ? -1 : add(s);
      }
      const idx = data.values as ArrayLike<number>;
      const hasNulls = data.nullCount > 0;
      for (let i = 0; i < data.length; i++) codes[row + i] = hasNulls && !isValid(data, i) ? -1 : remap[idx[data.offset + i]!]!;
    } else if (arrow.DataType.isUtf8(data.type) || arrow.DataType.isLargeUtf8(data.type)) {
      const v = utf8Strings(data);
      for (let i = 0; i < data.length; i++) {
        const s = v[i];
        codes[row + i] = s === null || s === undefined ? -1 : add(s);
      }
    } else {
      throw wrappedError('ERR_LAKE_BAD_COLUMN_TYPE', { file, column: name, expected: 'a string column (plain or dictionary-encoded)', actual: String(data.type) });
    }
    row += data.length;
  }
  return new FileDictionary(codes, { strings: dictionary });
}

/** Milliseconds from a 64-bit timestamp split in two 32-bit words, exactly (no BigInt per row). */
function timestampMs(file: string, vec: arrow.Vector, out: Float64Array): void {
  let row = 0;
  for (const data of vec.data) {
    if (!arrow.DataType.isTimestamp(data.type)) {
      throw wrappedError('ERR_LAKE_BAD_COLUMN_TYPE', { file, column: 'ts', expected: 'a timestamp', actual: String(data.type) });
    }
    const unit = data.type.unit;
    const v = data.values as BigInt64Array;
    const words = new Int32Array(v.buffer, v.byteOffset + data.offset * 8, data.length * 2);
    const hasNulls = data.nullCount > 0;
    for (let i = 0; i < data.length; i++) {
      const lo = words[2 * i]! >>> 0;
      const hi = words[2 * i + 1]!;
      let ms: number;
      // 2^32 = 4294 * 10^6 + 967296 = 4294967 * 10^3 + 296: keeps every intermediate exact.
      if (unit === arrow.TimeUnit.MILLISECOND) ms = hi * 4294967296 + lo;
      else if (unit === arrow.TimeUnit.MICROSECOND) ms = hi * 4294967 + Math.floor((hi * 296 + lo) / 1000);
      else if (unit === arrow.TimeUnit.NANOSECOND) ms = hi * 4294 + Math.floor((hi * 967296 + lo) / 1_000_000);
      else ms = (hi * 4294967296 + lo) * 1000;
      out[row + i] = hasNulls && !isValid(data, i) ? NaN : ms;
    }
    row += data.length;
  }
}

/** Reads one play file of the lake, by column name; extra columns are ignored. */
export function readPlayFile(file: string): PlayFile {
  const table = readParquetFile(file);
  const found = table.schema.fields.map((f) => f.name);
  const col = (name: PlayColumn): arrow.Vector => {
    const v = table.getChild(name);
    if (!v) throw wrappedError('ERR_LAKE_MISSING_COLUMN', { file, column: name, found });
    return v;
  };
  for (const c of PLAY_COLUMNS) col(c);
  const n = table.numRows;
  const strings = Object.fromEntries(STRING_COLUMNS.map((c) => [c, stringCodes(file, c, col(c))])) as Record<(typeof STRING_COLUMNS)[number], StringCodes>;
  const ts = new Float64Array(n);
  timestampMs(file, col('ts'), ts);
  const ms = new Int32Array(n);
  const msValid = new Uint8Array(n);
  const priv = new Uint8Array(n);
  let row = 0;
  for (const data of col('ms_played').data) {
    if (!arrow.DataType.isInt(data.type) || data.type.bitWidth > 32) {
      throw wrappedError('ERR_LAKE_BAD_COLUMN_TYPE', { file, column: 'ms_played', expected: 'int32', actual: String(data.type) });
    }
    const v = data.values as Int32Array | Int16Array | Int8Array | Uint32Array | Uint16Array | Uint8Array;
    if (data.nullCount === 0 && v instanceof Int32Array) {
      ms.set(v.subarray(data.offset, data.offset + data.length), row);
      msValid.fill(1, row, row + data.length);
    } else {
      copyInts(v, data.offset, data.length, nullBits(data), ms, msValid, row);
    }
    row += data.length;
  }
  row = 0;
  for (const data of col('private_session').data) {
    if (!arrow.DataType.isBool(data.type)) {
      throw wrappedError('ERR_LAKE_BAD_COLUMN_TYPE', { file, column: 'private_session', expected: 'bool', actual: String(data.type) });
    }
    unpackBools(data.values as Uint8Array, data.offset, data.length, nullBits(data), priv, row);
    row += data.length;
  }
  return { file, n, ...strings, ts, ms_played: ms, msValid, private_session: priv };
}

/** A chunk's validity bitmap, or null when every value is valid. */
function nullBits(data: arrow.Data): Uint8Array | null {
  return data.nullCount === 0 || !data.nullBitmap ? null : data.nullBitmap;
}

// The per-row loops of readPlayFile, each a small function of its own: inside
// readPlayFile (which inlines Arrow's reader) a hot loop made V8 compile the
// whole function again and again (on-stack replacement, then after each deopt).

/** out[at + i] = values[offset + i], valid[at + i] = 1 unless null (`bits`), for i < length. */
function copyInts(values: ArrayLike<number>, offset: number, length: number, bits: Uint8Array | null, out: Int32Array, valid: Uint8Array, at: number): void {
  for (let i = 0; i < length; i++) {
    const j = offset + i;
    out[at + i] = values[j]!;
    valid[at + i] = bits === null ? 1 : bitAt(bits, j);
  }
}

/** out[at + i] = the bool at bit offset + i (0 or 1), or 255 when null (`bits`), for i < length. */
function unpackBools(values: Uint8Array, offset: number, length: number, bits: Uint8Array | null, out: Uint8Array, at: number): void {
  for (let i = 0; i < length; i++) {
    const j = offset + i;
    out[at + i] = bits !== null && bitAt(bits, j) === 0 ? 255 : bitAt(values, j);
  }
}
