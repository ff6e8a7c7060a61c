import * as arrow from 'apache-arrow';
import { createHash } from 'node:crypto';
import * as fs from 'node:fs';
import * as path from 'node:path';
import { int32Column, tableOf, utf8Column } from '../columns/dictionary-column.ts';
import { stringTable } from '../columns/string-table.ts';
import { utf8Strings } from '../columns/utf8-strings.ts';
import { describeCause, wrappedError } from '../errors/registry.ts';
import { writeFileAtomic } from '../lake/atomic-file.ts';
import { readFilesInto, SabPool } from '../memory/sab-pool.ts';
import { shared } from '../memory/shared-arrays.ts';
import { latestDictionaryRef } from '../smb/dictionary.ts';
import type { DictionaryRef } from '../smb/metadata.ts';
import { catalogHash } from './catalog-text.ts';
import { FEATURES } from './features.ts';
import { buildStageCatalog, trackResolver, type BuiltStageCatalog, type CatalogAliases, type CatalogNames, type StageCatalog } from './stage-catalog.ts';

/**
 * The stage catalog, stored once by `wrapped bucket` beside the id dictionaries
 * so that stage 1 reads a few Arrow files into shared memory instead of
 * decoding the catalog's Parquet files, sorting its ids and resolving every
 * dictionary code on each run (docs/smb-format.md, "Catalog snapshot"):
 *
 *   <smb>/_catalog/tracks.arrow    track_id, artist, album, id_rank, year, and the quantized features
 *   <smb>/_catalog/artists.arrow   artist_id, genre, id_rank
 *   <smb>/_catalog/albums.arrow    album_id, id_rank
 *   <smb>/_catalog/genres.arrow    genre, name_rank
 *   <smb>/_catalog/resolve.arrow   track: catalog track per SMB track code (-1 = unknown)
 *   <smb>/_catalog/aliases.arrow   old_track_id, track
 *   <smb>/_catalog/snapshot.json   written last: what it was built from, and each file's size and sha256
 *
 * A snapshot stands for exactly one catalog (the SHA-256 of its files, as stage
 * 1 pins it) and one version of the track dictionary; with either changed it
 * is stale and stage 1 builds the catalog itself, as before.
 */
export const SNAPSHOT_DIR = '_catalog';
const MANIFEST = 'snapshot.json';
const FORMAT = 'wrapped-stage-catalog';
const VERSION = 1;

interface Manifest {
  readonly format: string;
  readonly version: number;
  readonly catalog_sha256: string;
  readonly track_dictionary: DictionaryRef;
  readonly counts: { readonly tracks: number; readonly artists: number; readonly albums: number; readonly genres: number; readonly aliases: number };
  readonly files: ReadonlyArray<{ readonly name: string; readonly bytes: number; readonly sha256: string }>;
}

const FILES = ['tracks', 'artists', 'albums', 'genres', 'resolve', 'aliases'] as const;
type SnapshotFile = (typeof FILES)[number];

const sha256 = (b: Uint8Array) => createHash('sha256').update(b).digest('hex');
const utf8Of = (values: readonly string[]) => utf8Column(stringTable(values));

function encodeTables(b: BuiltStageCatalog): Record<SnapshotFile, Uint8Array> {
  const { catalog: c, names, aliases } = b;
  const i32 = (a: Int32Array) => int32Column(a, a.length);
  const F = FEATURES.length;
  const features = FEATURES.map((name, k) => [name, i32(Int32Array.from({ length: c.tracks }, (_, t) => c.trackFeatures[t * F + k]!))] as const);
  const ipc = (t: arrow.Table) => arrow.tableToIPC(t, 'file');
  return {
    tracks: ipc(tableOf([
      ['track_id', utf8Of(names.trackIds)], ['artist', i32(c.trackArtist)], ['album', i32(c.trackAlbum)], ['id_rank', i32(c.trackIdRank)], ['year', i32(c.trackYear)], ...features,
    ])),
    artists: ipc(tableOf([['artist_id', utf8Of(names.artistIds)], ['genre', i32(c.artistGenre)], ['id_rank', i32(c.artistIdRank)]])),
    albums: ipc(tableOf([['album_id', utf8Of(names.albumIds)], ['id_rank', i32(c.albumIdRank)]])),
    genres: ipc(tableOf([['genre', utf8Of(names.genreNames)], ['name_rank', i32(c.genreNameRank)]])),
    resolve: ipc(tableOf([['track', i32(c.resolve)]])),
    aliases: ipc(tableOf([['old_track_id', utf8Of(aliases.oldIds)], ['track', i32(aliases.track)]])),
  };
}

