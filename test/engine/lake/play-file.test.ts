import * as fs from 'node:fs';
import * as path from 'node:path';
import * as arrow from 'apache-arrow';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { generateLake } from '../../../fixtures/sample-year/generate.ts';
import { listPlayPartitions } from '../../../engine/lake/lake-layout.ts';
import { readParquetFile, writeParquetFile } from '../../../engine/lake/parquet-io.ts';
import { readPlayFile, type PlayFile } from '../../../engine/lake/play-file.ts';
import { tempDir } from '../../helpers/tmp.ts';

/** Row i of a normalized play file as plain values, for comparisons. */
function rowOf(f: PlayFile, i: number) {
  const s = (c: { codes: Int32Array; dictionary: readonly string[] }) => (c.codes[i]! < 0 ? null : c.dictionary[c.codes[i]!]);
  return [s(f.user_id), s(f.track_id), s(f.artist_id), s(f.album_id), f.ts[i], f.msValid[i] ? f.ms_played[i] : null, s(f.source), s(f.device_class), s(f.country), f.private_session[i]];
}

describe('readPlayFile', () => {
  const tmp = tempDir('reader');
  let sample = '';
  beforeAll(async () => {
    await generateLake({ lake: path.join(tmp.dir, 'lake'), users: 30, seed: 5, years: [2025] });
    // A day with a malformed row, so nulls are part of the comparison.
    const parts = listPlayPartitions(path.join(tmp.dir, 'lake'));
    sample = parts.find((p) => readParquetFile(p.files[0]!).getChild('ts')!.nullCount > 0 || readParquetFile(p.files[0]!).getChild('user_id')!.nullCount > 0)?.files[0] ?? parts[40]!.files[0]!;
  });
  afterAll(() => tmp.cleanup());

  it('reads files as other tools write them: µs and ns timestamps, plain strings, any column order, extra columns', () => {
    const original = readParquetFile(sample);
    const base = readPlayFile(sample);
    const n = original.numRows;
    const tsMs = original.getChild('ts')!;
    const rescaled = (unit: 'us' | 'ns') => {
      const mul = unit === 'us' ? 1000n : 1_000_000n;
      const v = new BigInt64Array(n);
      for (let i = 0; i < n; i++) {
        const x = tsMs.get(i);
        v[i] = x === null ? 0n : BigInt(x) * mul;
      }
      const type = unit === 'us' ? new arrow.TimestampMicrosecond('UTC') : new arrow.TimestampNanosecond('UTC');
      const d = tsMs.data[0]!;
      return arrow.makeVector(arrow.makeData({ type, length: n, nullCount: d.nullCount, nullBitmap: d.nullBitmap, data: v }));
    };
    const plain = (name: string) => arrow.vectorFromArray(original.getChild(name)!.toArray() as (string | null)[], new arrow.Utf8());
    for (const unit of ['us', 'ns'] as const) {
      const t = new arrow.Table({
        extra_column: arrow.makeVector(new Int32Array(n)),
        private_session: original.getChild('private_session')!,
        ts: rescaled(unit),
        country: plain('country'), device_class: plain('device_class'), source: plain('source'),
        ms_played: original.getChild('ms_played')!,
        album_id: plain('album_id'), artist_id: plain('artist_id'), track_id: plain('track_id'), user_id: plain('user_id'),
      });
      const file = path.join(tmp.dir, `other-${unit}.parquet`);
      writeParquetFile(file, t);
      const other = readPlayFile(file);
      expect(other.n).toBe(base.n);
      for (let i = 0; i < n; i++) expect(rowOf(other, i)).toEqual(rowOf(base, i));
    }
  });

  it('gives each dictionary as strings, as UTF-8 bytes and entry by entry, all alike, whichever form it was read in', () => {
    const t = readParquetFile(sample);
    const plainFile = path.join(tmp.dir, 'plain-strings.parquet');
    // Non-ASCII values too: the byte form is UTF-8, not one byte per character.
    const plain = new arrow.Table(Object.fromEntries(t.schema.fields.map((f) => {
      const v = t.getChild(f.name)!;
      if (f.name !== 'country') return [f.name, v];
      return [f.name, arrow.vectorFromArray((v.toArray() as (string | null)[]).map((x, i) => (x === null || i % 3 ? x : `${x}-é☃`)), new arrow.Utf8())];
    })));
    writeParquetFile(plainFile, plain, { plainColumns: ['country'] });
    for (const f of [readPlayFile(sample), readPlayFile(plainFile)]) {
      for (const col of ['user_id', 'track_id', 'artist_id', 'album_id', 'source', 'device_class', 'country'] as const) {
        const c = f[col];
        const { bytes, offsets } = c.table;
        const fromBytes = Array.from({ length: offsets.length - 1 }, (_, k) => new TextDecoder().decode(bytes.subarray(offsets[k]!, offsets[k + 1]!)));
        const oneByOne = fromBytes.map((_, k) => c.valueAt(k));
        expect(fromBytes.length).toBeGreaterThan(0);
        expect(fromBytes).toEqual(c.dictionary);
        expect(oneByOne).toEqual(c.dictionary);
      }
    }
    expect(readPlayFile(plainFile).country.dictionary.some((x) => x.endsWith('-é☃'))).toBe(true);
  });

  it('names the file when it is truncated or not Parquet at all', () => {
    const truncated = path.join(tmp.dir, 'truncated.parquet');
    fs.writeFileSync(truncated, fs.readFileSync(sample).subarray(0, 1000));
    expect(() => readPlayFile(truncated)).toThrow(expect.objectContaining({ code: 'ERR_PARQUET_READ', message: expect.stringContaining(truncated) }));
    const garbage = path.join(tmp.dir, 'garbage.parquet');
    fs.writeFileSync(garbage, 'this is not parquet');
    expect(() => readPlayFile(garbage)).toThrow(expect.objectContaining({ code: 'ERR_PARQUET_READ', message: expect.stringContaining(garbage) }));
    expect(() => readPlayFile(path.join(tmp.dir, 'missing.parquet'))).toThrow(expect.objectContaining({ code: 'ERR_IO' }));
  });

  it('names the file and the column when a column is missing or of the wrong type', () => {
    const original = readParquetFile(sample);
    const noSource = path.join(tmp.dir, 'no-source.parquet');
    const cols = Object.fromEntries(original.schema.fields.filter((f) => f.name !== 'source').map((f) => [f.name, original.getChild(f.name)!]));
    writeParquetFile(noSource, new arrow.Table(cols));
    expect(() => readPlayFile(noSource)).toThrow(expect.objectContaining({ code: 'ERR_LAKE_MISSING_COLUMN', message: expect.stringMatching(/no-source\.parquet: expected column 'source'/) }));
    const badTs = path.join(tmp.dir, 'bad-ts.parquet');
    writeParquetFile(badTs, new arrow.Table({ ...cols, source: original.getChild('source')!, ts: arrow.vectorFromArray(Array.from({ length: original.numRows }, () => 'yesterday'), new arrow.Utf8()) }));
    expect(() => readPlayFile(badTs)).toThrow(expect.objectContaining({ code: 'ERR_LAKE_BAD_COLUMN_TYPE', message: expect.stringMatching(/bad-ts\.parquet: column 'ts' must be a timestamp/) }));
  });
});
