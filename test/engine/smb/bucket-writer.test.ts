import * as arrow from 'apache-arrow';
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { DictionaryScratch, dictionaryColumn, int32Column, timestampMsColumn } from '../../../engine/columns/dictionary-column.ts';
import { stringTable } from '../../../engine/columns/string-table.ts';
import { bucketColumns, bufferIndexOf, tsAt } from '../../../engine/smb/bucket-file.ts';
import { BUCKET_FIELDS, BUCKET_SCHEMA } from '../../../engine/smb/bucket-schema.ts';
import { BucketWriter } from '../../../engine/smb/bucket-writer.ts';
import { KEY_BYTES } from '../../../engine/smb/key.ts';
import { RowBlock } from '../../../engine/smb/row-block.ts';

/** The reference: the same rows gathered into Arrow vectors and written by Arrow JS's own IPC file writer. */
function arrowReference(b: RowBlock, order: Uint32Array, start: number, end: number): Uint8Array {
  const n = end - start;
  const keys = new Uint8Array(n * KEY_BYTES);
  const ts = new Float64Array(n);
  const cols = Array.from({ length: 7 }, () => new Int32Array(n));
  const [track, artist, album, ms, arrival, device, country] = cols as [Int32Array, Int32Array, Int32Array, Int32Array, Int32Array, Int32Array, Int32Array];
  const source = new Int8Array(n);
  const priv = new Uint8Array(n);
  for (let i = 0; i < n; i++) {
    const r = order[start + i]!;
    keys.set(b.userKeys.subarray(b.user[r]! * KEY_BYTES, (b.user[r]! + 1) * KEY_BYTES), i * KEY_BYTES);
    ts[i] = b.ts[r]!;
    track[i] = b.track[r]!;
    artist[i] = b.artist[r]!;
    album[i] = b.album[r]!;
    ms[i] = b.ms[r]!;
    arrival[i] = b.arrival[r]!;
    source[i] = b.source[r]!;
    priv[i] = b.priv[r]!;
    device[i] = b.device[r]!;
    country[i] = b.country[r]!;
  }
  const scratch = new DictionaryScratch();
  const children = [
    arrow.makeData({ type: new arrow.FixedSizeBinary(KEY_BYTES), length: n, data: keys }),
    timestampMsColumn(ts, n),
    int32Column(track, n), int32Column(artist, n), int32Column(album, n), int32Column(ms, n), int32Column(arrival, n),
    arrow.makeData({ type: new arrow.Int8(), length: n, data: source }),
    arrow.makeData({ type: new arrow.Uint8(), length: n, data: priv }),
    dictionaryColumn(device, n, stringTable(b.devices), scratch),
    dictionaryColumn(country, n, stringTable(b.countries), scratch),
  ];
  const batch = new arrow.RecordBatch(BUCKET_SCHEMA, arrow.makeData({ type: new arrow.Struct(BUCKET_FIELDS), length: n, children }));
  return arrow.tableToIPC(new arrow.Table([batch]), 'file');
}

const row = fc.record({
  user: fc.nat(5), ts: fc.oneof(fc.integer({ min: 0, max: 2 ** 45 }), fc.constantFrom(0, 2 ** 32 - 1, 2 ** 32, 2 ** 53 - 1)),
  track: fc.integer(), artist: fc.integer(), album: fc.integer(), ms: fc.integer({ min: 0, max: 2 ** 31 - 1 }), arrival: fc.nat(40_000),
  source: fc.integer({ min: -128, max: 127 }), priv: fc.nat(255), device: fc.nat(3), country: fc.nat(6),
});

type Row = typeof row extends fc.Arbitrary<infer T> ? T : never;