function readManifest(dir: string): Manifest | null {
  const file = path.join(dir, MANIFEST);
  if (!fs.existsSync(file)) return null;
  let m: Manifest;
  try {
    m = JSON.parse(fs.readFileSync(file, 'utf8')) as Manifest;
  } catch (e) {
    throw wrappedError('ERR_SMB_BAD_METADATA', { file, problem: `expected the catalog snapshot's JSON manifest, ${describeCause(e)}` }, e);
  }
  // Another format or version is merely stale; this one must have every field.
  if (m?.format === FORMAT && m.version === VERSION) {
    const fields: Array<[string, unknown, 'string' | 'number']> = [
      ['catalog_sha256', m.catalog_sha256, 'string'], ['track_dictionary.version', m.track_dictionary?.version, 'number'],
      ['track_dictionary.count', m.track_dictionary?.count, 'number'], ['track_dictionary.sha256', m.track_dictionary?.sha256, 'string'],
      ...(['tracks', 'artists', 'albums', 'genres', 'aliases'] as const).map((k): [string, unknown, 'number'] => [`counts.${k}`, m.counts?.[k], 'number']),
      ...(Array.isArray(m.files) ? m.files : [undefined]).flatMap((f, i): Array<[string, unknown, 'string' | 'number']> => [
        [`files[${i}].name`, f?.name, 'string'], [`files[${i}].bytes`, f?.bytes, 'number'], [`files[${i}].sha256`, f?.sha256, 'string'],
      ]),
    ];
    for (const [field, value, type] of fields) {
      if (typeof value !== type) throw wrappedError('ERR_SMB_BAD_METADATA', { file, problem: `expected ${field} to be a ${type}, found ${JSON.stringify(value) ?? 'nothing'}` });
    }
  }
  return m;
}

/** Why a snapshot cannot stand in for this catalog and dictionary, or null when it can. */
function staleness(m: Manifest | null, catalogSha: string, dict: DictionaryRef): string | null {
  if (!m) return 'no snapshot';
  if (m.format !== FORMAT || m.version !== VERSION) return `format ${m.format} v${m.version}, expected ${FORMAT} v${VERSION}`;
  if (m.catalog_sha256 !== catalogSha) return 'the catalog changed since it was made';
  if (m.track_dictionary.version !== dict.version || m.track_dictionary.sha256 !== dict.sha256) return `made with track dictionary v${m.track_dictionary.version}, the latest is v${dict.version}`;
  return null;
}

/**
 * Makes the snapshot for the lake's catalog and the SMB track dictionary's
 * latest version, unless one is already there; the manifest is written last,
 * so an interrupted write leaves a snapshot that is stale, never half-read.
 * Returns whether it wrote one.
 */
export function ensureCatalogSnapshot(lake: string, smb: string): boolean {
  const dir = path.join(smb, SNAPSHOT_DIR);
  const catalogSha = catalogHash(lake);
  const dict = latestDictionaryRef(smb, 'track');
  if (staleness(readManifest(dir), catalogSha, dict) === null) return false;
  fs.rmSync(path.join(dir, MANIFEST), { force: true });
  const built = buildStageCatalog(lake, smb);
  const tables = encodeTables(built);
  for (const name of FILES) writeFileAtomic(path.join(dir, `${name}.arrow`), tables[name]);
  const c = built.catalog;
  const manifest: Manifest = {
    format: FORMAT, version: VERSION, catalog_sha256: catalogSha, track_dictionary: dict,
    counts: { tracks: c.tracks, artists: c.artists, albums: c.albums, genres: c.genres, aliases: built.aliases.oldIds.length },
    files: FILES.map((name) => ({ name: `${name}.arrow`, bytes: tables[name].length, sha256: sha256(tables[name]) })),
  };
  writeFileAtomic(path.join(dir, MANIFEST), JSON.stringify(manifest, null, 2) + '\n');
  return true;
}

