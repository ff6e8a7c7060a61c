import * as arrow from 'apache-arrow';

/**
 * An Arrow string column as JS strings, decoded in one pass over its bytes.
 *
 * Arrow JS decodes a Utf8 value per `get` (a TextDecoder call each, ~0.3 µs);
 * catalog ids, dictionary ids and a day file's dictionaries are hundreds of
 * thousands of values. When a chunk's bytes are all ASCII (ids, codes,
 * countries) they are decoded once as Latin-1 (identical for ASCII) and each
 * value is a slice of that string; otherwise each value is decoded as UTF-8.
 * Null values are null.
 */
export function utf8Strings(v: arrow.Vector | arrow.Data): Array<string | null> {
  const chunks = v instanceof arrow.Data ? [v] : v.data;
  const out = new Array<string | null>(chunks.reduce((s, d) => s + d.length, 0));
  let k = 0;
  for (const d of chunks) {
    if (!arrow.DataType.isUtf8(d.type)) k = decodeOther(d, out, k);
    else if (isAscii(d)) k = decodeAscii(d as arrow.Data<arrow.Utf8>, out, k);
    else k = decodeUtf8(d as arrow.Data<arrow.Utf8>, out, k);
  }
  return out;
}

// One function per kind of chunk: the rare kinds (not Utf8, not ASCII) compiled into the
// common one deoptimized it at their first use, in every worker (--trace-deopt; docs/benchmarks.md, session 16).

// Arrow JS slices a Utf8 chunk's offsets with it (value i spans offsets[i]..offsets[i + 1]);
// its validity bitmap is not sliced (bit d.offset + i).

/** True when every byte of a Utf8 chunk's values is ASCII. */
function isAscii(d: arrow.Data): boolean {
  const offsets = d.valueOffsets as Int32Array;
  const bytes = d.values as Uint8Array;
  const hi = offsets[d.length]!;
  for (let b = offsets[0]!; b < hi; b++) if (bytes[b]! >= 0x80) return false;
  return true;
}

/** An all-ASCII chunk: decoded once as Latin-1 (identical for ASCII), each value a slice of that string. */
function decodeAscii(d: arrow.Data<arrow.Utf8>, out: Array<string | null>, k: number): number {
  const offsets = d.valueOffsets;
  const bytes = d.values;
  const lo = offsets[0]!;
  const text = Buffer.from(bytes.buffer, bytes.byteOffset + lo, offsets[d.length]! - lo).toString('latin1');
  const bm = d.nullCount > 0 ? d.nullBitmap : null;
  for (let i = 0; i < d.length; i++) {
    const at = d.offset + i;
    out[k++] = !bm || (bm[at >> 3]! & (1 << (at & 7))) !== 0 ? text.slice(offsets[i]! - lo, offsets[i + 1]! - lo) : null;
  }
  return k;
}

/** Any other Utf8 chunk: each value decoded as UTF-8. */
function decodeUtf8(d: arrow.Data<arrow.Utf8>, out: Array<string | null>, k: number): number {
  const offsets = d.valueOffsets;
  const bytes = d.values;
  const bm = d.nullCount > 0 ? d.nullBitmap : null;
  for (let i = 0; i < d.length; i++) {
    const at = d.offset + i;
    out[k++] = !bm || (bm[at >> 3]! & (1 << (at & 7))) !== 0 ? decoder.decode(bytes.subarray(offsets[i]!, offsets[i + 1]!)) : null;
  }
  return k;
}

/** LargeUtf8 (64-bit offsets) or anything else: Arrow's own decoding, value by value. */
function decodeOther(d: arrow.Data, out: Array<string | null>, k: number): number {
  const vec = arrow.makeVector(d);
  for (let i = 0; i < d.length; i++) {
    const s = vec.get(i);
    out[k++] = s === null || s === undefined ? null : String(s);
  }
  return k;
}

const decoder = new TextDecoder();
