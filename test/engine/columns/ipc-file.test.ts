import * as arrow from 'apache-arrow';
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { IpcFileLayout, IpcScratch } from '../../../engine/columns/ipc-file.ts';

/** The field kinds the layout supports, each with a way to make its Arrow data from values. */
const KINDS = [
  { type: () => new arrow.Int32(), per: 1, make: (n: number) => new Int32Array(n) },
  { type: () => new arrow.Float64(), per: 1, make: (n: number) => new Float64Array(n) },
  { type: () => new arrow.FixedSizeBinary(16), per: 16, make: (n: number) => new Uint8Array(n) },
  { type: () => new arrow.FixedSizeList(12, new arrow.Field('item', new arrow.Int32(), false)), per: 12, make: (n: number) => new Int32Array(n) },
  { type: () => new arrow.FixedSizeList(5, new arrow.Field('item', new arrow.Float64(), false)), per: 5, make: (n: number) => new Float64Array(n) },
] as const;

/** The reference: Arrow JS's own builder-free path, a table of these columns written by `tableToIPC`. */
function arrowFile(fields: arrow.Field[], n: number, values: ArrayLike<number>[]): Uint8Array {
  const data = fields.map((f, k) => {
    const t = f.type;
    if (t instanceof arrow.FixedSizeList) {
      const child = arrow.makeData({ type: t.children[0]!.type, length: n * t.listSize, data: values[k] } as never);
      return arrow.makeData({ type: t, length: n, child } as never);
    }
    return arrow.makeData({ type: t, length: n, data: values[k] } as never);
  });
  const batch = new arrow.RecordBatch(new arrow.Schema(fields), arrow.makeData({ type: new arrow.Struct(fields), length: n, children: data }));
  return arrow.tableToIPC(new arrow.Table([batch]), 'file');
}

describe('IpcFileLayout', () => {
  it("writes the bytes Arrow JS's tableToIPC writes, for any mix of its fixed-width fields and row counts", () => {
    fc.assert(fc.property(
      fc.array(fc.integer({ min: 0, max: KINDS.length - 1 }), { minLength: 1, maxLength: 7 }), fc.integer({ min: 0, max: 40 }), fc.integer(),
      (kinds, n, seed) => {
        const fields = kinds.map((k, i) => new arrow.Field(`c${i}`, KINDS[k]!.type(), false));
        let x = seed | 0;
        const values = kinds.map((k) => {
          const v = KINDS[k]!.make(n * KINDS[k]!.per);
          for (let i = 0; i < v.length; i++) v[i] = (x = (Math.imul(x, 1103515245) + 12345) | 0) % (v instanceof Float64Array ? 1e9 : 256) + (v instanceof Float64Array ? 0.5 : 0);
          return v;
        });
        const layout = new IpcFileLayout(fields, n);
        values.forEach((v, k) => layout.column(k).set(v as never));
        expect(layout.bytes).toEqual(arrowFile(fields, n, values));
        // And Arrow reads it back: the values, in place.
        const t = arrow.tableFromIPC(layout.bytes);
        expect(t.numRows).toBe(n);
      },
    ), { numRuns: 100 });
  });

  it('gives each column a view of exactly its values, 8-byte aligned in the file', () => {
    const fields = [new arrow.Field('a', new arrow.Int32(), false), new arrow.Field('b', new arrow.Float64(), false), new arrow.Field('k', new arrow.FixedSizeBinary(16), false)];
    const layout = new IpcFileLayout(fields, 3);
    const [a, b, k] = [layout.column(0), layout.column(1), layout.column(2)];
    expect([a.length, b.length, k.length]).toEqual([3, 3, 48]);
    for (const c of [a, b, k]) expect(c.byteOffset % 8).toBe(0);
    expect(a).toBeInstanceOf(Int32Array);
    expect(b).toBeInstanceOf(Float64Array);
    expect(() => layout.column(3)).toThrow(/no field 3/);
    expect(() => new IpcFileLayout([new arrow.Field('s', new arrow.Utf8(), false)], 1)).toThrow(/no fixed-width IPC layout/);
  });

  it('lays a file out in a reused buffer with the same bytes as in a fresh one, whatever the buffer held', () => {
    const scratch = new IpcScratch();
    const fields = [new arrow.Field('a', new arrow.Int32(), false), new arrow.Field('m', new arrow.FixedSizeList(12, new arrow.Field('item', new arrow.Float64(), false)), false)];
    // A larger file first, every byte of its buffer then overwritten.
    const big = new IpcFileLayout(fields, 50, scratch);
    big.bytes.fill(0xff);
    // 3 rows: the Int32 column's 12 bytes are padded to 16, and the padding must read zero again.
    const small = new IpcFileLayout(fields, 3, scratch);
    small.column(0).set([1, 2, 3]);
    small.column(1).set(Array.from({ length: 36 }, (_, i) => i / 4));
    const fresh = new IpcFileLayout(fields, 3);
    fresh.column(0).set([1, 2, 3]);
    fresh.column(1).set(Array.from({ length: 36 }, (_, i) => i / 4));
    expect(small.bytes.buffer).toBe(big.bytes.buffer);
    expect(small.bytes).toEqual(fresh.bytes);
  });
});
