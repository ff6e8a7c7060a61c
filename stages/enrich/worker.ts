import * as path from 'node:path';
import { writeFileAtomic } from '../../engine/lake/atomic-file.ts';
import { bucketFileName } from '../../engine/smb/filename-policy.ts';
import { readAggregateBucket } from '../aggregate/output.ts';
import { enrichedDocument } from './enriched-document.ts';
import type { EnrichTaskInput, EnrichTaskResult } from './messages.ts';
import { lastYearForBucket } from './previous-year.ts';

/** Stage 2's per-bucket output file: one JSON line per user, in user_key order. */
export const enrichFileName = (bucket: number, numBuckets: number) => bucketFileName(bucket, numBuckets, 0, 1).replace(/\.arrow$/, '.ndjson');

/** Stage-2 pool task: one bucket's enriched documents, written as NDJSON. */
export function enrichTask(t: EnrichTaskInput): EnrichTaskResult {
  const t0 = performance.now();
  const summaries = readAggregateBucket(t.aggregateDir, t.bucket, t.numBuckets);
  const last = t.previous ? lastYearForBucket(t.previous, t.bucket, t.numBuckets) : null;
  const ctx = { year: t.year, through: t.through, text: t.text, popularity: t.popularity, model: t.model, hasPreviousYear: t.previous !== null };
  const lines: string[] = [];
  const personalities: Record<string, number> = {};
  let eligible = 0;
  for (const [user, s] of summaries) {
    const doc = enrichedDocument(user, s, ctx, last?.get(user) ?? null);
    if (s.eligible) {
      eligible++;
      const code = (doc['music_personality'] as { code: string }).code;
      personalities[code] = (personalities[code] ?? 0) + 1;
    }
    lines.push(JSON.stringify(doc));
  }
  writeFileAtomic(path.join(t.outDir, enrichFileName(t.bucket, t.numBuckets)), lines.length ? lines.join('\n') + '\n' : '');
  return { users: summaries.size, eligible, personalities, ms: performance.now() - t0 };
}

export function warmup(): number {
  return 0;
}
