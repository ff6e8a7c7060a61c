// Piscina worker entry: registers tsx so worker modules can be TypeScript,
// then runs the task's named export from the task's module. Modules are
// cached by the module loader, so per-worker state in a module (catalogs,
// scratch buffers) survives across tasks.
import { register } from 'tsx/esm/api';

register();

export default async function run({ module, fn, input }) {
  const m = await import(module);
  const f = m[fn];
  if (typeof f !== 'function') throw new Error(`worker module ${module} has no export '${fn}'`);
  return f(input);
}
