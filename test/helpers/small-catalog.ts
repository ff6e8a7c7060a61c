import type { StageCatalog } from '../../engine/catalog/stage-catalog.ts';

/** Tracks in `smallCatalog`. */
export const SMALL_TRACKS = 300;

/**
 * A stage catalog small enough to read: 300 tracks (or `tracks`) of 40
 * artists; codes 0..299 name them in order, codes 300..309 are old ids of
 * tracks 0..9 (aliases), codes 310..314 name no track.
 */
export function smallCatalog(tracks = SMALL_TRACKS): StageCatalog {
  const T = tracks;
  return {
    tracks: T, artists: 40, albums: 60, genres: 5,
    trackArtist: Int32Array.from({ length: T }, (_, t) => t % 40),
    trackAlbum: Int32Array.from({ length: T }, (_, t) => t % 60),
    artistGenre: Int32Array.from({ length: 40 }, (_, a) => a % 5),
    trackIdRank: Int32Array.from({ length: T }, (_, t) => T - 1 - t),
    artistIdRank: Int32Array.from({ length: 40 }, (_, a) => a),
    albumIdRank: Int32Array.from({ length: 60 }, (_, a) => a),
    genreNameRank: Int32Array.from({ length: 5 }, (_, g) => g),
    resolve: Int32Array.from({ length: T + 15 }, (_, c) => (c < T ? c : c < T + 10 ? c - T : -1)),
    trackYear: Int32Array.from({ length: T }, (_, t) => 1990 + (t % 36)),
    trackFeatures: Int32Array.from({ length: 5 * T }, (_, i) => (i % 7 === 0 ? -1 : i % 1000)),
  };
}
