import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { bucketColumns, bucketViews, bufferIndexOf, tsAt } from '../../../engine/smb/bucket-file.ts';
import { BucketWriter } from '../../../engine/smb/bucket-writer.ts';
import { KEY_BYTES } from '../../../engine/smb/key.ts';
import { RowBlock } from '../../../engine/smb/row-block.ts';

/** A block of n rows with values derived from the row index. */
function blockOf(n: number): RowBlock {
  const b = new RowBlock();
  const key = new Uint8Array(KEY_BYTES);
  for (let u = 0; u < 3; u++) {
    key.fill(u + 1);
    b.internUser(key, 0, u);
  }
  b.reserve(n);
  for (let i = 0; i < n; i++) {
    b.user[i] = i % 3;
    b.ts[i] = 1_735_689_600_000 + i * 1001;
    b.track[i] = i * 7;
    b.artist[i] = -(i + 1);
    b.album[i] = i;
    b.ms[i] = i * 13;
    b.arrival[i] = 20_000 + i;
    b.source[i] = i % 7;
    b.priv[i] = i & 1;
    b.device[i] = RowBlock.intern(b.devices, b.deviceIndex, `d${i % 2}`);
    b.country[i] = RowBlock.intern(b.countries, b.countryIndex, `c${i % 3}`);
  }
  b.n = n;
  return b;
}

describe('bucket file round trip', () => {
  it('views exactly n rows of every column, whatever the padding (odd and even row counts)', () => {
    // Arrow pads buffers to 8 bytes; a reader must not expose the padding as rows.
    // (Found by reading our files with Polars: odd-length Int32 columns came back one long.)
    fc.assert(fc.property(fc.integer({ min: 1, max: 40 }), (n) => {
      const b = blockOf(n);
      const order = Uint32Array.from({ length: n }, (_, i) => i);
      const bytes = new BucketWriter().encode(b, order, 0, n).bytes;
      const c = bucketColumns('test.arrow', bytes, n);
      for (const col of [c.track, c.artist, c.album, c.ms, c.arrival, c.source, c.priv, c.device.codes, c.country.codes]) expect(col.length).toBe(n);
      expect(c.keys.length).toBe(n * KEY_BYTES);
      expect(c.tsWords.length).toBe(2 * n);
      for (let i = 0; i < n; i++) {
        expect(tsAt(c, i)).toBe(b.ts[i]);
        expect([c.track[i], c.artist[i], c.album[i], c.ms[i], c.arrival[i], c.source[i], c.priv[i]]).toEqual([b.track[i], b.artist[i], b.album[i], b.ms[i], b.arrival[i], b.source[i], b.priv[i]]);
        expect(c.keys[i * KEY_BYTES]).toBe(b.user[i]! + 1);
        expect(c.device.dictionary[c.device.codes[i]!]).toBe(`d${i % 2}`);
      }
    }), { numRuns: 40 });
  });

  it("finds each column's buffer from the footer and batch metadata where a full parse finds it", () => {
    fc.assert(fc.property(fc.integer({ min: 1, max: 300 }), fc.integer({ min: 0, max: 3 }), (n, pad) => {
      const bytes = new BucketWriter().encode(blockOf(n), Uint32Array.from({ length: n }, (_, i) => i), 0, n).bytes;
      // At an offset in a larger buffer (as in a SharedArrayBuffer of many files).
      const inBig = new Uint8Array(new ArrayBuffer(bytes.length + 8 * (pad + 1)), 8 * pad, bytes.length);
      inBig.set(bytes);
      const c = bucketColumns('t.arrow', inBig, n);
      const at = (a: ArrayBufferView) => a.byteOffset - inBig.byteOffset;
      const idx = bufferIndexOf('t.arrow', inBig, n)!;
      expect(idx).toEqual({ keys: at(c.keys), ts: at(c.tsWords), track: at(c.track), artist: at(c.artist), album: at(c.album), ms: at(c.ms), arrival: at(c.arrival), source: at(c.source), priv: at(c.priv) });
      const v = bucketViews('t.arrow', inBig, n, idx);
      expect(Array.from(v.track)).toEqual(Array.from(c.track));
      expect(Array.from(v.keys)).toEqual(Array.from(c.keys));
    }), { numRuns: 40 });
    const one = new BucketWriter().encode(blockOf(3), Uint32Array.from([0, 1, 2]), 0, 3).bytes;
    expect(() => bufferIndexOf('one.arrow', one, 4)).toThrow(expect.objectContaining({ code: 'ERR_SMB_CORRUPT_BUCKET', message: expect.stringMatching(/one\.arrow.*expected 4 rows.*found 3 rows/s) }));
  });

  it('reads an empty bucket as an empty file, and rejects a row-count mismatch', () => {
    expect(bucketColumns('e.arrow', new Uint8Array(0), 0).n).toBe(0);
    expect(() => bucketColumns('e.arrow', new Uint8Array(0), 3)).toThrow(expect.objectContaining({ code: 'ERR_SMB_CORRUPT_BUCKET' }));
    const b = blockOf(5);
    const bytes = new BucketWriter().encode(b, Uint32Array.from([0, 1, 2, 3, 4]), 0, 5).bytes;
    expect(() => bucketColumns('x.arrow', bytes, 4)).toThrow(expect.objectContaining({ code: 'ERR_SMB_CORRUPT_BUCKET', message: expect.stringContaining('expected 4 rows (metadata.json), found 5') }));
  });
});
