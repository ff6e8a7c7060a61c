// Run as `node <options> test/helpers/pool-worker-argv.ts`: starts a real pool of one worker
// and prints what the parent and the worker were started with (worker-argv.test.ts).
import { WorkerPool } from '../../engine/pool/worker-pool.ts';

const pool = new WorkerPool({ workers: 1 });
const worker = await pool.run<null, string[]>({ module: new URL('./exec-argv.ts', import.meta.url).href, fn: 'execArgv', input: null });
await pool.close();
console.log(JSON.stringify({ parent: process.execArgv, worker }));
