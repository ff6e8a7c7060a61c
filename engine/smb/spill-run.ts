import * as fs from 'node:fs';
import * as path from 'node:path';
import * as arrow from 'apache-arrow';
import { writeFileAtomic } from '../lake/atomic-file.ts';
import type { RowBlock } from './row-block.ts';

/**
 * A sorted run spilled by the external sort: a directory with one Arrow IPC
 * file per non-empty bucket, holding the block's raw encoded columns (user
 * index, not key bytes: the users stay in memory). Merging reads one bucket
 * of each run at a time, so the merge holds one bucket, not the partition.
 */
const COLUMNS = ['user', 'ts', 'track', 'artist', 'album', 'ms', 'arrival', 'source', 'priv', 'device', 'country'] as const;
type Col = (typeof COLUMNS)[number];

const bucketFile = (dir: string, bucket: number) => path.join(dir, `bucket-${String(bucket).padStart(5, '0')}.arrow`);

export function writeRun(dir: string, b: RowBlock, order: Uint32Array, bucketOfUser: (u: number) => number, numBuckets: number): void {
  fs.mkdirSync(dir, { recursive: true });
  let start = 0;
  for (let bucket = 0; bucket < numBuckets && start < b.n; bucket++) {
    let end = start;
    while (end < b.n && bucketOfUser(b.user[order[end]!]!) === bucket) end++;
    if (end > start) {
      const cols: Record<string, arrow.Vector> = {};
      for (const c of COLUMNS) {
        const src = b[c as Col];
        const dst = new (src.constructor as { new (n: number): typeof src })(end - start);
        for (let i = start; i < end; i++) dst[i - start] = src[order[i]!]!;
        cols[c] = arrow.makeVector(dst as Int32Array);
      }
      writeFileAtomic(bucketFile(dir, bucket), arrow.tableToIPC(new arrow.Table(cols), 'file'));
    }
    start = end;
  }
}

/** Appends the run's rows of one bucket to the block. */
export function readRun(dir: string, bucket: number, b: RowBlock): void {
  const file = bucketFile(dir, bucket);
  if (!fs.existsSync(file)) return;
  const t = arrow.tableFromIPC(fs.readFileSync(file));
  const n = t.numRows;
  b.reserve(n);
  for (const c of COLUMNS) {
    const v = t.getChild(c)!.toArray() as Int32Array;
    (b[c as Col] as Int32Array).set(v, b.n);
  }
  b.n += n;
}
