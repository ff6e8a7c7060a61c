import * as fs from 'node:fs';
import * as path from 'node:path';
import { wrappedError } from '../../engine/errors/registry.ts';
import { stageComplete } from '../../engine/plan/bucket-markers.ts';
import { ARTIST_IDS_FILE, readAggregateBucket } from '../aggregate/output.ts';
import { TOP_ARTISTS } from '../aggregate/user-accumulator.ts';
import type { LastYear } from './enriched-document.ts';

/**
 * The previous year's stage-1 output, as a later year's enrich reads it: its
 * directory, bucket count, and a map from its catalog's artist indexes to this
 * year's (catalogs change between years; -1 for an artist no longer listed).
 */
export interface PreviousYear {
  readonly dir: string;
  readonly numBuckets: number;
  readonly artistMap: Int32Array;
}

export function openPreviousYear(aggregateDir: string, artistIds: readonly string[]): PreviousYear {
  if (!stageComplete(aggregateDir)) throw wrappedError('ERR_STAGE_INPUT_INCOMPLETE', { stage: 'enrich', input: 'the previous year\'s aggregate', dir: aggregateDir });
  const meta = JSON.parse(fs.readFileSync(path.join(aggregateDir, 'metadata.json'), 'utf8')) as { num_buckets: number };
  const prevIds = JSON.parse(fs.readFileSync(path.join(aggregateDir, ARTIST_IDS_FILE), 'utf8')) as string[];
  const index = new Map(artistIds.map((a, i) => [a, i]));
  const artistMap = new Int32Array(new SharedArrayBuffer(Math.max(8, prevIds.length * 4)), 0, prevIds.length);
  prevIds.forEach((a, i) => (artistMap[i] = index.get(a) ?? -1));
  return { dir: aggregateDir, numBuckets: meta.num_buckets, artistMap };
}

/**
 * Last year's data for the users of this year's bucket j of n. Both years use
 * power-of-two bucket counts over the same hash (low bits), so bucket j of n
 * holds the users of bucket j mod m of m when m <= n, and of buckets j + k·n when m > n.
 */
export function lastYearForBucket(prev: PreviousYear, bucket: number, numBuckets: number): Map<string, LastYear> {
  const m = prev.numBuckets;
  const sources = m <= numBuckets ? [bucket & (m - 1)] : Array.from({ length: m / numBuckets }, (_, k) => bucket + k * numBuckets);
  const out = new Map<string, LastYear>();
  for (const b of sources) {
    for (const [user, s] of readAggregateBucket(prev.dir, b, m)) {
      const mapped = Array.from(s.artists, (a) => prev.artistMap[a]!);
      out.set(user, { totalMs: s.totalMs, artists: new Set(mapped.filter((a) => a >= 0)), topArtists: mapped.slice(0, TOP_ARTISTS) });
    }
  }
  return out;
}
