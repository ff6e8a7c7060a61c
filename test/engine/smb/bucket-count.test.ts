import * as fs from 'node:fs';
import * as path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { generateLake } from '../../../fixtures/sample-year/generate.ts';
import { epochDay } from '../../../engine/lake/calendar.ts';
import { listPlayPartitions } from '../../../engine/lake/lake-layout.ts';
import { readPlayFile } from '../../../engine/lake/play-file.ts';
import { bucketsForDayRows, chooseBucketCount, MIN_BUCKETS, TARGET_ROWS } from '../../../engine/smb/bucket-count.ts';
import { bucketLake, smbPartitionDir } from '../../../engine/smb/bucket-lake.ts';
import { readMetadata } from '../../../engine/smb/metadata.ts';
import { tempDir } from '../../helpers/tmp.ts';

const D1 = epochDay(2025, 3, 1);
const D5 = epochDay(2025, 3, 5);

describe('the default bucket count', () => {
  const tmp = tempDir('bucket-count');
  const lake = path.join(tmp.dir, 'lake');

  beforeAll(async () => {
    await generateLake({ lake, users: 30, seed: 11, years: [2025] });
  });
  afterAll(() => tmp.cleanup());

  it('is the largest power of two leaving a day\'s bucket files at least TARGET_ROWS rows, from MIN_BUCKETS up', () => {
    expect(TARGET_ROWS).toBe(4096);
    expect(MIN_BUCKETS).toBe(8);
    expect(bucketsForDayRows(0)).toBe(8);
    expect(bucketsForDayRows(16 * 4096 - 1)).toBe(8);
    expect(bucketsForDayRows(16 * 4096)).toBe(16);
    expect(bucketsForDayRows(126_707)).toBe(16);
    expect(bucketsForDayRows(128 * 4096)).toBe(128);
    expect(bucketsForDayRows(1e12)).toBe(65536);
  });

  it('comes from the median of the days\' row counts, read from the Parquet footers', async () => {
    const parts = listPlayPartitions(lake, D1, D5);
    const rows = parts.map((p) => p.files.reduce((s, f) => s + readPlayFile(f).n, 0)).sort((a, b) => a - b);
    const got = await chooseBucketCount(path.join(tmp.dir, 'no-smb-yet'), parts);
    expect(got).toEqual({ numBuckets: bucketsForDayRows(rows[2]!), from: 'lake', medianDayRows: rows[2] });
    expect(rows[2]).toBeGreaterThan(0);
    expect(await chooseBucketCount(path.join(tmp.dir, 'no-smb-yet'), parts, 32)).toEqual({ numBuckets: 32, from: 'option' });
  });

  it('is chosen from the lake for a new SMB directory, and kept from its partitions afterwards', async () => {
    const fresh = path.join(tmp.dir, 'fresh');
    const a = await bucketLake({ lake, smb: fresh, from: D1, to: D1 });
    expect(a.buckets.from).toBe('lake');
    expect(readMetadata(smbPartitionDir(fresh, D1)).numBuckets).toBe(a.buckets.numBuckets);

    const given = path.join(tmp.dir, 'given');
    await bucketLake({ lake, smb: given, from: D1, to: D1, numBuckets: 16 });
    const b = await bucketLake({ lake, smb: given, from: D1 + 1, to: D1 + 1 });
    expect(b.buckets).toEqual({ numBuckets: 16, from: 'existing' });
    expect(readMetadata(smbPartitionDir(given, D1 + 1)).numBuckets).toBe(16);
  });

  it('names a Parquet file whose footer cannot be read', async () => {
    const dir = path.join(tmp.dir, 'bad', 'plays', 'year=2025', 'month=03', 'day=01');
    fs.mkdirSync(dir, { recursive: true });
    const bad = path.join(dir, 'part-0.parquet');
    fs.writeFileSync(bad, 'not parquet at all');
    await expect(chooseBucketCount(path.join(tmp.dir, 'bad-smb'), listPlayPartitions(path.join(tmp.dir, 'bad')))).rejects.toMatchObject({ code: 'ERR_PARQUET_READ', message: expect.stringContaining(bad) });
  });
});