/**
 * The snapshot's files read back to back into one SharedArrayBuffer (the pool
 * reader stage 1 uses for bucket files), each checked against the manifest
 * (size, sha256, rows) and parsed as an Arrow table over those bytes.
 */
function readShared(dir: string, m: Manifest, rowsOf: Record<SnapshotFile, number>): Record<SnapshotFile, arrow.Table> {
  const corrupt = (file: string, problem: string, e?: unknown) => wrappedError('ERR_CATALOG_SNAPSHOT_CORRUPT', { file, problem, dir }, e);
  const entries = FILES.map((name) => {
    const entry = m.files.find((f) => f.name === `${name}.arrow`);
    if (!entry) throw wrappedError('ERR_SMB_BAD_METADATA', { file: path.join(dir, MANIFEST), problem: `expected an entry for ${name}.arrow in files, found ${m.files.map((f) => f.name).join(', ') || 'none'}` });
    const file = path.join(dir, entry.name);
    let size: number;
    try {
      size = fs.statSync(file).size;
    } catch (e) {
      throw corrupt(file, `snapshot.json lists it but it cannot be read (${describeCause(e)})`, e);
    }
    if (size !== entry.bytes) throw corrupt(file, `expected ${entry.bytes} bytes (snapshot.json), found ${size}`);
    return { name, file, entry };
  });
  const { sab, offsets, lengths } = readFilesInto(new SabPool(), entries.map((x) => x.file));
  const out = {} as Record<SnapshotFile, arrow.Table>;
  entries.forEach(({ name, file, entry }, i) => {
    const bytes = new Uint8Array(sab, offsets[i]!, lengths[i]!);
    if (sha256(bytes) !== entry.sha256) throw corrupt(file, `its sha256 differs from snapshot.json's (${entry.sha256.slice(0, 12)}…)`);
    let t: arrow.Table;
    try {
      t = arrow.tableFromIPC(bytes);
    } catch (e) {
      throw corrupt(file, `expected an Arrow IPC file, ${describeCause(e)}`, e);
    }
    if (t.numRows !== rowsOf[name]) throw corrupt(file, `expected ${rowsOf[name]} rows, found ${t.numRows}`);
    out[name] = t;
  });
  return out;
}

/** What a column is, for error messages. */
const describeColumn = (v: arrow.Vector | null) => (v ? `${String(v.type)} in ${v.data.length} batch(es) with ${v.nullCount} null(s)` : 'no such column');

/** An Int32 column of one batch, viewed in place (the bytes are already shared): exactly `numRows` values. */
function int32Of(t: arrow.Table, name: string, file: string): Int32Array {
  const v = t.getChild(name);
  if (!v || !arrow.DataType.isInt(v.type) || v.type.bitWidth !== 32 || v.data.length !== 1 || v.nullCount > 0) {
    throw wrappedError('ERR_CATALOG_SNAPSHOT_CORRUPT', { file, problem: `expected a non-null Int32 column '${name}' in one batch, found ${describeColumn(v)}`, dir: path.dirname(file) });
  }
  const view = (v.data[0]!.values as Int32Array).subarray(0, t.numRows);
  return view.buffer instanceof SharedArrayBuffer ? view : shared(view);
}

function stringsOf(t: arrow.Table, name: string, file: string): string[] {
  const v = t.getChild(name);
  if (!v || !arrow.DataType.isUtf8(v.type) || v.nullCount > 0) {
    throw wrappedError('ERR_CATALOG_SNAPSHOT_CORRUPT', { file, problem: `expected a non-null Utf8 column '${name}', found ${describeColumn(v)}`, dir: path.dirname(file) });
  }
  return utf8Strings(v) as string[];
}

