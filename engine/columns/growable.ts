/**
 * Small helpers for columnar buffers built row by row: growing a typed array
 * (copying the rows in use) and interning strings into a code list.
 */
type Typed = Int8Array | Uint8Array | Int32Array | Uint32Array | Float64Array;

/** A copy of `a` with capacity `cap`, keeping its first `used` elements. */
export function grown<T extends Typed>(a: T, used: number, cap: number): T {
  const b = new (a.constructor as new (n: number) => T)(cap);
  b.set(a.subarray(0, used) as never);
  return b;
}

/** The code of `s` in `list`, appending it when new. */
export function intern(list: string[], index: Map<string, number>, s: string): number {
  let c = index.get(s);
  if (c === undefined) {
    c = list.length;
    index.set(s, c);
    list.push(s);
  }
  return c;
}
