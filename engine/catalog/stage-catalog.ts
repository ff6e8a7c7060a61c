import type * as arrow from 'apache-arrow';
import * as path from 'node:path';
import { genreOrder } from './catalog-text.ts';
import { wrappedError } from '../errors/registry.ts';
import { readParquetFile } from '../lake/parquet-io.ts';
import { shared } from '../memory/shared-arrays.ts';
import { latestDictionary } from '../smb/dictionary.ts';
import { utf8Strings } from '../columns/utf8-strings.ts';
import { stringOrder } from '../kernels/string-order.ts';
import { FEATURE_SCALE, FEATURES } from './features.ts';

/**
 * The pinned catalog as integer maps, broadcast to workers in
 * SharedArrayBuffers: read by stage 1's coordinator from the snapshot bucketing
 * stores (catalog-snapshot.ts), or built by `buildStageCatalog` when there is none. Catalog indexes follow the row
 * order of the catalog files; `*IdRank` give each id's position in ascending
 * string order, which is the SPEC's tie-break ("then track_id asc").
 */
export interface StageCatalog {
  readonly tracks: number;
  readonly artists: number;
  readonly albums: number;
  readonly genres: number;
  readonly trackArtist: Int32Array;
  readonly trackAlbum: Int32Array;
  readonly artistGenre: Int32Array;
  readonly trackIdRank: Int32Array;
  readonly artistIdRank: Int32Array;
  readonly albumIdRank: Int32Array;
  readonly genreNameRank: Int32Array;
  /** SMB track dictionary code → catalog track index after one alias hop, or -1 (unknown track). */
  readonly resolve: Int32Array;
  /** Release year per track (0 when unknown). */
  readonly trackYear: Int32Array;
  /**
   * Audio features per track, FEATURES wide, quantized to integers (tempo in
   * 0.1 bpm, the others in thousandths) so that ms-weighted sums are exact
   * integers whatever order they are added in; -1 marks a track without features.
   */
  readonly trackFeatures: Int32Array;
}

/** The catalog's ids and names, kept by the coordinator for output and tests. */
export interface CatalogNames {
  readonly trackIds: readonly string[];
  readonly artistIds: readonly string[];
  readonly albumIds: readonly string[];
  readonly genreNames: readonly string[];
  /** Catalog track index of an old or current track id, after one alias hop; -1 when unknown. */
  resolveId(id: string): number;
}

/** The named columns of a catalog file, each file read and decoded once. */
function catalogFile(lake: string, file: string, names: readonly string[]): (name: string) => arrow.Vector {
  const p = path.join(lake, 'catalog', file);
  const table = readParquetFile(p, names);
  return (name) => {
    const v = table.getChild(name);
    if (!v) throw wrappedError('ERR_LAKE_MISSING_COLUMN', { file: p, column: name, found: table.schema.fields.map((f) => f.name) });
    return v;
  };
}

const strings = (v: arrow.Vector): string[] => utf8Strings(v) as string[];

/** A numeric column's values (null where null); a column without nulls is used as Arrow gives it. */
function numbers(v: arrow.Vector): ArrayLike<number | null> {
  const a = v.toArray() as ArrayLike<number | bigint | null>;
  if (v.nullCount === 0 && (a instanceof Float64Array || a instanceof Int32Array)) return a;
  return Array.from(a, (x) => (x === null || x === undefined ? null : Number(x)));
}

function ranksOf(order: Int32Array): Int32Array {
  const rank = new Int32Array(order.length);
  for (let r = 0; r < order.length; r++) rank[order[r]!] = r;
  return rank;
}

function idRanks(ids: readonly string[]): Int32Array {
  return ranksOf(stringOrder(ids));
}

/** Index of `id` in `ids` by binary search over their sorted order, or -1 (no Map of every id). */
function indexIn(ids: readonly string[], order: Int32Array, id: string): number {
  let lo = 0, hi = order.length;
  while (lo < hi) {
    const mid = (lo + hi) >>> 1;
    if (ids[order[mid]!]! < id) lo = mid + 1;
    else hi = mid;
  }
  return lo < order.length && ids[order[lo]!] === id ? order[lo]! : -1;
}

/**
 * A track id's catalog index after one alias hop, or -1: the id itself when the
 * catalog has it, else its alias's target (the last alias row wins, as in a Map).
 */
export function trackResolver(trackIds: readonly string[], trackOrder: Int32Array, aliases: CatalogAliases): (id: string) => number {
  const alias = new Map(aliases.oldIds.map((o, i) => [o, aliases.track[i]!]));
  return (id) => {
    const direct = indexIn(trackIds, trackOrder, id);
    return direct >= 0 ? direct : alias.get(id) ?? -1;
  };
}

