import * as fs from 'node:fs';
import * as path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { generateLake } from '../../../fixtures/sample-year/generate.ts';
import { epochDay } from '../../../engine/lake/calendar.ts';
import { listPlayPartitions } from '../../../engine/lake/lake-layout.ts';
import { readPlayFile } from '../../../engine/lake/play-file.ts';
import { readBucketFile, tsAt, type BucketColumns } from '../../../engine/smb/bucket-file.ts';
import { bucketLake, smbPartitionDir, type BucketLakeResult } from '../../../engine/smb/bucket-lake.ts';
import { latestDictionary } from '../../../engine/smb/dictionary.ts';
import { KEY_BYTES, keyToHex } from '../../../engine/smb/key.ts';
import { forEachKeyGroup } from '../../../engine/smb/key-group-iterator.ts';
import { readMetadata, type BucketMetadata } from '../../../engine/smb/metadata.ts';
import { murmur3_32 } from '../../../engine/smb/murmur3.ts';
import { rollUpPartitions } from '../../../engine/smb/rollup.ts';
import { ROLLUP_SORT_KEYS } from '../../../engine/smb/bucket-schema.ts';
import { SmbSource } from '../../../engine/smb/smb-source.ts';
import { tempDir, treeHashes } from '../../helpers/tmp.ts';

const FIRST = epochDay(2025, 3, 1);
const LAST = epochDay(2025, 3, 14);
const DAYS = Array.from({ length: LAST - FIRST + 1 }, (_, i) => FIRST + i);
const SOURCES = ['playlist', 'search', 'radio', 'library', 'autoplay', 'share', 'other'];

/** Row → a string of every stored value, for multiset comparisons. */
type Tuple = string;

/** The reference: valid rows of the lake, checked with plain regexes (independent of the engine's validator). */
function referenceRows(lake: string): { rows: Map<Tuple, number>; perUser: Map<string, number>; rejects: number } {
  const rows = new Map<Tuple, number>();
  const perUser = new Map<string, number>();
  let rejects = 0;
  for (const p of listPlayPartitions(lake, FIRST, LAST)) {
    for (const file of p.files) {
      const f = readPlayFile(file);
      const s = (c: { codes: Int32Array; dictionary: readonly string[] }, i: number) => (c.codes[i]! < 0 ? null : c.dictionary[c.codes[i]!]!);
      for (let i = 0; i < f.n; i++) {
        const v = [s(f.user_id, i), s(f.track_id, i), s(f.artist_id, i), s(f.album_id, i), s(f.source, i), s(f.device_class, i), s(f.country, i)];
        const ok = v.every((x) => x !== null) && !Number.isNaN(f.ts[i]) && f.msValid[i] === 1 && f.private_session[i] !== 255
          && /^[0-9a-f]{32}$/.test(v[0]!) && v.slice(1, 4).every((x) => /^[0-9A-Za-z]{22}$/.test(x!))
          && f.ms_played[i]! >= 0 && f.ms_played[i]! <= 86_400_000 && SOURCES.includes(v[4]!);
        if (!ok) {
          rejects++;
          continue;
        }
        const t = [v[0], v[1], v[2], v[3], f.ts[i], f.ms_played[i], p.day, v[4], f.private_session[i], v[5], v[6]].join('|');
        rows.set(t, (rows.get(t) ?? 0) + 1);
        perUser.set(v[0]!, (perUser.get(v[0]!) ?? 0) + 1);
      }
    }
  }
  return { rows, perUser, rejects };
}

/** Decodes row i of a bucket file back to the lake's values. */
function decoder(smb: string, m: BucketMetadata) {
  const dict = { track: latestDictionary(smb, 'track').ids, artist: latestDictionary(smb, 'artist').ids, album: latestDictionary(smb, 'album').ids };
  const id = (col: 'track' | 'artist' | 'album', code: number) => (code >= 0 ? dict[col][code]! : m.overflow[col][-code - 1]!);
  return (c: BucketColumns, i: number): Tuple => [
    keyToHex(c.keys, i * KEY_BYTES), id('track', c.track[i]!), id('artist', c.artist[i]!), id('album', c.album[i]!), tsAt(c, i), c.ms[i],
    c.arrival[i], SOURCES[c.source[i]!], c.priv[i], c.device.dictionary[c.device.codes[i]!], c.country.dictionary[c.country.codes[i]!],
  ].join('|');
}

function filesOf(dir: string): Array<{ meta: BucketMetadata['files'][number]; cols: BucketColumns }> {
  const m = readMetadata(dir);
  return m.files.map((f) => ({ meta: f, cols: readBucketFile(path.join(dir, f.name), f.rows) }));
}

