import { Piscina } from 'piscina';
import { defaultWorkers } from './default-workers.ts';
import type { WorkerTask } from './messages.ts';
import { applyV8Flags } from './v8-flags.ts';
import { workerExecArgv } from './worker-argv.ts';
import { bundledModule } from './worker-bundle.ts';

export { defaultWorkers };

export interface PoolOptions {
  /** Worker threads; defaults to one per core. */
  readonly workers?: number;
}


/**
 * A Piscina pool whose workers run TypeScript task modules (compiled once
 * to JavaScript, see worker-bundle.ts). Tasks carry descriptors and return
 * small results; see messages.ts.
 */
export class WorkerPool {
  private readonly piscina: Piscina;
  /** Worker module → what the workers import for it (its bundle), resolved once per pool. */
  private readonly modules = new Map<string, Promise<string>>();
  readonly size: number;

  constructor(options: PoolOptions = {}) {
    const workers = options.workers ?? defaultWorkers();
    if (!Number.isInteger(workers) || workers < 1) throw new RangeError(`options.workers must be a positive integer, got ${workers}`);
    this.size = workers;
    // Before the first worker exists: V8's flags hold per process (v8-flags.ts).
    applyV8Flags();
    const settings = { filename: new URL('./ts-worker.mjs', import.meta.url).href, minThreads: workers, maxThreads: workers, idleTimeout: 60_000 };
    // The parent's node options without tsx: workers run compiled bundles (worker-argv.ts).
    const execArgv = workerExecArgv(process.execArgv);
    let piscina: Piscina | null = null;
    if (execArgv) {
      try {
        piscina = new Piscina({ ...settings, execArgv });
      } catch (e) {
        // Options a worker may only inherit (V8's, process-wide ones): inherit them all, tsx included.
        if ((e as NodeJS.ErrnoException).code !== 'ERR_WORKER_INVALID_EXEC_ARGV') throw e;
      }
    }
    this.piscina = piscina ?? new Piscina(settings);
  }

  /** Runs `task` on a free worker; its module is loaded as a compiled bundle (worker-bundle.ts). */
  async run<I, O>(task: WorkerTask<I>): Promise<O> {
    let module = this.modules.get(task.module);
    if (!module) this.modules.set(task.module, (module = bundledModule(task.module)));
    return (await this.piscina.run({ ...task, module: await module })) as O;
  }

  async close(): Promise<void> {
    await this.piscina.destroy();
  }
}
