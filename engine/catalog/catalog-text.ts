import * as fs from 'node:fs';
import * as path from 'node:path';
import { createHash } from 'node:crypto';
import { wrappedError } from '../errors/registry.ts';
import { readParquetFile } from '../lake/parquet-io.ts';
import { stringTable, type StringTable } from '../columns/string-table.ts';
import { utf8Strings } from '../columns/utf8-strings.ts';

/** The catalog files a run pins (SPEC §2), in the order their hash covers them. */
export const CATALOG_FILES = ['tracks.parquet', 'artists.parquet', 'albums.parquet', 'genres.parquet', 'track_id_aliases.parquet'] as const;

/**
 * The pinned catalog's text, as string tables in SharedArrayBuffers so that it
 * is broadcast to every worker once: ids, names and titles by catalog index
 * (row order of the catalog files, as stage 1 numbers them), and genres in
 * stage 1's genre order (genres.parquet, then genres only artists name) with
 * their parent's index (-1 when none).
 */
export interface CatalogText {
  readonly trackIds: StringTable;
  readonly trackTitles: StringTable;
  readonly trackArtist: Int32Array;
  readonly artistIds: StringTable;
  readonly artistNames: StringTable;
  readonly albumIds: StringTable;
  readonly albumTitles: StringTable;
  readonly genreNames: StringTable;
  readonly genreParent: Int32Array;
  /** Genre hue in degrees (0..359), -1 when unknown: card colours. */
  readonly genreHue: Int32Array;
}

function sharedTable(values: readonly string[]): StringTable {
  const t = stringTable(values);
  const bytes = new Uint8Array(new SharedArrayBuffer(Math.max(8, t.bytes.length)), 0, t.bytes.length);
  bytes.set(t.bytes);
  const offsets = new Int32Array(new SharedArrayBuffer(t.offsets.byteLength), 0, t.offsets.length);
  offsets.set(t.offsets);
  return { bytes, offsets };
}

function sharedInts(values: ArrayLike<number>): Int32Array {
  const a = new Int32Array(new SharedArrayBuffer(Math.max(8, values.length * 4)), 0, values.length);
  a.set(Array.from(values));
  return a;
}

function strings(lake: string, file: string, name: string): string[] {
  const p = path.join(lake, 'catalog', file);
  const v = readParquetFile(p, [name]).getChild(name);
  if (!v) throw wrappedError('ERR_LAKE_MISSING_COLUMN', { file: p, column: name, found: [] });
  return utf8Strings(v).map((x) => x ?? '');
}

/**
 * Stage 1's genre order: genres.parquet's rows, then any genre an artist names
 * that genres.parquet lacks (first appearance in artists.parquet).
 */
export function genreOrder(genreRows: readonly string[], artistGenres: readonly string[]): string[] {
  const out = [...genreRows];
  const seen = new Set(out);
  for (const g of artistGenres) if (!seen.has(g)) (seen.add(g), out.push(g));
  return out;
}

export function loadCatalogText(lake: string): CatalogText {
  const genreRows = strings(lake, 'genres.parquet', 'genre');
  const parents = strings(lake, 'genres.parquet', 'parent_genre');
  const huesCol = readParquetFile(path.join(lake, 'catalog', 'genres.parquet'), ['hue']).getChild('hue');
  const hues = huesCol ? Array.from(huesCol.toArray() as ArrayLike<number | null>, (h) => (h === null ? -1 : Math.round(Number(h)) % 360)) : [];
  const genres = genreOrder(genreRows, strings(lake, 'artists.parquet', 'primary_genre'));
  const genreIndex = new Map(genres.map((g, i) => [g, i]));
  const artistIds = strings(lake, 'artists.parquet', 'artist_id');
  const artistIndex = new Map(artistIds.map((a, i) => [a, i]));
  return {
    trackIds: sharedTable(strings(lake, 'tracks.parquet', 'track_id')),
    trackTitles: sharedTable(strings(lake, 'tracks.parquet', 'title')),
    trackArtist: sharedInts(strings(lake, 'tracks.parquet', 'artist_id').map((a) => artistIndex.get(a) ?? -1)),
    artistIds: sharedTable(artistIds),
    artistNames: sharedTable(strings(lake, 'artists.parquet', 'name')),
    albumIds: sharedTable(strings(lake, 'albums.parquet', 'album_id')),
    albumTitles: sharedTable(strings(lake, 'albums.parquet', 'title')),
    genreNames: sharedTable(genres),
    genreParent: sharedInts(genres.map((_, i) => (i < parents.length && parents[i] ? (genreIndex.get(parents[i]!) ?? -1) : -1))),
    genreHue: sharedInts(genres.map((_, i) => hues[i] ?? -1)),
  };
}

/** SHA-256 over the pinned catalog files (name, length, bytes), recorded in the run manifest. */
export function catalogHash(lake: string): string {
  const h = createHash('sha256');
  for (const f of CATALOG_FILES) {
    const p = path.join(lake, 'catalog', f);
    let bytes: Buffer;
    try {
      bytes = fs.readFileSync(p);
    } catch (e) {
      throw wrappedError('ERR_LAKE_NOT_FOUND', { lake, expected: `catalog/${f} (${(e as Error).message})` });
    }
    h.update(`${f}\0${bytes.length}\0`);
    h.update(bytes);
  }
  return h.digest('hex');
}