describe('SMB storage', () => {
  const tmp = tempDir('smb');
  const lake = path.join(tmp.dir, 'lake');
  const root = (name: string) => path.join(tmp.dir, name);
  let ref: ReturnType<typeof referenceRows>;
  let r64: BucketLakeResult;
  let rSpill: BucketLakeResult;

  beforeAll(async () => {
    await generateLake({ lake, users: 40, seed: 9, years: [2025] });
    ref = referenceRows(lake);
    const base = { lake, from: FIRST, to: LAST, workers: 2 };
    r64 = await bucketLake({ ...base, smb: root('smb64'), numBuckets: 64 });
    rSpill = await bucketLake({ ...base, smb: root('spill'), numBuckets: 64, memoryBytes: 8 * 1024 });
    await bucketLake({ ...base, smb: root('smb16'), numBuckets: 16 });
    await bucketLake({ ...base, smb: root('shards'), numBuckets: 64, numShards: 4 });
  });
  afterAll(() => tmp.cleanup());

  it('round-trips: every valid row comes back exactly once, every bad row is a counted reject', () => {
    const got = new Map<Tuple, number>();
    let rejects = 0;
    for (const d of DAYS) {
      const dir = smbPartitionDir(root('smb64'), d);
      const m = readMetadata(dir);
      rejects += Object.values(m.rejects).reduce((s, x) => s + (x ?? 0), 0);
      const decode = decoder(root('smb64'), m);
      for (const { cols } of filesOf(dir)) for (let i = 0; i < cols.n; i++) {
        const t = decode(cols, i);
        got.set(t, (got.get(t) ?? 0) + 1);
      }
    }
    expect(ref.rows.size).toBeGreaterThan(1000);
    expect(got).toEqual(ref.rows);
    expect(rejects).toBe(ref.rejects);
    expect(r64.rows).toBe([...ref.rows.values()].reduce((s, x) => s + x, 0));
    // An id of the dictionaries is stored as its code: the overflow lists hold only ids they lack.
    for (const col of ['track', 'artist', 'album'] as const) {
      const known = new Set(latestDictionary(root('smb64'), col).ids);
      for (const d of DAYS) expect(readMetadata(smbPartitionDir(root('smb64'), d)).overflow[col].filter((id) => known.has(id))).toEqual([]);
    }
  });

  it('puts every row in its key\'s bucket, sorted by (key, ts), in every shard', () => {
    for (const name of ['smb64', 'smb16', 'shards']) {
      for (const d of DAYS) {
        for (const { meta, cols } of filesOf(smbPartitionDir(root(name), d))) {
          const m = readMetadata(smbPartitionDir(root(name), d));
          for (let i = 0; i < cols.n; i++) {
            expect(murmur3_32(cols.keys, i * KEY_BYTES, KEY_BYTES) & (m.numBuckets - 1)).toBe(meta.bucket);
            if (i > 0) {
              const prev = keyToHex(cols.keys, (i - 1) * KEY_BYTES);
              const cur = keyToHex(cols.keys, i * KEY_BYTES);
              expect(prev <= cur).toBe(true);
              if (prev === cur) expect(tsAt(cols, i - 1)).toBeLessThanOrEqual(tsAt(cols, i));
            }
          }
        }
      }
    }
  });

  it('spills sorted runs under a tiny memory budget and produces byte-identical buckets', () => {
    expect(rSpill.spilledRuns).toBeGreaterThanOrEqual(2 * DAYS.length);
    expect(r64.spilledRuns).toBe(0);
    const a = treeHashes(path.join(root('smb64'), 'plays'));
    const b = treeHashes(path.join(root('spill'), 'plays'));
    expect([...b.keys()]).toEqual([...a.keys()]);
    for (const [k, h] of a) if (!k.endsWith('metadata.json')) expect(b.get(k), k).toBe(h);
    expect([...b.keys()].some((k) => k.includes('_spill'))).toBe(false);
  });

  it('splits buckets into sorted shards whose concatenation is the unsharded bucket', () => {
    for (const d of DAYS) {
      const whole = filesOf(smbPartitionDir(root('smb64'), d));
      const sharded = filesOf(smbPartitionDir(root('shards'), d));
      const m = readMetadata(smbPartitionDir(root('shards'), d));
      expect(m.numShards).toBe(4);
      const decode = decoder(root('smb64'), m);
      for (const w of whole) {
        const parts = sharded.filter((s) => s.meta.bucket === w.meta.bucket).sort((x, y) => x.meta.shard - y.meta.shard);
        expect(parts.map((p) => path.basename(p.meta.name))).toEqual([0, 1, 2, 3].map((s) => `bucket-${String(w.meta.bucket).padStart(5, '0')}-of-00064-shard-0000${s}-of-00004.arrow`));
        const joined = parts.flatMap((p) => Array.from({ length: p.cols.n }, (_, i) => decode(p.cols, i)));
        expect(joined).toEqual(Array.from({ length: w.cols.n }, (_, i) => decode(w.cols, i)));
      }
    }
  });

  it('re-running a complete partition is a no-op', async () => {
    const before = treeHashes(root('smb64'));
    const again = await bucketLake({ lake, smb: root('smb64'), numBuckets: 64, from: FIRST, to: LAST, workers: 2 });
    expect(again.skipped).toBe(DAYS.length);
    expect(again.filesWritten).toBe(0);
    expect(treeHashes(root('smb64'))).toEqual(before);
  });

  it('reports the files it wrote (bucket files, rejects, metadata) and the time they took', () => {
    for (const [name, r] of [['smb64', r64], ['spill', rSpill]] as const) {
      const inPartitions = DAYS.reduce((s, d) => s + fs.readdirSync(smbPartitionDir(root(name), d)).length, 0);
      expect(r.filesWritten).toBe(inPartitions);
      expect(r.filesWritten).toBe(DAYS.length * (64 + 2));
      expect(r.writeSeconds).toBeGreaterThan(0);
    }
  });

  it.each(['min', 'max', 'auto'] as const)('merges 16- and 64-bucket partitions under %s: each key once, in its bucket, with all its rows', (strategy) => {
    // The first week from the 16-bucket layout, the second from the 64-bucket one.
    const dirs = DAYS.map((d, i) => smbPartitionDir(root(i < 7 ? 'smb16' : 'smb64'), d));
    const source = SmbSource.open(dirs, { strategy, smb: root('smb64') });
    expect(source.numBuckets).toBe(strategy === 'min' ? 16 : 64);
    const perUser = new Map<string, number>();
    for (let j = 0; j < source.numBuckets; j++) {
      const inputs = source.readBucket(j);
      forEachKeyGroup(inputs, (g) => {
        const c = inputs[g.keyInput]!.columns;
        const user = keyToHex(c.keys, g.keyRow * KEY_BYTES);
        expect(perUser.has(user), `key ${user} emitted twice`).toBe(false);
        expect(murmur3_32(c.keys, g.keyRow * KEY_BYTES, KEY_BYTES) & (source.numBuckets - 1)).toBe(j);
        let n = 0;
        for (let r = 0; r < g.count; r++) n += g.ranges[3 * r + 2]! - g.ranges[3 * r + 1]!;
        perUser.set(user, n);
      });
    }
    expect(perUser).toEqual(ref.perUser);
  });

  it('rolls a week up into one partition, and a read over any mix of daily and weekly partitions gives identical numbers', async () => {
    const week = DAYS.slice(0, 7).map((d) => smbPartitionDir(root('smb64'), d));
    const weekly = path.join(root('smb64'), 'weekly', '2025-W09');
    const m = await rollUpPartitions(week, weekly, { smb: root('smb64'), workers: 2 });
    // The same bytes when rolled up on this thread.
    const inline = await rollUpPartitions(week, path.join(tmp.dir, 'weekly-inline'), { smb: root('smb64'), workers: 0 });
    expect(inline.files).toEqual(m.files);
    for (const f of m.files) expect(fs.readFileSync(path.join(tmp.dir, 'weekly-inline', f.name)).equals(fs.readFileSync(path.join(weekly, f.name)))).toBe(true);
    expect(m.files.length).toBe(64);
    expect(m.arrivalDays).toEqual({ first: DAYS[0], last: DAYS[6] });
    const rowsOf = (dirs: string[]) => {
      const out = new Map<Tuple, number>();
      const source = SmbSource.open(dirs, { smb: root('smb64') });
      for (let j = 0; j < source.numBuckets; j++) {
        for (const x of source.readBucket(j)) {
          const decode = decoder(root('smb64'), source.partitions[x.partition]!.metadata);
          for (let i = 0; i < x.columns.n; i++) {
            const t = decode(x.columns, i);
            out.set(t, (out.get(t) ?? 0) + 1);
          }
        }
      }
      return out;
    };
    const daily = DAYS.map((d) => smbPartitionDir(root('smb64'), d));
    const mixed = [weekly, ...DAYS.slice(7).map((d) => smbPartitionDir(root('smb64'), d))];
    expect(rowsOf(mixed)).toEqual(rowsOf(daily));
    expect(rowsOf(mixed)).toEqual(ref.rows);
    // The roll-up is itself sorted by (key, track code, ts), and says so.
    expect(m.sortKeys).toEqual([...ROLLUP_SORT_KEYS]);
    let trackRuns = 0;
    for (const { cols } of filesOf(weekly)) for (let i = 1; i < cols.n; i++) {
      const d = keyToHex(cols.keys, (i - 1) * KEY_BYTES).localeCompare(keyToHex(cols.keys, i * KEY_BYTES));
      const t = cols.track[i]! - cols.track[i - 1]!;
      expect(d < 0 || (d === 0 && (t > 0 || (t === 0 && tsAt(cols, i - 1) <= tsAt(cols, i))))).toBe(true);
      if (d === 0 && t === 0) trackRuns++;
    }
    expect(trackRuns).toBeGreaterThan(0);
    // Rolling up a mix of the roll-up and the other days gives the bytes of rolling up the days.
    const fromDays = await rollUpPartitions(daily, path.join(tmp.dir, 'all-from-days'), { smb: root('smb64'), workers: 2 });
    const fromMix = await rollUpPartitions(mixed, path.join(tmp.dir, 'all-from-mix'), { smb: root('smb64'), workers: 2 });
    expect(fromMix.files).toEqual(fromDays.files);
    for (const f of fromDays.files) expect(fs.readFileSync(path.join(tmp.dir, 'all-from-mix', f.name)).equals(fs.readFileSync(path.join(tmp.dir, 'all-from-days', f.name)))).toBe(true);
  });

  it('refuses to merge incompatible partitions, naming the field and both directories', () => {
    const a = smbPartitionDir(root('smb64'), DAYS[0]!);
    const b = path.join(tmp.dir, 'tampered');
    fs.cpSync(smbPartitionDir(root('smb64'), DAYS[1]!), b, { recursive: true });
    const meta = JSON.parse(fs.readFileSync(path.join(b, 'metadata.json'), 'utf8'));
    fs.writeFileSync(path.join(b, 'metadata.json'), JSON.stringify({ ...meta, hashType: 'xxhash64' }));
    expect(() => SmbSource.open([a, b])).toThrow(expect.objectContaining({
      code: 'ERR_SMB_INCOMPATIBLE_METADATA', message: expect.stringMatching(new RegExp(`hashType is "murmur3_32" in ${a} but "xxhash64" in ${b}`)),
    }));
    fs.writeFileSync(path.join(b, 'metadata.json'), JSON.stringify({ ...meta, sortKeys: ['user_key', 'device_class'] }));
    expect(() => SmbSource.open([a, b])).toThrow(expect.objectContaining({
      code: 'ERR_SMB_BAD_METADATA', message: expect.stringContaining(`found ["user_key","device_class"]`),
    }));
    fs.writeFileSync(path.join(b, 'metadata.json'), JSON.stringify({ ...meta, dictionaries: { ...meta.dictionaries, track: { version: 1, count: 3, sha256: 'x' } } }));
    expect(() => SmbSource.open([a, b], { smb: root('smb64') })).toThrow(expect.objectContaining({ code: 'ERR_SMB_INCOMPATIBLE_METADATA' }));
    fs.rmSync(path.join(b, 'metadata.json'));
    expect(() => SmbSource.open([a, b])).toThrow(expect.objectContaining({ code: 'ERR_SMB_NOT_A_PARTITION', message: expect.stringContaining(b) }));
    expect(() => SmbSource.open([a], { strategy: 'most' as never })).toThrow(expect.objectContaining({ code: 'ERR_SMB_BAD_OPTION' }));
  });

  it('names the file when a bucket file is truncated or corrupt', () => {
    const dir = path.join(tmp.dir, 'corrupt');
    fs.cpSync(smbPartitionDir(root('smb64'), DAYS[2]!), dir, { recursive: true });
    const m = readMetadata(dir);
    const victim = m.files.find((f) => f.rows > 0)!;
    const file = path.join(dir, victim.name);
    const bytes = fs.readFileSync(file);
    fs.writeFileSync(file, bytes.subarray(0, Math.floor(bytes.length / 2)));
    const source = SmbSource.open([dir]);
    expect(() => source.readBucket(victim.bucket)).toThrow(expect.objectContaining({ code: 'ERR_SMB_CORRUPT_BUCKET', message: expect.stringContaining(file) }));
    fs.writeFileSync(file, Buffer.from('definitely not arrow'));
    expect(() => source.readBucket(victim.bucket)).toThrow(expect.objectContaining({ code: 'ERR_SMB_CORRUPT_BUCKET', message: expect.stringContaining(file) }));
  });

  it('rejects bucket counts that are not powers of two', async () => {
    await expect(bucketLake({ lake, smb: root('bad'), numBuckets: 48 })).rejects.toMatchObject({ code: 'ERR_SMB_BAD_OPTION' });
  });
});