/** The alias table after one hop: old track id → catalog track index (-1 when its target is unknown). */
export interface CatalogAliases {
  readonly oldIds: readonly string[];
  readonly track: Int32Array;
}

/** A stage catalog, the names behind its indexes, and its aliases (what a snapshot stores). */
export interface BuiltStageCatalog {
  readonly catalog: StageCatalog;
  readonly names: CatalogNames;
  readonly aliases: CatalogAliases;
}

/**
 * Builds the stage catalog from the lake's catalog files and the SMB track
 * dictionary. `wrapped bucket` stores the result beside the dictionaries
 * (`catalog-snapshot.ts`), so stage 1 normally reads it instead.
 */
export function buildStageCatalog(lake: string, smb: string): BuiltStageCatalog {
  const tracks = catalogFile(lake, 'tracks.parquet', ['track_id', 'artist_id', 'album_id', 'release_year', ...FEATURES]);
  const trackIds = strings(tracks('track_id'));
  const trackArtistIds = strings(tracks('artist_id'));
  const trackAlbumIds = strings(tracks('album_id'));
  const artists = catalogFile(lake, 'artists.parquet', ['artist_id', 'primary_genre']);
  const artistIds = strings(artists('artist_id'));
  const artistGenres = strings(artists('primary_genre'));
  const albumIds = strings(catalogFile(lake, 'albums.parquet', ['album_id'])('album_id'));
  const genreNames = strings(catalogFile(lake, 'genres.parquet', ['genre'])('genre'));
  const aliasFile = catalogFile(lake, 'track_id_aliases.parquet', ['old_track_id', 'track_id']);
  const oldIds = strings(aliasFile('old_track_id'));
  const newIds = strings(aliasFile('track_id'));
  const trackOrder = stringOrder(trackIds);
  const artistIndex = new Map(artistIds.map((id, i) => [id, i]));
  const albumIndex = new Map(albumIds.map((id, i) => [id, i]));
  // A genre an artist names but genres.parquet lacks still counts (with no parent).
  const genres = genreOrder(genreNames, artistGenres);
  const genreIndex = new Map(genres.map((g, i) => [g, i]));
  const aliases: CatalogAliases = { oldIds, track: Int32Array.from(newIds, (id) => indexIn(trackIds, trackOrder, id)) };
  const resolveId = trackResolver(trackIds, trackOrder, aliases);
  // The dictionary starts with the catalog's tracks in catalog order (wrapped bucket extends it
  // so): those codes resolve to their position without a lookup.
  const resolveCode = (id: string, code: number): number => (code < trackIds.length && trackIds[code] === id ? code : resolveId(id));
  const dict = latestDictionary(smb, 'track');
  const years = numbers(tracks('release_year'));
  const features = FEATURES.map((f) => numbers(tracks(f)));
  const trackFeatures = new Int32Array(trackIds.length * FEATURES.length);
  for (let t = 0; t < trackIds.length; t++) {
    const ok = features.every((col) => col[t] !== null && Number.isFinite(col[t]!) && col[t]! >= 0);
    for (let k = 0; k < FEATURES.length; k++) trackFeatures[t * FEATURES.length + k] = ok ? Math.round(features[k]![t]! * FEATURE_SCALE[k]!) : -1;
  }
  const catalog: StageCatalog = {
    tracks: trackIds.length, artists: artistIds.length, albums: albumIds.length, genres: genres.length,
    trackArtist: shared(Int32Array.from(trackArtistIds, (a) => artistIndex.get(a) ?? -1)),
    trackAlbum: shared(Int32Array.from(trackAlbumIds, (a) => albumIndex.get(a) ?? -1)),
    artistGenre: shared(Int32Array.from(artistGenres, (g) => genreIndex.get(g)!)),
    trackIdRank: shared(ranksOf(trackOrder)),
    artistIdRank: shared(idRanks(artistIds)),
    albumIdRank: shared(idRanks(albumIds)),
    genreNameRank: shared(idRanks(genres)),
    resolve: shared(Int32Array.from(dict.ids, resolveCode)),
    trackYear: shared(Int32Array.from(years, (y) => (y !== null && Number.isInteger(y) && y > 0 ? y : 0))),
    trackFeatures: shared(trackFeatures),
  };
  return { catalog, names: { trackIds, artistIds, albumIds, genreNames: genres, resolveId }, aliases };
}
