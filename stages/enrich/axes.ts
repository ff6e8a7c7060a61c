import { FEATURE_SCALE } from '../../engine/catalog/features.ts';
import type { UserSummary } from '../aggregate/user-accumulator.ts';
import type { Axes } from './personality-model.ts';

/** Without last year's data, an artist first streamed this long after the user's first stream is a discovery. */
export const DISCOVERY_GRACE_MS = 28 * 86_400_000;
/** Age at which the music people love most tends to be released (the "reminiscence bump"). */
export const LISTENING_AGE_BUMP = 17;

const ratio = (a: number, b: number) => (b > 0 ? Math.min(1, Math.max(0, a / b)) : 0);

/**
 * The personality axes of one user (docs/stage-outputs.md states the formulas):
 * - discovery: share of ms on artists new to the user this year: not among last
 *   year's artists when `lastYear` is given, else first streamed more than 28
 *   days after the user's first stream of the year (or never streamed);
 * - loyalty: share of ms on the top 5 artists;
 * - timelessness: share of ms (over tracks with a release year) on tracks
 *   released 10 or more years before the year;
 * - commonality: ms-weighted mean of the artists' popularity in [0, 1] (artistPopularity).
 */
export function personalityAxes(s: UserSummary, popularity: Float64Array, lastYear: ReadonlySet<number> | null): Axes {
  let firstStream = Infinity;
  for (let i = 0; i < s.artists.length; i++) firstStream = Math.min(firstStream, s.artistFirstStream[i]!);
  let discovered = 0, top5 = 0, common = 0;
  for (let i = 0; i < s.artists.length; i++) {
    const a = s.artists[i]!, ms = s.artistMs[i]!;
    const isNew = lastYear ? !lastYear.has(a) : !(s.artistFirstStream[i]! <= firstStream + DISCOVERY_GRACE_MS);
    if (isNew) discovered += ms;
    if (i < 5) top5 += ms;
    common += ms * popularity[a]!;
  }
  const round = (x: number) => Math.round(x * 1000) / 1000;
  return {
    discovery: round(ratio(discovered, s.totalMs)),
    loyalty: round(ratio(top5, s.totalMs)),
    timelessness: round(ratio(s.timelessMs, s.datedMs)),
    commonality: round(ratio(common, s.totalMs)),
  };
}

/**
 * Artist popularity for commonality, in [0, 1]: the share of all (listener,
 * artist) pairs that belong to artists with fewer listeners, plus half the
 * share of artists with as many (a listener-weighted mid-rank percentile),
 * from this run's listener counts. Unlike a ratio to the most-listened artist, it does not
 * drift with the number of users, so the model's cut holds on any size of year.
 * Sums of integers: exact, whatever the order.
 */
export function artistPopularity(listeners: Int32Array): Float64Array {
  const order = Array.from(listeners.keys()).sort((a, b) => listeners[a]! - listeners[b]!);
  let total = 0;
  for (let a = 0; a < listeners.length; a++) total += listeners[a]!;
  const out = new Float64Array(listeners.length);
  if (total === 0) return out;
  let below = 0;
  for (let i = 0; i < order.length; ) {
    let j = i, same = 0;
    while (j < order.length && listeners[order[j]!] === listeners[order[i]!]) same += listeners[order[j++]!]!;
    for (let k = i; k < j; k++) out[order[k]!] = (below + same / 2) / total;
    below += same;
    i = j;
  }
  return out;
}

/**
 * Listening age: the year minus the ms-weighted mean release year of what the
 * user played, plus LISTENING_AGE_BUMP, rounded; null without dated plays.
 * "You listened like a 34-year-old" for music that averages 2008 in 2025.
 */
export function listeningAge(s: UserSummary, year: number): number | null {
  if (s.datedMs <= 0) return null;
  return Math.max(0, Math.round(year - s.yearMs / s.datedMs + LISTENING_AGE_BUMP));
}

/** The user's ms-weighted mean audio features in catalog units (tempo in bpm, the rest in [0, 1]); null without featured plays. */
export function audioFeatures(s: UserSummary): number[] | null {
  if (s.featuredMs <= 0) return null;
  return Array.from(s.featureMs, (v, k) => v / s.featuredMs / FEATURE_SCALE[k]!);
}
