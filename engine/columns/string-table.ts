/**
 * A table of strings as UTF-8 bytes end to end plus offsets: the shape of an
 * Arrow Utf8 vector's buffers, and of id dictionaries. Entry i is
 * bytes[offsets[i], offsets[i + 1]).
 */
export interface StringTable {
  readonly bytes: Uint8Array;
  readonly offsets: Int32Array;
}

const encoder = new TextEncoder();
const decoder = new TextDecoder();

/**
 * Builds a table from strings. All-ASCII input (ids) is written one code unit
 * per byte in one pass; otherwise each string goes through a TextEncoder.
 */
export function stringTable(values: readonly string[]): StringTable {
  const offsets = new Int32Array(values.length + 1);
  let total = 0;
  let ascii = true;
  for (let i = 0; i < values.length; i++) {
    const v = values[i]!;
    for (let k = 0; k < v.length && ascii; k++) if (v.charCodeAt(k) > 0x7f) ascii = false;
    offsets[i + 1] = total += v.length;
  }
  if (!ascii) return encodedTable(values, offsets);
  const bytes = new Uint8Array(total);
  for (let i = 0; i < values.length; i++) {
    const v = values[i]!;
    const o = offsets[i]!;
    for (let k = 0; k < v.length; k++) bytes[o + k] = v.charCodeAt(k);
  }
  return { bytes, offsets };
}

/**
 * `stringTable` for input that is not all ASCII, through a TextEncoder. Apart
 * because it is rare: compiled into `stringTable`, its first use after a run of
 * ASCII tables deoptimized it, in every worker (--trace-deopt; docs/benchmarks.md, session 16).
 */
function encodedTable(values: readonly string[], offsets: Int32Array): StringTable {
  const parts = values.map((v) => encoder.encode(v));
  let total = 0;
  parts.forEach((p, i) => (offsets[i + 1] = total += p.length));
  const bytes = new Uint8Array(total);
  parts.forEach((p, i) => bytes.set(p, offsets[i]!));
  return { bytes, offsets };
}

/** Wraps fixed-width entries (ids) laid end to end. */
export function fixedWidthTable(bytes: Uint8Array, width: number): StringTable {
  const count = bytes.length / width;
  const offsets = new Int32Array(count + 1);
  for (let i = 0; i <= count; i++) offsets[i] = i * width;
  return { bytes, offsets };
}

export function tableSize(t: StringTable): number {
  return t.offsets.length - 1;
}

/** Entry i as a string (not for hot loops). */
export function entryString(t: StringTable, i: number): string {
  return decoder.decode(t.bytes.subarray(t.offsets[i]!, t.offsets[i + 1]!));
}

/** Entry i of a string table ('' for -1). */
export const textAt = (t: StringTable, i: number): string => (i < 0 ? '' : entryString(t, i));
