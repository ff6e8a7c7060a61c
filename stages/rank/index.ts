import * as fs from 'node:fs';
import { tableSize } from '../../engine/columns/string-table.ts';
import { wrappedError } from '../../engine/errors/registry.ts';
import { completeStage, readMarker, writeMarker } from '../../engine/plan/bucket-markers.ts';
import { WorkerPool } from '../../engine/pool/worker-pool.ts';
import { ValueDigest } from '../../engine/sketches/value-digest.ts';
import { countListeners } from '../aggregate/listener-counts.ts';
import { openStageInputs } from '../aggregate/metadata.ts';
import { WIDEST_PERMILLE } from './blurbs.ts';
import type { ArtistValues, BlurbResult, BlurbTask, CollectResult, CollectTask, DigestResult, DigestTask, SortTask } from './messages.ts';

export type RankMode = 'exact' | 'sketch';

/** Sketch mode collects values above the digest's (1 − 10% − this) quantile: a margin for the sketch's error. */
export const SKETCH_MARGIN = 0.03;

export interface RankOptions {
  readonly lake: string;
  readonly aggregateDir: string;
  readonly out: string;
  readonly workers?: number;
  /** K: an artist needs at least this many listeners for statements (SPEC §4; default 100). */
  readonly minListeners?: number;
  /**
   * `exact` collects every listener's value of every artist with N >= K;
   * `sketch` first builds mergeable t-digests per artist in the workers, and
   * collects only the values in each artist's top ~13%. Statements are exact in
   * both modes (and identical): sketches only decide what to collect.
   */
  readonly mode?: RankMode;
  readonly onBucket?: (done: number, total: number) => void;
}

export interface RankResult {
  readonly mode: RankMode;
  readonly candidates: number;
  /** Values held in memory (both measures) for exact ranks. */
  readonly valuesCollected: number;
  /** Sketch mode: artists whose collected tail was too short and were collected in full. */
  readonly fallbackArtists: number;
  readonly statements: Record<string, number>;
  readonly taskMs: readonly number[];
  readonly seconds: number;
}

function sharedF64(n: number): Float64Array {
  return new Float64Array(new SharedArrayBuffer(Math.max(8, n * 8)), 0, n);
}
function sharedI32(n: number): Int32Array {
  return new Int32Array(new SharedArrayBuffer(Math.max(8, n * 4)), 0, n);
}

/** Builds per-artist CSR arrays (shared memory) for one measure from the buckets' collected pairs. */
function buildCsr(parts: readonly CollectResult[], m: 0 | 1, artists: number): ArtistValues {
  const offsets = sharedI32(artists + 1);
  for (const p of parts) for (const a of p.artists[m]) offsets[a + 1]!++;
  for (let a = 0; a < artists; a++) offsets[a + 1]! += offsets[a]!;
  const values = sharedF64(offsets[artists]!);
  const fill = Int32Array.from(offsets.subarray(0, artists));
  for (const p of parts) {
    const as = p.artists[m], vs = p.values[m];
    for (let i = 0; i < as.length; i++) values[fill[as[i]!]!++] = vs[i]!;
  }
  return { values, offsets };
}

/**
 * Stage 3 (rank): global top-listener and early-fan statements (SPEC §4), exact
 * against the true rank. Listener counts and per-artist value distributions are
 * built from stage 1's `artists` tables by pool tasks and combined here; the
 * sorted distributions go back to the workers in shared memory for the
 * per-bucket statements. docs/stage-outputs.md states the layout.
 */