/** Decodes once, on first use. */
function lazy<T>(make: () => T): () => T {
  let v: T | undefined;
  return () => (v ??= make());
}

/**
 * The snapshot's catalog, or why there is none to use; either way the SHA-256 of
 * the catalog files it was checked against (what a stage pins).
 */
export type SnapshotRead = { readonly catalogSha256: string } & ({ readonly catalog: StageCatalog; readonly names: CatalogNames } | { readonly stale: string });

/**
 * Reads the snapshot for the lake's current catalog and the SMB track
 * dictionary's latest version: its integer columns are views over shared
 * memory (no copy), ids are decoded when first asked for. A snapshot that is
 * missing or made for another catalog or dictionary gives `stale` (the
 * caller builds the catalog); one that is damaged is an error naming the file.
 */
export function readCatalogSnapshot(lake: string, smb: string): SnapshotRead {
  const dir = path.join(smb, SNAPSHOT_DIR);
  const m = readManifest(dir);
  const catalogSha256 = catalogHash(lake);
  const why = staleness(m, catalogSha256, latestDictionaryRef(smb, 'track'));
  if (why !== null || !m) return { catalogSha256, stale: why ?? 'no snapshot' };
  const rowsOf: Record<SnapshotFile, number> = {
    tracks: m.counts.tracks, artists: m.counts.artists, albums: m.counts.albums, genres: m.counts.genres, resolve: m.track_dictionary.count, aliases: m.counts.aliases,
  };
  const t = readShared(dir, m, rowsOf);
  const at = (name: SnapshotFile) => path.join(dir, `${name}.arrow`);
  const n = m.counts.tracks;
  const F = FEATURES.length;
  const trackFeatures = new Int32Array(new SharedArrayBuffer(Math.max(8, 4 * n * F)), 0, n * F);
  FEATURES.forEach((name, k) => {
    const col = int32Of(t.tracks, name, at('tracks'));
    for (let i = 0; i < n; i++) trackFeatures[i * F + k] = col[i]!;
  });
  const trackIdRank = int32Of(t.tracks, 'id_rank', at('tracks'));
  const catalog: StageCatalog = {
    tracks: n, artists: m.counts.artists, albums: m.counts.albums, genres: m.counts.genres,
    trackArtist: int32Of(t.tracks, 'artist', at('tracks')),
    trackAlbum: int32Of(t.tracks, 'album', at('tracks')),
    artistGenre: int32Of(t.artists, 'genre', at('artists')),
    trackIdRank,
    artistIdRank: int32Of(t.artists, 'id_rank', at('artists')),
    albumIdRank: int32Of(t.albums, 'id_rank', at('albums')),
    genreNameRank: int32Of(t.genres, 'name_rank', at('genres')),
    resolve: int32Of(t.resolve, 'track', at('resolve')),
    trackYear: int32Of(t.tracks, 'year', at('tracks')),
    trackFeatures,
  };
  const trackIds = lazy(() => stringsOf(t.tracks, 'track_id', at('tracks')));
  const artistIds = lazy(() => stringsOf(t.artists, 'artist_id', at('artists')));
  const albumIds = lazy(() => stringsOf(t.albums, 'album_id', at('albums')));
  const genreNames = lazy(() => stringsOf(t.genres, 'genre', at('genres')));
  const resolver = lazy(() => {
    const order = new Int32Array(n);
    for (let i = 0; i < n; i++) order[trackIdRank[i]!] = i;
    const aliases: CatalogAliases = { oldIds: stringsOf(t.aliases, 'old_track_id', at('aliases')), track: int32Of(t.aliases, 'track', at('aliases')) };
    return trackResolver(trackIds(), order, aliases);
  });
  const names: CatalogNames = {
    get trackIds() { return trackIds(); },
    get artistIds() { return artistIds(); },
    get albumIds() { return albumIds(); },
    get genreNames() { return genreNames(); },
    resolveId: (id) => resolver()(id),
  };
  return { catalogSha256, catalog, names };
}
