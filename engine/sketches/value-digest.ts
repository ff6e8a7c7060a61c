import tdigest from 'tdigest';

/** t-digest compression: a centroid holds at most about delta of the mass. */
export const DIGEST_DELTA = 0.01;

/** A digest's centroids as typed arrays (means ascending), for returning from a worker. */
export interface DigestCentroids {
  readonly means: Float64Array;
  readonly counts: Float64Array;
}

/**
 * A mergeable quantile sketch over numbers (the `tdigest` package). The package
 * has no merge: a digest absorbs another by pushing its centroids (mean with
 * weight), which is the t-digest merge up to the order of insertion.
 */
export class ValueDigest {
  private readonly d = new tdigest.TDigest(DIGEST_DELTA, 25, 1.1);

  get count(): number {
    return this.d.n;
  }

  push(x: number, weight = 1): void {
    this.d.push(x, weight);
  }

  /** Absorbs another digest's centroids. */
  merge(c: DigestCentroids): void {
    for (let i = 0; i < c.means.length; i++) this.d.push(c.means[i]!, c.counts[i]!);
  }

  centroids(): DigestCentroids {
    this.d.compress();
    const cs = this.d.toArray();
    return { means: Float64Array.from(cs, (c) => c.mean), counts: Float64Array.from(cs, (c) => c.n) };
  }

  /** Estimated value at quantile p in [0, 1]; NaN when empty. */
  quantile(p: number): number {
    if (this.d.n === 0) return NaN;
    this.d.compress();
    return this.d.percentile(p);
  }

  /** Estimated share of values below x, in [0, 1]; NaN when empty. */
  shareBelow(x: number): number {
    if (this.d.n === 0) return NaN;
    return this.d.p_rank(x) ?? NaN;
  }
}
