import * as arrow from 'apache-arrow';
import type { StringTable } from './string-table.ts';

/** A row whose value is not the table entry of its code: a literal string, or null. */
export interface ValueOverride {
  readonly row: number;
  readonly value: string | null;
}

const encoder = new TextEncoder();

/**
 * Scratch for building dictionary columns: a code → local-index map sized to
 * the code space, kept at -1 between uses so each build is O(rows), not
 * O(code space).
 */
export class DictionaryScratch {
  private remap = new Int32Array(0);

  map(size: number): Int32Array {
    if (this.remap.length < size) {
      this.remap = new Int32Array(size);
      this.remap.fill(-1);
    }
    return this.remap;
  }
}

/**
 * Builds an Arrow Dictionary<Int32, Utf8> column from per-row codes into a
 * string table. The dictionary holds only the codes used, in order of first
 * use (so the same rows give the same bytes), plus any override literals.
 */
export function dictionaryColumn(
  codes: Int32Array, n: number, table: StringTable, scratch: DictionaryScratch, overrides: readonly ValueOverride[] = [],
): arrow.Data<arrow.Dictionary<arrow.Utf8, arrow.Int32>> {
  const remap = scratch.map(table.offsets.length - 1);
  const indices = new Int32Array(n);
  const used: number[] = [];
  for (let i = 0; i < n; i++) {
    const c = codes[i]!;
    let l = remap[c]!;
    if (l < 0) {
      l = used.length;
      remap[c] = l;
      used.push(c);
    }
    indices[i] = l;
  }
  const literals: Uint8Array[] = [];
  let nullBitmap: Uint8Array | undefined;
  let nullCount = 0;
  for (const o of overrides) {
    if (o.value === null) {
      if (!nullBitmap) nullBitmap = new Uint8Array((n + 7) >> 3).fill(0xff);
      nullBitmap[o.row >> 3]! &= ~(1 << (o.row & 7));
      nullCount++;
      indices[o.row] = 0;
    } else {
      indices[o.row] = used.length + literals.length;
      literals.push(encoder.encode(o.value));
    }
  }
  let bytes = 0;
  for (const c of used) bytes += table.offsets[c + 1]! - table.offsets[c]!;
  for (const l of literals) bytes += l.length;
  const data = new Uint8Array(bytes);
  const offsets = new Int32Array(used.length + literals.length + 1);
  let at = 0;
  for (let k = 0; k < used.length; k++) {
    const c = used[k]!;
    const s = table.offsets[c]!;
    const e = table.offsets[c + 1]!;
    data.set(table.bytes.subarray(s, e), at);
    at += e - s;
    offsets[k + 1] = at;
    remap[c] = -1;
  }
  literals.forEach((l, k) => {
    data.set(l, at);
    at += l.length;
    offsets[used.length + k + 1] = at;
  });
  const dictionary = arrow.makeVector(utf8Column({ bytes: data, offsets }));
  return arrow.makeData({
    type: new arrow.Dictionary(new arrow.Utf8(), new arrow.Int32()),
    length: n, nullCount, nullBitmap, data: indices, dictionary,
  });
}

/** A non-null Utf8 column over a string table's bytes and offsets (no copy). */
export function utf8Column(t: StringTable): arrow.Data<arrow.Utf8> {
  return arrow.makeData({ type: new arrow.Utf8(), length: t.offsets.length - 1, valueOffsets: t.offsets, data: t.bytes });
}

/** Sets validity bits for the given null rows (undefined when there are none). */
export function nullBitmapFor(n: number, nullRows: readonly number[]): Uint8Array | undefined {
  if (nullRows.length === 0) return undefined;
  const bm = new Uint8Array((n + 7) >> 3).fill(0xff);
  for (const r of nullRows) bm[r >> 3]! &= ~(1 << (r & 7));
  return bm;
}

/** A millisecond UTC timestamp column from Float64 milliseconds (exact below 2^53). */
export function timestampMsColumn(ms: Float64Array, n: number, nullRows: readonly number[] = []): arrow.Data<arrow.TimestampMillisecond> {
  const data = new BigInt64Array(n);
  const words = new Int32Array(data.buffer);
  for (let i = 0; i < n; i++) {
    const v = ms[i]!;
    const hi = Math.floor(v / 4294967296);
    words[2 * i] = (v - hi * 4294967296) | 0;
    words[2 * i + 1] = hi;
  }
  return arrow.makeData({ type: new arrow.TimestampMillisecond('UTC'), length: n, nullCount: nullRows.length, nullBitmap: nullBitmapFor(n, nullRows), data });
}

export function int32Column(values: Int32Array, n: number, nullRows: readonly number[] = []): arrow.Data<arrow.Int32> {
  return arrow.makeData({ type: new arrow.Int32(), length: n, nullCount: nullRows.length, nullBitmap: nullBitmapFor(n, nullRows), data: values.subarray(0, n) });
}

/** A Bool column from one byte per row (0 or 1). */
export function boolColumn(values: Uint8Array, n: number, nullRows: readonly number[] = []): arrow.Data<arrow.Bool> {
  const bits = new Uint8Array((n + 7) >> 3);
  for (let i = 0; i < n; i++) if (values[i]) bits[i >> 3]! |= 1 << (i & 7);
  return arrow.makeData({ type: new arrow.Bool(), length: n, nullCount: nullRows.length, nullBitmap: nullBitmapFor(n, nullRows), data: bits });
}

/** Assembles named columns into an Arrow table with one record batch. */
export function tableOf(columns: ReadonlyArray<readonly [string, arrow.Data]>): arrow.Table {
  const fields = columns.map(([name, d]) => new arrow.Field(name, d.type, true));
  const n = columns[0]?.[1].length ?? 0;
  const struct = arrow.makeData({ type: new arrow.Struct(fields), length: n, children: columns.map(([, d]) => d) });
  return new arrow.Table([new arrow.RecordBatch(new arrow.Schema(fields), struct)]);
}
