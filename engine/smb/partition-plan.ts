import * as fs from 'node:fs';
import * as path from 'node:path';
import { isoDate } from '../lake/calendar.ts';
import { isTrackSorted, ROLLUP_SORT_KEYS } from './bucket-schema.ts';
import { METADATA_FILE } from './filename-policy.ts';
import { readMetadata, type BucketMetadata } from './metadata.ts';
import { partitionDigest, rollUpPartitions } from './rollup.ts';
import { listSmbPartitions } from './smb-layout.ts';

/** Roll-ups live beside the day partitions: `<smb>/rollups/days-<first>_<last>/`. */
export const ROLLUPS_DIR = 'rollups';

export function rollupDir(smb: string, firstDay: number, lastDay: number): string {
  return path.join(smb, ROLLUPS_DIR, `days-${isoDate(firstDay)}_${isoDate(lastDay)}`);
}

export interface PartitionPlan {
  /** What to read, in arrival order: roll-ups standing in for their days, and the other days. */
  readonly partitions: Array<{ dir: string; metadata: BucketMetadata }>;
  /** Roll-ups used, and roll-ups skipped because a day they were made from changed or is not wanted (`why`, by index). */
  readonly rollups: string[];
  readonly skipped: string[];
  readonly why: string[];
  /** The day partitions of [from, to] (what the plan chose from). */
  readonly days: Array<{ dir: string; metadata: BucketMetadata }>;
}

/**
 * The partitions to read for arrival days [from, to]: the day partitions,
 * with complete roll-ups standing in for exactly the days they were made
 * from. A roll-up is used only when every input is one of these day
 * partitions with the same metadata.json (SHA-256): a re-bucketed day, or a
 * roll-up reaching outside the range, would change which rows are read, so
 * such a roll-up is skipped and its days are read instead, as is one made by
 * an older version in another row order (ROLLUP_SORT_KEYS). Larger roll-ups
 * are preferred; two chosen roll-ups never share a day.
 */
export function planSmbPartitions(smb: string, from: number, to: number): PartitionPlan {
  const days = listSmbPartitions(smb, from, to);
  const root = path.join(smb, ROLLUPS_DIR);
  const candidates = fs.existsSync(root)
    ? fs.readdirSync(root).sort().map((d) => path.join(root, d)).filter((d) => fs.existsSync(path.join(d, METADATA_FILE))).map((dir) => ({ dir, metadata: readMetadata(dir) }))
    : [];
  candidates.sort((a, b) => b.metadata.inputs.length - a.metadata.inputs.length);
  const remaining = new Map(days.map((p) => [path.resolve(p.dir), p]));
  const digests = new Map<string, string>();
  const digest = (dir: string) => digests.get(dir) ?? (digests.set(dir, partitionDigest(dir)), digests.get(dir)!);
  const chosen: Array<{ dir: string; metadata: BucketMetadata }> = [];
  const skipped: string[] = [];
  const why: string[] = [];
  const wanted = new Set(remaining.keys());
  const problem = (r: { metadata: BucketMetadata }): string | null => {
    if (r.metadata.inputs.length === 0) return 'it lists no input partitions';
    if (!isTrackSorted(r.metadata.sortKeys)) return `its rows are sorted by ${JSON.stringify(r.metadata.sortKeys)}, expected ${JSON.stringify(ROLLUP_SORT_KEYS)} (made by an older version; roll the days up again)`;
    for (const x of r.metadata.inputs) {
      const dir = path.resolve(x.path);
      if (!wanted.has(dir)) return `its input ${x.path} is not one of the day partitions of arrival days ${from}..${to} (outside the range, or gone)`;
      if (!remaining.has(dir)) return `its input ${x.path} is already read through a larger roll-up`;
      if (x.sha256 !== digest(dir)) return `its input ${x.path} changed since the roll-up was made (metadata.json SHA-256 ${digest(dir).slice(0, 12)}…, expected ${String(x.sha256).slice(0, 12)}…)`;
    }
    return null;
  };
  for (const r of candidates) {
    const bad = problem(r);
    if (bad) {
      skipped.push(r.dir);
      why.push(bad);
      continue;
    }
    for (const x of r.metadata.inputs) remaining.delete(path.resolve(x.path));
    chosen.push(r);
  }
  const partitions = [...chosen, ...remaining.values()].sort((a, b) => a.metadata.arrivalDays.first - b.metadata.arrivalDays.first || a.metadata.arrivalDays.last - b.metadata.arrivalDays.last);
  return { partitions, rollups: chosen.map((r) => r.dir), skipped, why, days };
}

/**
 * Makes sure arrival days [from, to] are readable as one roll-up: builds
 * `rollupDir(smb, first, last)` from the day partitions unless a valid
 * roll-up already stands in for all of them. Returns its directory, or null
 * when there is nothing to roll up.
 */
export async function rollUpDays(smb: string, from: number, to: number, options: { workers?: number; onBucket?: (done: number, total: number, rows: number) => void } = {}): Promise<{ dir: string | null; built: boolean }> {
  const plan = planSmbPartitions(smb, from, to);
  if (plan.partitions.length === 0) return { dir: null, built: false };
  // Already one partition (a roll-up of all the days, or a single day): nothing to gain.
  if (plan.partitions.length === 1) return { dir: plan.partitions[0]!.dir, built: false };
  const days = plan.days;
  const dir = rollupDir(smb, days[0]!.metadata.arrivalDays.first, days[days.length - 1]!.metadata.arrivalDays.last);
  await rollUpPartitions(days.map((p) => p.dir), dir, { smb, ...options });
  return { dir, built: true };
}