/** A block from generated rows; devices and countries include non-ASCII and empty strings. */
function blockOf(rows: readonly Row[]): RowBlock {
  const b = new RowBlock();
  const key = new Uint8Array(KEY_BYTES);
  for (let u = 0; u < 6; u++) {
    for (let k = 0; k < KEY_BYTES; k++) key[k] = (u * 37 + k * 11) & 0xff;
    b.internUser(key, 0, u * 7919);
  }
  const devices = ['smartphone', 'desktop', '', 'tv'];
  const countries = ['SE', 'DE', 'Österreich', '日本', 'US', 'BR', 'x'];
  b.reserve(rows.length);
  rows.forEach((r, i) => {
    b.user[i] = r.user;
    b.ts[i] = r.ts;
    b.track[i] = r.track;
    b.artist[i] = r.artist;
    b.album[i] = r.album;
    b.ms[i] = r.ms;
    b.arrival[i] = r.arrival;
    b.source[i] = r.source;
    b.priv[i] = r.priv;
    b.device[i] = RowBlock.intern(b.devices, b.deviceIndex, devices[r.device]!);
    b.country[i] = RowBlock.intern(b.countries, b.countryIndex, countries[r.country]!);
  });
  b.n = rows.length;
  return b;
}

describe('BucketWriter', () => {
  it("writes byte for byte what Arrow JS's IPC file writer writes, for any rows, order and range (one writer reused)", () => {
    const writer = new BucketWriter();
    fc.assert(fc.property(fc.array(row, { minLength: 1, maxLength: 120 }), fc.nat(), fc.nat(), fc.nat(), (rows, seed, a, z) => {
      const b = blockOf(rows);
      const n = rows.length;
      // A permutation of the rows and a sub-range of it, as bucketing hands the writer.
      const order = Uint32Array.from({ length: n }, (_, i) => i);
      let s = seed;
      for (let i = n - 1; i > 0; i--) {
        s = (Math.imul(s, 1103515245) + 12345) >>> 0;
        const j = s % (i + 1);
        [order[i], order[j]] = [order[j]!, order[i]!];
      }
      const start = a % n, end = start + 1 + (z % (n - start));
      const { bytes, buffers } = writer.encode(b, order, start, end);
      expect(Buffer.from(bytes).equals(Buffer.from(arrowReference(b, order, start, end)))).toBe(true);
      // The index from the layout is the one a parse of the footer finds.
      expect(buffers).toEqual(bufferIndexOf('t.arrow', bytes, end - start));
      const c = bucketColumns('t.arrow', bytes, end - start);
      for (let i = 0; i < end - start; i++) {
        const r = order[start + i]!;
        expect(tsAt(c, i)).toBe(b.ts[r]);
        expect(c.country.dictionary[c.country.codes[i]!]).toBe(b.countries[b.country[r]!]);
      }
    }), { numRuns: 150 });
  });

  it('gives each range of encodeRanges the same file as encoding that range alone (empty ranges included)', () => {
    const together = new BucketWriter(), alone = new BucketWriter();
    fc.assert(fc.property(fc.array(row, { minLength: 1, maxLength: 200 }), fc.array(fc.nat(), { maxLength: 12 }), (rows, cuts) => {
      const b = blockOf(rows);
      const n = rows.length;
      // Rows in reverse: every file's rows are spread over the block, as a sorted day's are.
      const order = Uint32Array.from({ length: n }, (_, i) => n - 1 - i);
      const bounds = [0, ...cuts.map((c) => c % (n + 1)).sort((x, y) => x - y), n];
      const files = together.encodeRanges(b, order, bounds);
      expect(files).toHaveLength(bounds.length - 1);
      files.forEach((f, k) => {
        const want = alone.encode(b, order, bounds[k]!, bounds[k + 1]!);
        expect(Buffer.from(f.bytes).equals(Buffer.from(want.bytes))).toBe(true);
        expect(f.buffers).toEqual(want.buffers);
        if (bounds[k + 1]! > bounds[k]!) expect(Buffer.from(f.bytes).equals(Buffer.from(arrowReference(b, order, bounds[k]!, bounds[k + 1]!)))).toBe(true);
      });
    }), { numRuns: 100 });
  });

  it('gives an empty file and no index for an empty range', () => {
    const b = blockOf([]);
    expect(new BucketWriter().encode(b, new Uint32Array(0), 0, 0)).toEqual({ bytes: new Uint8Array(0), buffers: undefined });
  });
});
