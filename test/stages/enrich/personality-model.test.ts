import { describe, expect, it } from 'vitest';
import { PERSONALITIES } from '../../../stages/enrich/personality-labels.ts';
import { loadPersonalityModel, nearestCentroid, personalityCode, personalityOf } from '../../../stages/enrich/personality-model.ts';
import { kMeans, nameCentroid } from '../../../stages/enrich/train-personality.ts';

describe('the personality model', () => {
  const m = loadPersonalityModel();

  it('ships 16 distinct labels, one per code', () => {
    expect(Object.keys(PERSONALITIES).length).toBe(16);
    expect(new Set(Object.values(PERSONALITIES).map((p) => p.label)).size).toBe(16);
    const codes = new Set<string>();
    for (let i = 0; i < 16; i++) {
      const axes = { discovery: i & 1 ? 1 : 0, loyalty: i & 2 ? 1 : 0, timelessness: i & 4 ? 1 : 0, commonality: i & 8 ? 1 : 0 };
      const code = personalityCode(axes, m.axis_cuts);
      codes.add(code);
      expect(PERSONALITIES[code]).toBeDefined();
    }
    expect(codes.size).toBe(16);
  });

  it('puts an axis exactly at its cut on the high side', () => {
    expect(personalityOf({ ...m.axis_cuts }, m.axis_cuts).code).toBe('ELTC');
  });

  it('classifies each centroid (in catalog units) as itself', () => {
    m.centroids.forEach((c, i) => {
      const raw = c.center.map((z, k) => z * m.feature_std[k]! + m.feature_mean[k]!);
      expect(nearestCentroid(raw, m)).toBe(i);
    });
  });

  it('trains reproducibly: k-means with a seed gives the same centres, named from their strongest features', () => {
    const pts = Array.from({ length: 200 }, (_, i) => [Math.sin(i) * 2 + (i % 2 ? 3 : -3), Math.cos(i * 7), 0, 0, (i % 3) - 1]);
    expect(kMeans(pts, 3, 5)).toEqual(kMeans(pts, 3, 5));
    expect(nameCentroid([2, 0.1, 0, 0, -1]).name).toBe('Fast & Electric');
  });
});
