import * as fs from 'node:fs';
import * as path from 'node:path';
import { loadCatalogText } from '../../engine/catalog/catalog-text.ts';
import { textAt } from '../../engine/columns/string-table.ts';
import { tableSize } from '../../engine/columns/string-table.ts';
import { wrappedError } from '../../engine/errors/registry.ts';
import { writeFileAtomic } from '../../engine/lake/atomic-file.ts';
import { readParquetFile } from '../../engine/lake/parquet-io.ts';
import { completeStage, readMarker, stageComplete, writeMarker } from '../../engine/plan/bucket-markers.ts';
import { WorkerPool } from '../../engine/pool/worker-pool.ts';
import { readAggregateMetadata } from '../aggregate/metadata.ts';
import { enrichFileName } from '../enrich/worker.ts';
import { rankFileName } from '../rank/worker.ts';
import type { CardResult, CardTask, PackageResult, PackageTask } from './messages.ts';
import { utf8Strings } from '../../engine/columns/utf8-strings.ts';

export interface PackageOptions {
  readonly lake: string;
  readonly runDir: string;
  /** Stage outputs inside the run directory. */
  readonly aggregateDir: string;
  readonly enrichDir: string;
  readonly rankDir: string;
  /** This stage's bookkeeping (markers, index parts); documents go under <runDir>/wrapped. */
  readonly out: string;
  readonly cards: boolean;
  readonly workers?: number;
  readonly onBucket?: (step: 'package' | 'cards', done: number, total: number) => void;
}

export interface PackageStats {
  readonly documents: number;
  readonly eligible: number;
  readonly bytes: number;
  readonly gzBytes: number;
  readonly cards: number;
  readonly pngBytes: number;
  readonly cardSeconds: number;
  readonly taskMs: readonly number[];
  readonly seconds: number;
}

/** The published index (one line per document, sorted by user_id), written last by this stage: see worker.ts for columns, plus region. */
export const INDEX_FILE = '_index.tsv';

const partName = (bucket: number) => `bucket-${String(bucket).padStart(5, '0')}.tsv`;

/**
 * Stage 4 (package): one JSON document per user in SPEC §5's layout, with a
 * gzip copy and a content hash, then (with `cards`) story.png/story.json per
 * eligible user — a downstream step over the documents, one pool task per
 * bucket. Completed buckets are not redone. The year's `_index.tsv` (with each
 * user's region from users.parquet, for the server's launch flags) is written last.
 */
export async function runPackage(o: PackageOptions): Promise<PackageStats> {
  const t0 = performance.now();
  const agg = readAggregateMetadata('package', o.aggregateDir);
  for (const [name, dir] of [['enrich', o.enrichDir], ['rank', o.rankDir]] as const) {
    if (!stageComplete(dir)) throw wrappedError('ERR_STAGE_INPUT_INCOMPLETE', { stage: 'package', input: name, dir });
  }
  const n = agg.num_buckets, year = agg.year;
  const yearDir = path.join(o.runDir, 'wrapped', String(year));
  for (let p = 0; p < 256; p++) fs.mkdirSync(path.join(yearDir, `user_id=${p.toString(16).padStart(2, '0')}`), { recursive: true });
  fs.mkdirSync(path.join(o.out, 'index'), { recursive: true });
  const pool = new WorkerPool({ workers: o.workers });
  const module = new URL('./worker.ts', import.meta.url).href;
  const taskMs: number[] = [];
  let documents = 0, eligible = 0, bytes = 0, gzBytes = 0, cards = 0, pngBytes = 0, cardSeconds = 0;
  try {
    let done = 0;
    await Promise.all(Array.from({ length: n }, async (_, bucket) => {
      let r = readMarker<PackageResult>(o.out, bucket);
      if (!r) {
        const input: PackageTask = {
          runDir: o.runDir, year, cards: o.cards, indexFile: path.join(o.out, 'index', partName(bucket)),
          enrichFile: path.join(o.enrichDir, enrichFileName(bucket, n)), rankFile: path.join(o.rankDir, rankFileName(bucket, n)),
        };
        try {
          r = await pool.run<PackageTask, PackageResult>({ module, fn: 'packageTask', input });
        } catch (e) {
          throw wrappedError('ERR_STAGE_FAILED', { stage: 'package', bucket, file: input.enrichFile, cause: (e as Error).message }, e);
        }
        taskMs.push(r.ms);
        writeMarker(o.out, bucket, r);
      }
      documents += r.documents;
      eligible += r.eligible;
      bytes += r.bytes;
      gzBytes += r.gzBytes;
      o.onBucket?.('package', ++done, n);
    }));
    if (o.cards) {
      const t1 = performance.now();
      const text = loadCatalogText(o.lake);
      const genreHues: Record<string, number> = {};
      for (let g = 0; g < tableSize(text.genreNames); g++) genreHues[textAt(text.genreNames, g)] = text.genreHue[g]!;
      const cardDir = path.join(o.out, 'cards');
      let cdone = 0;
      await Promise.all(Array.from({ length: n }, async (_, bucket) => {
        let r = readMarker<CardResult>(cardDir, bucket);
        if (!r) {
          const input: CardTask = { runDir: o.runDir, year, indexFile: path.join(o.out, 'index', partName(bucket)), genreHues };
          try {
            r = await pool.run<CardTask, CardResult>({ module, fn: 'cardTask', input });
          } catch (e) {
            throw wrappedError('ERR_STAGE_FAILED', { stage: 'cards', bucket, file: input.indexFile, cause: (e as Error).message }, e);
          }
          writeMarker(cardDir, bucket, r);
        }
        cards += r.cards;
        pngBytes += r.pngBytes;
        o.onBucket?.('cards', ++cdone, n);
      }));
      cardSeconds = (performance.now() - t1) / 1000;
    }
  } finally {
    await pool.close();
  }
  writeIndex(o.lake, o.out, yearDir, n);
  completeStage(o.out, { stage: 'package', version: 1, year, num_buckets: n, documents, eligible, bytes, gz_bytes: gzBytes, cards, png_bytes: pngBytes });
  return { documents, eligible, bytes, gzBytes, cards, pngBytes, cardSeconds, taskMs, seconds: (performance.now() - t0) / 1000 };
}

/** Joins the index parts, adds each user's region (users.parquet; "" when missing), sorts by user_id. */
function writeIndex(lake: string, out: string, yearDir: string, n: number): void {
  const regions = userRegions(lake);
  const rows: string[] = [];
  for (let b = 0; b < n; b++) {
    const text = fs.readFileSync(path.join(out, 'index', partName(b)), 'utf8');
    for (const l of text.split('\n')) if (l) rows.push(`${l}\t${regions.get(l.slice(0, 32)) ?? ''}`);
  }
  rows.sort();
  writeFileAtomic(path.join(yearDir, INDEX_FILE), '#user_id\tprefix\tsha256\tbytes\tgz_bytes\teligible\tregion\n' + rows.join('\n') + (rows.length ? '\n' : ''));
}

function userRegions(lake: string): Map<string, string> {
  const t = readParquetFile(path.join(lake, 'users.parquet'), ['user_id', 'region']);
  const ids = utf8Strings(t.getChild('user_id')!) as string[];
  const region = t.getChild('region');
  const regions = region ? utf8Strings(region) : undefined;
  return new Map(ids.map((u, i) => [u, regions?.[i] ?? '']));
}
