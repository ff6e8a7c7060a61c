// Its own module so that a worker using the feature list (enrich, the stage-1
// output reader) does not load the catalog builder, and parquet-wasm with it.

/** The audio features of SPEC §2's tracks.parquet, in this order, with their quantization scale. */
export const FEATURES = ['tempo', 'energy', 'valence', 'danceability', 'acousticness'] as const;
export const FEATURE_SCALE = [10, 1000, 1000, 1000, 1000] as const;
