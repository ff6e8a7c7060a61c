import * as fs from 'node:fs';
import * as path from 'node:path';
import pl from 'nodejs-polars';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { generateLake } from '../../../fixtures/sample-year/generate.ts';
import { epochDay } from '../../../engine/lake/calendar.ts';
import { readBucketFile, tsAt } from '../../../engine/smb/bucket-file.ts';
import { bucketLake, smbPartitionDir } from '../../../engine/smb/bucket-lake.ts';
import { readMetadata } from '../../../engine/smb/metadata.ts';
import { tempDir } from '../../helpers/tmp.ts';

/** Bucket files are plain Arrow IPC: an independent implementation (Polars, in Rust) reads the same values. */
describe('SMB bucket files in another Arrow implementation', () => {
  const tmp = tempDir('interop');
  const day = epochDay(2025, 5, 5);
  beforeAll(async () => {
    await generateLake({ lake: path.join(tmp.dir, 'lake'), users: 30, seed: 4, years: [2025] });
    await bucketLake({ lake: path.join(tmp.dir, 'lake'), smb: path.join(tmp.dir, 'smb'), numBuckets: 4, from: day, to: day, workers: 1 });
  });
  afterAll(() => tmp.cleanup());

  it('Polars reads every bucket file with the same rows and values', () => {
    const dir = smbPartitionDir(path.join(tmp.dir, 'smb'), day);
    const m = readMetadata(dir);
    let checked = 0;
    for (const f of m.files.filter((x) => x.rows > 0)) {
      const file = path.join(dir, f.name);
      const ours = readBucketFile(file, f.rows);
      const df = pl.readIPC(fs.readFileSync(file));
      expect(df.columns).toEqual(['user_key', 'ts', 'track', 'artist', 'album', 'ms_played', 'arrival_day', 'source', 'private_session', 'device_class', 'country']);
      expect(df.height).toBe(f.rows);
      for (const col of [ours.track, ours.artist, ours.album, ours.ms, ours.arrival, ours.source, ours.priv, ours.device.codes]) expect(col.length).toBe(f.rows);
      expect(ours.keys.length).toBe(16 * f.rows);
      const ts = df.getColumn('ts').cast(pl.Int64).toArray().map(Number);
      expect(ts).toEqual(Array.from({ length: ours.n }, (_, i) => tsAt(ours, i)));
      expect(df.getColumn('track').toArray()).toEqual(Array.from(ours.track));
      expect(df.getColumn('ms_played').toArray()).toEqual(Array.from(ours.ms));
      expect(df.getColumn('device_class').cast(pl.Utf8).toArray()).toEqual(Array.from(ours.device.codes, (c) => ours.device.dictionary[c]));
      checked++;
    }
    expect(checked).toBeGreaterThan(0);
  });
});
