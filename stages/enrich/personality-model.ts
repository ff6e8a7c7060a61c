import * as fs from 'node:fs';
import { FEATURES } from '../../engine/catalog/features.ts';
import { AXIS_LETTERS, PERSONALITIES } from './personality-labels.ts';

/** The four personality axes of SPEC §4, each in [0, 1]. */
export const AXES = ['discovery', 'loyalty', 'timelessness', 'commonality'] as const;
export type Axes = Record<(typeof AXES)[number], number>;

/**
 * The shipped personality model (stages/enrich/model/personality-v2.json),
 * trained offline by train-personality.ts on a seeded sample year:
 * - axis cuts: the median of each axis over the training users, so the 16
 *   labels are about equally likely;
 * - a nearest-centroid model over ms-weighted audio features, z-scored with
 *   the training mean and standard deviation.
 */
export interface PersonalityModel {
  readonly version: string;
  readonly trained_on: { readonly seed: number; readonly users: number; readonly year: number; readonly k: number };
  readonly features: readonly string[];
  readonly axis_cuts: Axes;
  readonly feature_mean: readonly number[];
  readonly feature_std: readonly number[];
  readonly centroids: ReadonlyArray<{ readonly name: string; readonly description: string; readonly center: readonly number[] }>;
}

export const MODEL_FILE = new URL('./model/personality-v2.json', import.meta.url);

export function loadPersonalityModel(file: URL | string = MODEL_FILE): PersonalityModel {
  const m = JSON.parse(fs.readFileSync(file, 'utf8')) as PersonalityModel;
  if (m.features.join() !== FEATURES.join()) throw new Error(`${String(file)}: model features [${m.features.join(', ')}] differ from the catalog's [${FEATURES.join(', ')}]`);
  return m;
}

/** The four-letter code: per axis, the first letter when the axis is at or above the model's cut. */
export function personalityCode(axes: Axes, cuts: Axes): string {
  return AXES.map((a, i) => AXIS_LETTERS[i]![axes[a] >= cuts[a] ? 0 : 1]).join('');
}

export function personalityOf(axes: Axes, cuts: Axes): { code: string; label: string; description: string } {
  const code = personalityCode(axes, cuts);
  return { code, ...PERSONALITIES[code]! };
}

/** Index of the nearest centroid (Euclidean, z-scored features); ties go to the lower index. */
export function nearestCentroid(features: readonly number[], m: PersonalityModel): number {
  let best = 0, bestD = Infinity;
  m.centroids.forEach((c, i) => {
    let d = 0;
    for (let k = 0; k < features.length; k++) {
      const z = (features[k]! - m.feature_mean[k]!) / (m.feature_std[k]! || 1);
      d += (z - c.center[k]!) ** 2;
    }
    if (d < bestD) (bestD = d), (best = i);
  });
  return best;
}
