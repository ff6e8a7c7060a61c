import { defineConfig } from 'vitest/config';
import { fileURLToPath } from 'node:url';

// Lives under test/ because the repository's top level is fixed by the design.
export default defineConfig({
  root: fileURLToPath(new URL('..', import.meta.url)),
  test: {
    include: ['test/**/*.test.ts'],
    // End-to-end tests generate and read real Parquet lakes: allow them time.
    testTimeout: 180_000,
    hookTimeout: 180_000,
    pool: 'forks',
    // Two cores: tests that start their own worker pools should not fight each other.
    maxWorkers: 2,
  },
});
