/** Pool task for the worker-argv test: the node options this worker thread started with. */
export function execArgv(): string[] {
  return process.execArgv;
}
