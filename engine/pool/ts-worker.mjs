// Piscina worker entry: runs the task's named export from the task's module.
// Modules are normally compiled bundles (worker-bundle.ts); a TypeScript
// source module (bundling turned off or unavailable) makes the worker
// register tsx first. Modules are cached by the module loader, so per-worker
// state in a module (catalogs, scratch buffers) survives across tasks.
let tsx = false;

export default async function run({ module, fn, input }) {
  if (!tsx && module.endsWith('.ts')) {
    const { register } = await import('tsx/esm/api');
    register();
    tsx = true;
  }
  const m = await import(module);
  const f = m[fn];
  if (typeof f !== 'function') throw new Error(`worker module ${module} has no export '${fn}'`);
  return f(input);
}
