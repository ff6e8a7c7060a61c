import type { CatalogText } from '../../engine/catalog/catalog-text.ts';
import type { DigestCentroids } from '../../engine/sketches/value-digest.ts';

/**
 * Rank works on two measures per (user, artist): 0 = ms (top listener) and
 * 1 = −first stream ts (early fan: larger is earlier; −∞ without a stream).
 */
export const MEASURES = ['ms', 'early'] as const;

/** Per-artist values of one measure in CSR form: artist a's values are values[offsets[a], offsets[a + 1]), sorted ascending once built. */
export interface ArtistValues {
  readonly values: Float64Array;
  readonly offsets: Int32Array;
}

interface BucketRef {
  readonly aggregateDir: string;
  readonly bucket: number;
  readonly numBuckets: number;
}

/** Collect a bucket's (artist, value) pairs for candidate artists, only values >= the artist's cut (−∞: all). */
export interface CollectTask extends BucketRef {
  readonly candidates: Uint8Array;
  readonly cuts: readonly [Float64Array, Float64Array];
}
export interface CollectResult {
  readonly artists: readonly [Int32Array, Int32Array];
  readonly values: readonly [Float64Array, Float64Array];
}

/** Build a bucket's digests for candidate artists (sketch mode). */
export interface DigestTask extends BucketRef {
  readonly candidates: Uint8Array;
}
export interface DigestResult {
  /** Per measure: the artists present, and each one's centroids. */
  readonly artists: Int32Array;
  readonly digests: readonly [DigestCentroids[], DigestCentroids[]];
}

export interface SortTask {
  readonly values: Float64Array;
  readonly offsets: Int32Array;
  readonly from: number;
  readonly to: number;
}

/** Emit one bucket's statements, exact against the collected values. */
export interface BlurbTask extends BucketRef {
  readonly outDir: string;
  readonly text: CatalogText;
  readonly listeners: Int32Array;
  readonly minListeners: number;
  readonly measures: readonly [ArtistValues & { cuts: Float64Array }, ArtistValues & { cuts: Float64Array }];
}
export interface BlurbResult {
  readonly users: number;
  /** Statements by kind and threshold (per mille), e.g. "top_listener:5". */
  readonly statements: Record<string, number>;
  readonly ms: number;
}
