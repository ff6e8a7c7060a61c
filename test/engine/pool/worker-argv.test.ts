import { spawnSync } from 'node:child_process';
import { fileURLToPath } from 'node:url';
import { describe, expect, it } from 'vitest';
import { workerExecArgv } from '../../../engine/pool/worker-argv.ts';

const root = fileURLToPath(new URL('../../../', import.meta.url));

/** Starts node with `nodeArgs` in a fresh process, makes a real pool, and returns what its workers were started with. */
function workersOf(nodeArgs: string[]): { parent: string[]; worker: string[] } {
  const r = spawnSync(process.execPath, [...nodeArgs, 'test/helpers/pool-worker-argv.ts'], { cwd: root, encoding: 'utf8' });
  expect(r.status, r.stderr).toBe(0);
  return JSON.parse(r.stdout.trim().split('\n').at(-1)!) as { parent: string[]; worker: string[] };
}

describe('workerExecArgv', () => {
  it('takes out tsx preloaded in any spelling and keeps every other option in order', () => {
    expect(workerExecArgv(['--import', 'tsx'])).toEqual([]);
    expect(workerExecArgv(['--cpu-prof', '--import=tsx', '--conditions', 'dev'])).toEqual(['--cpu-prof', '--conditions', 'dev']);
    expect(workerExecArgv(['--require', 'tsx/cjs', '-r', 'tsx/cjs', '--loader', 'tsx', '--experimental-loader=tsx/esm'])).toEqual([]);
    expect(workerExecArgv(['--import', '/w/node_modules/tsx/dist/loader.mjs', '--import', 'file:///w/node_modules/tsx/dist/esm/index.mjs'])).toEqual([]);
    // Other preloads stay, as do packages whose name only starts like it.
    expect(workerExecArgv(['--import', 'tsx', '--import', './setup.mjs', '--import', 'tsx-like', '--require', 'tsxx'])).toEqual(['--import', './setup.mjs', '--import', 'tsx-like', '--require', 'tsxx']);
  });

  it('is null when there is nothing to take out (the workers inherit as Node does by default)', () => {
    expect(workerExecArgv([])).toBeNull();
    expect(workerExecArgv(['--enable-source-maps', '--max-old-space-size=4096'])).toBeNull();
    // A trailing preload option without its value is left to node.
    expect(workerExecArgv(['--import'])).toBeNull();
  });

  it('starts real pool workers without the tsx a parent was started with, and they still run TypeScript task modules', () => {
    const r = workersOf(['--import', 'tsx', '--enable-source-maps']);
    expect(r.parent).toEqual(['--import', 'tsx', '--enable-source-maps']);
    expect(r.worker).toEqual(['--enable-source-maps']);
  });

  it('falls back to inheriting everything when an option left is one a worker may not be given (a V8 or process-wide flag)', () => {
    const r = workersOf(['--import', 'tsx', '--max-old-space-size=2048']);
    // Node refused ['--max-old-space-size=2048', …] for a worker: the pool still starts, as before this change.
    expect(r.worker).toEqual(['--import', 'tsx', '--max-old-space-size=2048']);
  });
});
