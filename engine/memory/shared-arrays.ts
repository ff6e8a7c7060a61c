/**
 * Typed arrays in SharedArrayBuffers, for data broadcast once to every pool
 * worker (catalog maps) and for bucket bytes handed to tasks by descriptor.
 * A SharedArrayBuffer passed to a Piscina task is shared, not copied.
 */
type Ctor<T> = { new (buffer: SharedArrayBuffer, byteOffset?: number, length?: number): T; BYTES_PER_ELEMENT: number };

/** A shared copy of a typed array. */
export function shared<T extends Int32Array | Float64Array | Uint8Array | Int16Array>(a: T): T {
  const C = a.constructor as unknown as Ctor<T>;
  const sab = new SharedArrayBuffer(Math.max(8, a.byteLength));
  const out = new C(sab, 0, a.length);
  out.set(a as never);
  return out;
}
