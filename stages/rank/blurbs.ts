/**
 * SPEC §4's statements. Thresholds are in tenths of a percent so that the test
 * "r / N <= threshold" is exact integer arithmetic: r × 1000 <= t × N.
 */
export const THRESHOLDS_PERMILLE = [1, 5, 10, 20, 50, 100] as const;
/** The widest threshold: no statement is made past the top 10%. */
export const WIDEST_PERMILLE = THRESHOLDS_PERMILLE[THRESHOLDS_PERMILLE.length - 1]!;

/** The smallest threshold (per mille) with r / N <= t, or null when none holds. */
export function smallestThreshold(r: number, n: number): number | null {
  for (const t of THRESHOLDS_PERMILLE) if (r * 1000 <= t * n) return t;
  return null;
}

const pct = (permille: number) => permille / 10;

export interface Blurb {
  readonly kind: 'top_listener' | 'early_fan';
  readonly artist_id: string;
  readonly threshold_pct: number;
  readonly text: string;
}

/**
 * Top listener: r = 1 + listeners with strictly more ms (SPEC §4), so "in the
 * top 0.5%" means r / N <= 0.5%.
 */
export function topListenerBlurb(artistId: string, name: string, permille: number): Blurb {
  return { kind: 'top_listener', artist_id: artistId, threshold_pct: pct(permille), text: `You were in the top ${pct(permille)}% of ${name} listeners` };
}

/**
 * Early fan: r = listeners whose first stream was at or before this user's,
 * the user included (ties count against the user; listeners without a stream
 * come after everyone), so "before 99.5% of their listeners" holds exactly:
 * N − r listeners found the artist strictly later.
 */
export function earlyFanBlurb(artistId: string, name: string, permille: number): Blurb {
  const before = Math.round((100 - pct(permille)) * 10) / 10;
  return { kind: 'early_fan', artist_id: artistId, threshold_pct: pct(permille), text: `You found ${name} before ${before}% of their listeners` };
}
