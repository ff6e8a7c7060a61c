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

/** `a` itself when it holds at least `n` elements, else a copy of it with capacity doubled until it does. */
export function atLeast<T extends Typed>(a: T, n: number): T {
  if (a.length >= n) return a;
  let cap = Math.max(1, a.length);
  while (cap < n) cap *= 2;
  return grown(a, a.length, cap);
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