export async function runRank(o: RankOptions): Promise<RankResult> {
  const t0 = performance.now();
  const { agg, hash, text } = openStageInputs('rank', o.aggregateDir, o.lake);
  const A = tableSize(text.artistIds);
  const n = agg.num_buckets;
  const K = o.minListeners ?? 100;
  const mode = o.mode ?? 'exact';
  const pool = new WorkerPool({ workers: o.workers });
  const module = new URL('./worker.ts', import.meta.url).href;
  const bucketRef = (bucket: number) => ({ aggregateDir: o.aggregateDir, bucket, numBuckets: n });
  const statements: Record<string, number> = {};
  const taskMs: number[] = [];
  fs.mkdirSync(o.out, { recursive: true });
  try {
    const listeners = await countListeners(pool, o.aggregateDir, n, A);
    const listenersShared = sharedI32(A);
    listenersShared.set(listeners);
    const candidates = new Uint8Array(new SharedArrayBuffer(Math.max(8, A)), 0, A);
    let candidateCount = 0;
    for (let a = 0; a < A; a++) if (listeners[a]! >= K) (candidates[a] = 1), candidateCount++;
    const cuts: [Float64Array, Float64Array] = [sharedF64(A).fill(-Infinity), sharedF64(A).fill(-Infinity)];
    if (mode === 'sketch') {
      const parts = await Promise.all(Array.from({ length: n }, (_, b) => pool.run<DigestTask, DigestResult>({ module, fn: 'digestTask', input: { ...bucketRef(b), candidates } })));
      const merged = [new Map<number, ValueDigest>(), new Map<number, ValueDigest>()];
      for (const p of parts) {
        p.artists.forEach((a, i) => {
          for (let m = 0; m < 2; m++) {
            let d = merged[m]!.get(a);
            if (!d) merged[m]!.set(a, (d = new ValueDigest()));
            d.merge(p.digests[m]![i]!);
          }
        });
      }
      for (let m = 0; m < 2; m++) for (const [a, d] of merged[m]!) cuts[m]![a] = d.quantile(1 - WIDEST_PERMILLE / 1000 - SKETCH_MARGIN);
    }
    const collect = () => Promise.all(Array.from({ length: n }, (_, b) => pool.run<CollectTask, CollectResult>({ module, fn: 'collectTask', input: { ...bucketRef(b), candidates, cuts } })));
    let parts = await collect();
    let csr = [buildCsr(parts, 0, A), buildCsr(parts, 1, A)] as const;
    // A tail must hold at least 10% of listeners, or a user below the cut could be owed a statement.
    let fallback = 0;
    for (let m = 0; m < 2; m++) {
      for (let a = 0; a < A; a++) {
        if (candidates[a] === 0 || cuts[m]![a] === -Infinity) continue;
        const tail = csr[m]!.offsets[a + 1]! - csr[m]!.offsets[a]!;
        if (tail * 1000 < WIDEST_PERMILLE * listeners[a]!) (cuts[m]![a] = -Infinity), fallback++;
      }
    }
    if (fallback > 0) {
      parts = await collect();
      csr = [buildCsr(parts, 0, A), buildCsr(parts, 1, A)] as const;
    }
    parts = [];
    // Sort each artist's values, in chunks of about equal size, in the pool.
    for (const c of csr) {
      const chunks: SortTask[] = [];
      const per = Math.max(1, Math.ceil(c.values.length / (4 * pool.size)));
      let from = 0;
      for (let a = 1; a <= A; a++) {
        if (a === A || c.offsets[a]! - c.offsets[from]! >= per) (chunks.push({ values: c.values, offsets: c.offsets, from, to: a }), (from = a));
      }
      await Promise.all(chunks.map((input) => pool.run<SortTask, number>({ module, fn: 'sortTask', input })));
    }
    const measures: BlurbTask['measures'] = [{ ...csr[0], cuts: cuts[0] }, { ...csr[1], cuts: cuts[1] }];
    let done = 0;
    await Promise.all(Array.from({ length: n }, async (_, bucket) => {
      let r: Pick<BlurbResult, 'statements'> | null = readMarker<Pick<BlurbResult, 'statements'>>(o.out, bucket);
      if (!r) {
        try {
          const res = await pool.run<BlurbTask, BlurbResult>({ module, fn: 'blurbTask', input: { ...bucketRef(bucket), outDir: o.out, text, listeners: listenersShared, minListeners: K, measures } });
          taskMs.push(res.ms);
          r = { statements: res.statements };
        } catch (e) {
          throw wrappedError('ERR_STAGE_FAILED', { stage: 'rank', bucket, file: o.aggregateDir, cause: (e as Error).message }, e);
        }
        writeMarker(o.out, bucket, r);
      }
      for (const [k, v] of Object.entries(r.statements)) statements[k] = (statements[k] ?? 0) + v;
      o.onBucket?.(++done, n);
    }));
    const sorted = Object.fromEntries(Object.entries(statements).sort(([a], [b]) => (a < b ? -1 : 1)));
    const valuesCollected = csr[0].values.length + csr[1].values.length;
    completeStage(o.out, { stage: 'rank', version: 1, year: agg.year, num_buckets: n, min_listeners: K, candidates: candidateCount, statements: sorted, catalog_sha256: hash });
    return { mode, candidates: candidateCount, valuesCollected, fallbackArtists: fallback, statements: sorted, taskMs, seconds: (performance.now() - t0) / 1000 };
  } finally {
    await pool.close();
  }
}
