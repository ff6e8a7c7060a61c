import * as os from 'node:os';

/** The number of workers when none is asked for: one per core. Its own module so that the CLI's help does not load the pool. */
export function defaultWorkers(): number {
  return Math.max(1, os.availableParallelism());
}
