import * as fs from 'node:fs';
import * as path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { ensureCatalogSnapshot, readCatalogSnapshot, SNAPSHOT_DIR } from '../../../engine/catalog/catalog-snapshot.ts';
import { buildStageCatalog, type BuiltStageCatalog, type StageCatalog } from '../../../engine/catalog/stage-catalog.ts';
import { epochDay } from '../../../engine/lake/calendar.ts';
import { bucketLake } from '../../../engine/smb/bucket-lake.ts';
import { extendDictionary } from '../../../engine/smb/dictionary.ts';
import { generateLake } from '../../../fixtures/sample-year/generate.ts';
import { tempDir } from '../../helpers/tmp.ts';

const ARRAYS = ['trackArtist', 'trackAlbum', 'artistGenre', 'trackIdRank', 'artistIdRank', 'albumIdRank', 'genreNameRank', 'resolve', 'trackYear', 'trackFeatures'] as const;

const SHA = expect.stringMatching(/^[0-9a-f]{64}$/);

function loaded(lake: string, smb: string): { catalog: StageCatalog; names: BuiltStageCatalog['names'] } {
  const r = readCatalogSnapshot(lake, smb);
  if ('stale' in r) throw new Error(`expected a current snapshot, got stale: ${r.stale}`);
  return r;
}

function copyDir(from: string, to: string): void {
  fs.cpSync(from, to, { recursive: true });
}

