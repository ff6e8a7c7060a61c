import * as fs from 'node:fs';
import * as arrow from 'apache-arrow';
import type { WorkerPool } from '../../engine/pool/worker-pool.ts';
import { aggregateTablePath, tableColumn } from './output.ts';

/** A pool task over one bucket of stage 1's `artists` table. */
export interface ListenerCountTask {
  readonly aggregateDir: string;
  readonly bucket: number;
  readonly numBuckets: number;
  readonly artists: number;
}

/** Listeners per artist in one bucket: each (user, artist) row of the `artists` table is one listener. */
export function listenerCountTask(t: ListenerCountTask): Int32Array {
  const tb = arrow.tableFromIPC(fs.readFileSync(aggregateTablePath(t.aggregateDir, 'artists', t.bucket, t.numBuckets)));
  const counts = new Int32Array(t.artists);
  if (tb.numRows > 0) {
    const v = tableColumn<Int32Array>(tb, 'artist');
    for (let i = 0; i < v.length; i++) counts[v[i]!]!++;
  }
  return counts;
}

/**
 * Listeners per artist over all buckets (SPEC §4: users with at least one
 * counted play of the artist), one pool task per bucket, summed here.
 */
export async function countListeners(pool: WorkerPool, aggregateDir: string, numBuckets: number, artists: number): Promise<Int32Array> {
  const module = new URL('./listener-counts.ts', import.meta.url).href;
  const parts = await Promise.all(Array.from({ length: numBuckets }, (_, bucket) =>
    pool.run<ListenerCountTask, Int32Array>({ module, fn: 'listenerCountTask', input: { aggregateDir, bucket, numBuckets, artists } })));
  const out = new Int32Array(artists);
  for (const c of parts) for (let a = 0; a < c.length; a++) out[a]! += c[a]!;
  return out;
}
