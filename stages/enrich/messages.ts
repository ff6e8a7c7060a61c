import type { CatalogText } from '../../engine/catalog/catalog-text.ts';
import type { PersonalityModel } from './personality-model.ts';
import type { PreviousYear } from './previous-year.ts';

/** Phase 2: enrich one bucket. The catalog text and popularity are shared memory, broadcast once. */
export interface EnrichTaskInput {
  readonly aggregateDir: string;
  readonly outDir: string;
  readonly bucket: number;
  readonly numBuckets: number;
  readonly year: number;
  readonly through: string;
  readonly text: CatalogText;
  readonly popularity: Float64Array;
  readonly model: PersonalityModel;
  readonly previous: PreviousYear | null;
}

export interface EnrichTaskResult {
  readonly users: number;
  readonly eligible: number;
  /** Users per personality code. */
  readonly personalities: Record<string, number>;
  readonly ms: number;
}