describe('the stage catalog snapshot', () => {
  const tmp = tempDir('catsnap');
  const lake = path.join(tmp.dir, 'lake');
  const smb = path.join(tmp.dir, 'smb');
  let built: BuiltStageCatalog;

  beforeAll(async () => {
    await generateLake({ lake, users: 30, seed: 5, years: [2025] });
    // One day is enough: the snapshot depends on the catalog and the dictionaries only.
    const r = await bucketLake({ lake, smb, numBuckets: 4, from: epochDay(2025, 3, 1), to: epochDay(2025, 3, 1) });
    expect(r.catalogSnapshot).toBe(true);
    built = buildStageCatalog(lake, smb);
  });
  afterAll(() => tmp.cleanup());

  it('is written once by bucketing: a second run with the same catalog and dictionaries leaves it', async () => {
    const before = fs.statSync(path.join(smb, SNAPSHOT_DIR, 'snapshot.json')).mtimeMs;
    const again = await bucketLake({ lake, smb, numBuckets: 4, from: epochDay(2025, 3, 1), to: epochDay(2025, 3, 1) });
    expect(again.catalogSnapshot).toBe(false);
    expect(ensureCatalogSnapshot(lake, smb)).toBe(false);
    expect(fs.statSync(path.join(smb, SNAPSHOT_DIR, 'snapshot.json')).mtimeMs).toBe(before);
  });

  it('reads back exactly the catalog stage 1 would build, in shared memory', () => {
    const { catalog, names } = loaded(lake, smb);
    expect(built.catalog.tracks).toBeGreaterThan(100);
    for (const k of ['tracks', 'artists', 'albums', 'genres'] as const) expect(catalog[k], k).toBe(built.catalog[k]);
    for (const k of ARRAYS) {
      expect(Array.from(catalog[k]), k).toEqual(Array.from(built.catalog[k]));
      expect(catalog[k].buffer, k).toBeInstanceOf(SharedArrayBuffer);
    }
    expect(names.trackIds).toEqual(built.names.trackIds);
    expect(names.artistIds).toEqual(built.names.artistIds);
    expect(names.albumIds).toEqual(built.names.albumIds);
    expect(names.genreNames).toEqual(built.names.genreNames);
  });

  it('resolves ids as the built catalog does: catalog ids, old alias ids, unknown ids', () => {
    const { names } = loaded(lake, smb);
    const probes = [...built.names.trackIds.slice(0, 50), ...built.aliases.oldIds, 'AAAAAAAAAAAAAAAAAAAAAA', 'zzzzzzzzzzzzzzzzzzzzzz', ''];
    expect(built.aliases.oldIds.length).toBeGreaterThan(0);
    expect(built.aliases.oldIds.some((id) => built.names.resolveId(id) >= 0)).toBe(true);
    for (const id of probes) expect(names.resolveId(id), id).toBe(built.names.resolveId(id));
  });

  it('is stale once the track dictionary gets a new version, and bucketing rewrites it', async () => {
    const smb2 = path.join(tmp.dir, 'smb-extended');
    copyDir(smb, smb2);
    await extendDictionary(smb2, 'track', ['Q'.repeat(22)]);
    const r = readCatalogSnapshot(lake, smb2);
    expect(r).toEqual({ catalogSha256: SHA, stale: expect.stringMatching(/track dictionary v1, the latest is v2/) });
    expect(ensureCatalogSnapshot(lake, smb2)).toBe(true);
    const { catalog } = loaded(lake, smb2);
    expect(catalog.resolve.length).toBe(built.catalog.resolve.length + 1);
    expect(catalog.resolve[catalog.resolve.length - 1]).toBe(-1);
  });

  it('is stale for another catalog (the catalog files hash differently)', () => {
    const other = path.join(tmp.dir, 'other-lake');
    copyDir(path.join(lake, 'catalog'), path.join(other, 'catalog'));
    fs.appendFileSync(path.join(other, 'catalog', 'genres.parquet'), 'x');
    expect(readCatalogSnapshot(other, smb)).toEqual({ catalogSha256: SHA, stale: 'the catalog changed since it was made' });
  });

  it('is missing, not an error, for an SMB directory bucketed before snapshots existed', () => {
    const smb3 = path.join(tmp.dir, 'smb-old');
    copyDir(smb, smb3);
    fs.rmSync(path.join(smb3, SNAPSHOT_DIR), { recursive: true });
    expect(readCatalogSnapshot(lake, smb3)).toEqual({ catalogSha256: SHA, stale: 'no snapshot' });
  });

  it('says which field a manifest lacks; a manifest of another format is only stale', () => {
    const smb5 = path.join(tmp.dir, 'smb-manifest');
    copyDir(smb, smb5);
    const file = path.join(smb5, SNAPSHOT_DIR, 'snapshot.json');
    const m = JSON.parse(fs.readFileSync(file, 'utf8')) as Record<string, unknown>;
    fs.writeFileSync(file, JSON.stringify({ ...m, counts: { ...(m['counts'] as object), tracks: undefined } }));
    expect(() => readCatalogSnapshot(lake, smb5)).toThrow(expect.objectContaining({ code: 'ERR_SMB_BAD_METADATA', message: expect.stringContaining(`${file}: invalid SMB metadata: expected counts.tracks to be a number, found nothing`) }));
    fs.writeFileSync(file, JSON.stringify({ ...m, version: 99 }));
    expect(readCatalogSnapshot(lake, smb5)).toMatchObject({ stale: 'format wrapped-stage-catalog v99, expected wrapped-stage-catalog v1' });
  });

  it('names a damaged file: changed bytes, a truncated file', () => {
    const smb4 = path.join(tmp.dir, 'smb-damaged');
    copyDir(smb, smb4);
    const file = path.join(smb4, SNAPSHOT_DIR, 'tracks.arrow');
    const bytes = fs.readFileSync(file);
    bytes[bytes.length >> 1] ^= 0xff;
    fs.writeFileSync(file, bytes);
    expect(() => readCatalogSnapshot(lake, smb4)).toThrow(expect.objectContaining({ code: 'ERR_CATALOG_SNAPSHOT_CORRUPT', message: expect.stringContaining(`${file}: its sha256 differs`) }));
    fs.writeFileSync(file, bytes.subarray(0, 1000));
    expect(() => readCatalogSnapshot(lake, smb4)).toThrow(expect.objectContaining({ code: 'ERR_CATALOG_SNAPSHOT_CORRUPT', message: expect.stringContaining(`expected ${bytes.length} bytes (snapshot.json), found 1000`) }));
  });
});
