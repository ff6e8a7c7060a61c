import * as os from 'node:os';
import { Piscina } from 'piscina';
import type { WorkerTask } from './messages.ts';

export interface PoolOptions {
  /** Worker threads; defaults to one per core. */
  readonly workers?: number;
}

/** The number of workers when none is asked for: one per core. */
export function defaultWorkers(): number {
  return Math.max(1, os.availableParallelism());
}

/**
 * A Piscina pool whose workers run TypeScript task modules. Tasks carry
 * descriptors and return small results; see messages.ts.
 */
export class WorkerPool {
  private readonly piscina: Piscina;
  readonly size: number;

  constructor(options: PoolOptions = {}) {
    const workers = options.workers ?? defaultWorkers();
    if (!Number.isInteger(workers) || workers < 1) throw new RangeError(`options.workers must be a positive integer, got ${workers}`);
    this.size = workers;
    this.piscina = new Piscina({
      filename: new URL('./ts-worker.mjs', import.meta.url).href,
      minThreads: workers,
      maxThreads: workers,
      idleTimeout: 60_000,
    });
  }

  run<I, O>(task: WorkerTask<I>): Promise<O> {
    return this.piscina.run(task) as Promise<O>;
  }

  async close(): Promise<void> {
    await this.piscina.destroy();
  }
}
