import * as fs from 'node:fs';
import * as path from 'node:path';
import { catalogHash, loadCatalogText, type CatalogText } from '../../engine/catalog/catalog-text.ts';
import { wrappedError } from '../../engine/errors/registry.ts';
import { stageComplete } from '../../engine/plan/bucket-markers.ts';

/** Stage 1's metadata.json, as later stages read it. */
export interface AggregateMetadata {
  readonly year: number;
  readonly freeze: string;
  readonly num_buckets: number;
  readonly users: number;
  readonly eligible: number;
  readonly catalog_sha256: string;
}

export function readAggregateMetadata(stage: string, dir: string): AggregateMetadata {
  if (!stageComplete(dir)) throw wrappedError('ERR_STAGE_INPUT_INCOMPLETE', { stage, input: 'aggregate', dir });
  return JSON.parse(fs.readFileSync(path.join(dir, 'metadata.json'), 'utf8')) as AggregateMetadata;
}

/**
 * What a later stage opens first: stage 1's metadata (it must be complete), the
 * catalog checked against the hash stage 1 pinned, and the catalog's text in
 * shared memory.
 */
export function openStageInputs(stage: string, aggregateDir: string, lake: string): { agg: AggregateMetadata; hash: string; text: CatalogText } {
  const agg = readAggregateMetadata(stage, aggregateDir);
  const hash = catalogHash(lake);
  if (hash !== agg.catalog_sha256) throw wrappedError('ERR_CATALOG_CHANGED', { stage, lake, expected: agg.catalog_sha256, actual: hash });
  return { agg, hash, text: loadCatalogText(lake) };
}
