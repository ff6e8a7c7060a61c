/**
 * The pipeline's stages, in order. Their own module so that the CLI can list
 * them in its help without loading the pipeline.
 */
export const STAGES = ['bucket', 'aggregate', 'enrich', 'rank', 'package'] as const;
export type Stage = (typeof STAGES)[number];
