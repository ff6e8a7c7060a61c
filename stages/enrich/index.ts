import * as fs from 'node:fs';
import * as path from 'node:path';
import { entryString, tableSize } from '../../engine/columns/string-table.ts';
import { wrappedError } from '../../engine/errors/registry.ts';
import { completeStage, readMarker, writeMarker } from '../../engine/plan/bucket-markers.ts';
import { openStageInputs } from '../aggregate/metadata.ts';
import { WorkerPool } from '../../engine/pool/worker-pool.ts';
import { throughDate, yearWindow } from '../aggregate/year-window.ts';
import { artistPopularity } from './axes.ts';
import { countListeners } from '../aggregate/listener-counts.ts';
import type { EnrichTaskInput, EnrichTaskResult } from './messages.ts';
import { loadPersonalityModel, type PersonalityModel } from './personality-model.ts';
import { openPreviousYear } from './previous-year.ts';

export interface EnrichOptions {
  readonly lake: string;
  /** Stage 1's complete output. */
  readonly aggregateDir: string;
  readonly out: string;
  readonly workers?: number;
  /** The previous year's stage-1 output, when that year was run (vs last year, discovery). */
  readonly previousAggregateDir?: string | null;
  readonly model?: PersonalityModel;
  readonly onBucket?: (done: number, total: number, users: number) => void;
}

export interface EnrichResult {
  readonly users: number;
  readonly eligible: number;
  readonly personalities: Record<string, number>;
  readonly taskMs: readonly number[];
  readonly seconds: number;
}

/**
 * Stage 2 (enrich): names and titles, genres with parent and share, listening
 * age, music personality (four axes, 16 labels, audio-profile centroid) and vs
 * last year, per user, in stage 1's bucketing (docs/stage-outputs.md). The
 * pinned catalog's text and the artists' popularity are broadcast once in shared
 * memory; each bucket is one pool task; completed buckets are not redone.
 */
export async function runEnrich(o: EnrichOptions): Promise<EnrichResult> {
  const t0 = performance.now();
  const { agg, hash, text } = openStageInputs('enrich', o.aggregateDir, o.lake);
  const model = o.model ?? loadPersonalityModel();
  const artistIds = Array.from({ length: tableSize(text.artistIds) }, (_, i) => entryString(text.artistIds, i));
  const previous = o.previousAggregateDir ? openPreviousYear(o.previousAggregateDir, artistIds) : null;
  const n = agg.num_buckets;
  fs.mkdirSync(o.out, { recursive: true });
  const pool = new WorkerPool({ workers: o.workers });
  const module = new URL('./worker.ts', import.meta.url).href;
  let users = 0, eligible = 0, done = 0;
  const personalities: Record<string, number> = {};
  const taskMs: number[] = [];
  try {
    // Phase 1: listeners per artist over all buckets (commonality's popularity).
    const listeners = await countListeners(pool, o.aggregateDir, n, artistIds.length);
    const pop = artistPopularity(listeners);
    const popularity = new Float64Array(new SharedArrayBuffer(Math.max(8, pop.byteLength)), 0, pop.length);
    popularity.set(pop);
    // Phase 2: one task per bucket not already completed.
    const through = throughDate(yearWindow(agg.year, agg.freeze));
    const add = (r: Pick<EnrichTaskResult, 'users' | 'eligible' | 'personalities'>) => {
      users += r.users;
      eligible += r.eligible;
      for (const [k, v] of Object.entries(r.personalities)) personalities[k] = (personalities[k] ?? 0) + v;
    };
    await Promise.all(Array.from({ length: n }, async (_, bucket) => {
      const marked = readMarker<EnrichTaskResult>(o.out, bucket);
      if (!marked) {
        const input: EnrichTaskInput = { aggregateDir: o.aggregateDir, outDir: o.out, bucket, numBuckets: n, year: agg.year, through, text, popularity, model, previous };
        let r: EnrichTaskResult;
        try {
          r = await pool.run<EnrichTaskInput, EnrichTaskResult>({ module, fn: 'enrichTask', input });
        } catch (e) {
          throw wrappedError('ERR_STAGE_FAILED', { stage: 'enrich', bucket, file: o.aggregateDir, cause: (e as Error).message }, e);
        }
        writeMarker(o.out, bucket, { users: r.users, eligible: r.eligible, personalities: r.personalities });
        taskMs.push(r.ms);
        add(r);
      } else add(marked);
      o.onBucket?.(++done, n, marked ? 0 : 1);
    }));
  } finally {
    await pool.close();
  }
  const sortedPersonalities = Object.fromEntries(Object.entries(personalities).sort(([a], [b]) => (a < b ? -1 : 1)));
  completeStage(o.out, {
    stage: 'enrich', version: 1, year: agg.year, num_buckets: n, users, eligible, personalities: sortedPersonalities,
    model: model.version, previous_year: previous ? path.relative(path.dirname(o.out), previous.dir) : null, catalog_sha256: hash,
  });
  return { users, eligible, personalities: sortedPersonalities, taskMs, seconds: (performance.now() - t0) / 1000 };
}
