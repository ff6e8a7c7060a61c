/**
 * Trains the shipped personality model offline (not part of a run):
 *
 *   node --import tsx stages/enrich/train-personality.ts [--users 2000] [--seed 7] [--k 6] [--out FILE]
 *
 * Generates a seeded sample year, runs stage 1 on it, and from every eligible
 * user's axes and ms-weighted audio features derives: the axis cuts (medians),
 * the features' mean and standard deviation, and k centroids (k-means++ with a
 * seeded generator, then Lloyd iterations) named after their strongest features.
 * The same arguments give the same file.
 */
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { parseArgs } from 'node:util';
import { generateLake } from '../../fixtures/sample-year/generate.ts';
import { mulberry32 } from '../../fixtures/sample-year/rng.ts';
import { bucketLake } from '../../engine/smb/bucket-lake.ts';
import { FEATURES } from '../../engine/catalog/features.ts';
import { runAggregate } from '../aggregate/index.ts';
import { readAggregateBucket } from '../aggregate/output.ts';
import type { UserSummary } from '../aggregate/user-accumulator.ts';
import { artistPopularity, audioFeatures, personalityAxes } from './axes.ts';
import { AXES, MODEL_FILE, type Axes, type PersonalityModel } from './personality-model.ts';

const HIGH = ['Fast', 'Energetic', 'Sunny', 'Groovy', 'Acoustic'];
const LOW = ['Slow', 'Calm', 'Moody', 'Still', 'Electric'];
const WORD = ['tempo', 'energy', 'mood', 'danceability', 'acoustic sound'];

const rng = mulberry32;

const dist2 = (a: readonly number[], b: readonly number[]) => a.reduce((s, x, k) => s + (x - b[k]!) ** 2, 0);

export function kMeans(points: readonly number[][], k: number, seed: number, iterations = 100): number[][] {
  const r = rng(seed);
  const centers = [points[Math.floor(r() * points.length)]!.slice()];
  while (centers.length < k) {
    const d = points.map((p) => Math.min(...centers.map((c) => dist2(p, c))));
    let x = r() * d.reduce((s, v) => s + v, 0);
    let i = 0;
    while (i < d.length - 1 && (x -= d[i]!) > 0) i++;
    centers.push(points[i]!.slice());
  }
  for (let it = 0; it < iterations; it++) {
    const sums = centers.map((c) => c.map(() => 0));
    const counts = centers.map(() => 0);
    for (const p of points) {
      let best = 0;
      centers.forEach((c, j) => dist2(p, c) < dist2(p, centers[best]!) && (best = j));
      counts[best]!++;
      p.forEach((v, q) => (sums[best]![q]! += v));
    }
    centers.forEach((c, j) => counts[j]! > 0 && c.forEach((_, q) => (c[q] = sums[j]![q]! / counts[j]!)));
  }
  return centers;
}

export function nameCentroid(center: readonly number[]): { name: string; description: string } {
  const order = center.map((z, q) => q).sort((a, b) => Math.abs(center[b]!) - Math.abs(center[a]!) || a - b);
  const words = order.slice(0, 2).map((q) => (center[q]! >= 0 ? HIGH : LOW)[q]!);
  const traits = order.slice(0, 2).map((q) => `${center[q]! >= 0 ? 'more' : 'less'} ${WORD[q]}`);
  return { name: `${words[0]} & ${words[1]}`, description: `Your listening leaned to ${traits[0]} and ${traits[1]} than most.` };
}

const median = (xs: number[]) => {
  const s = [...xs].sort((a, b) => a - b);
  return s.length ? (s[(s.length - 1) >> 1]! + s[s.length >> 1]!) / 2 : 0;
};

async function main(): Promise<void> {
  const { values } = parseArgs({ options: { users: { type: 'string', default: '2000' }, seed: { type: 'string', default: '7' }, k: { type: 'string', default: '6' }, out: { type: 'string' } } });
  const users = Number(values.users), seed = Number(values.seed), k = Number(values.k);
  const year = 2025;
  const tmp = fs.mkdtempSync(path.join(os.tmpdir(), 'wrapped-train-'));
  try {
    const lake = path.join(tmp, 'lake'), smb = path.join(tmp, 'smb'), agg = path.join(tmp, 'aggregate');
    await generateLake({ lake, users, seed, years: [year] });
    await bucketLake({ lake, smb });
    const r = await runAggregate({ lake, smb, out: agg, year });
    const all: UserSummary[] = [];
    for (let j = 0; j < r.numBuckets; j++) for (const s of readAggregateBucket(agg, j, r.numBuckets).values()) all.push(s);
    const listeners = new Int32Array(r.names.artistIds.length);
    for (const s of all) for (const a of s.artists) listeners[a]!++;
    const pop = artistPopularity(listeners);
    const eligible = all.filter((s) => s.eligible);
    const axes = eligible.map((s) => personalityAxes(s, pop, null));
    const cuts = Object.fromEntries(AXES.map((a) => [a, Math.round(median(axes.map((x) => x[a])) * 1000) / 1000])) as Axes;
    const feats = eligible.map(audioFeatures).filter((f): f is number[] => f !== null);
    const mean = FEATURES.map((_, q) => feats.reduce((s, f) => s + f[q]!, 0) / feats.length);
    const std = FEATURES.map((_, q) => Math.sqrt(feats.reduce((s, f) => s + (f[q]! - mean[q]!) ** 2, 0) / feats.length) || 1);
    const z = feats.map((f) => f.map((v, q) => (v - mean[q]!) / std[q]!));
    const round = (x: number) => Math.round(x * 1e6) / 1e6;
    const centers = kMeans(z, k, seed);
    const model: PersonalityModel = {
      version: 'personality-v2',
      trained_on: { seed, users, year, k },
      features: [...FEATURES],
      axis_cuts: cuts,
      feature_mean: mean.map(round),
      feature_std: std.map(round),
      centroids: centers.map((c) => ({ ...nameCentroid(c), center: c.map(round) })),
    };
    const out = values.out ?? MODEL_FILE;
    fs.writeFileSync(out, JSON.stringify(model, null, 2) + '\n');
    console.log(`trained on ${eligible.length} eligible users of ${all.length}: cuts ${JSON.stringify(cuts)}, ${k} centroids → ${String(out)}`);
  } finally {
    fs.rmSync(tmp, { recursive: true, force: true });
  }
}

if (process.argv[1] && import.meta.url === new URL(process.argv[1], 'file:').href) await main();
