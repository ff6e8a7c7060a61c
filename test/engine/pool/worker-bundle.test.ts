import * as fs from 'node:fs';
import { fileURLToPath, pathToFileURL } from 'node:url';
import * as esbuild from 'esbuild';
import { afterAll, describe, expect, it } from 'vitest';
import { BUNDLED_PACKAGES, bundledModule, bundledVersions, bundleFile, esbuildVersion, packageName, prebuildWorkerBundles, sourceStamp, workerModules } from '../../../engine/pool/worker-bundle.ts';
import { WorkerPool } from '../../../engine/pool/worker-pool.ts';

const source = (rel: string) => new URL(`../../../${rel}`, import.meta.url).href;

describe('worker bundles', () => {
  const pools: WorkerPool[] = [];
  afterAll(async () => {
    await Promise.all(pools.map((p) => p.close()));
  });

  it('compiles a worker module once for the current sources and reuses it', async () => {
    const url = await bundledModule(source('stages/aggregate/worker.ts'));
    expect(url).toMatch(/^file:.*\/node_modules\/\.cache\/wrapped-workers\/[0-9a-f]{24}\/worker\.mjs$/);
    const file = fileURLToPath(url);
    const mtime = fs.statSync(file).mtimeMs;
    expect(await bundledModule(source('stages/aggregate/worker.ts'))).toBe(url);
    expect(fs.statSync(file).mtimeMs).toBe(mtime);
    // Another stage's worker.ts is another bundle.
    expect(await bundledModule(source('stages/rank/worker.ts'))).not.toBe(url);
  });

  it('keys the bundle by the sources: touching one file under engine/ gives another bundle', () => {
    const entry = fileURLToPath(source('stages/aggregate/worker.ts'));
    const touched = fileURLToPath(source('engine/kernels/top-k.ts'));
    const before = bundleFile(entry, esbuild.version);
    // Stable while nothing changes.
    expect(bundleFile(entry, esbuild.version)).toBe(before);
    const st = fs.statSync(touched);
    try {
      fs.utimesSync(touched, st.atime, new Date(st.mtimeMs + 5_000));
      expect(bundleFile(entry, esbuild.version, sourceStamp())).not.toBe(before);
    } finally {
      // Put back (utimes takes float seconds, so not always to the nanosecond: not compared).
      fs.utimesSync(touched, st.atime, st.mtime);
    }
  });

  it('compiles Arrow into the bundle and leaves packages with files of their own (parquet-wasm) outside it', async () => {
    const text = fs.readFileSync(fileURLToPath(await bundledModule(source('engine/smb/bucket-task.ts'))), 'utf8');
    const imported = [...text.matchAll(/^import .* from "([^"]+)";$/gm)].map((m) => m[1]!);
    expect(imported.filter((x) => BUNDLED_PACKAGES.has(packageName(x)))).toEqual([]);
    // parquet-wasm (CommonJS) is loaded with require, not imported: an import would make every
    // worker scan its source for exports first (engine/lake/parquet-io.ts).
    expect(imported).not.toContain('parquet-wasm');
    expect(text).toMatch(/createRequire\([^)]*\)\("parquet-wasm"\)/);
    // Arrow's own code is in the file (its IPC writer's class).
    expect(text).toMatch(/class _?RecordBatchFileWriter\b/);
    expect(packageName('@resvg/resvg-js/index.js')).toBe('@resvg/resvg-js');
    expect(packageName('apache-arrow/Arrow.node')).toBe('apache-arrow');
  });

  it('reads the esbuild version that keys bundles without loading esbuild', () => {
    expect(esbuildVersion()).toBe(esbuild.version);
  });

  it('keys the bundle by the versions of the packages compiled in', () => {
    const entry = fileURLToPath(source('engine/smb/bucket-task.ts'));
    expect(bundledVersions()).toMatch(/^apache-arrow@\d+\.\d+\.\d+ flatbuffers@\S+ tslib@\S+ hash-wasm@\S+ fflate@\S+$/);
    const stamp = sourceStamp();
    expect(bundleFile(entry, esbuild.version, stamp, 'apache-arrow@1.0.0')).not.toBe(bundleFile(entry, esbuild.version, stamp));
  });

  it('finds every worker module in the sources and builds them all before a benchmark times anything', async () => {
    const modules = workerModules();
    // Every pool module the sources name, and nothing else.
    expect(modules).toEqual(['engine/smb/bucket-task.ts', 'engine/smb/rollup-task.ts', 'stages/aggregate/listener-counts.ts', 'stages/aggregate/worker.ts',
      'stages/enrich/worker.ts', 'stages/package/worker.ts', 'stages/rank/worker.ts'].map(source));
    expect(await prebuildWorkerBundles()).toBe(modules.length);
    for (const m of modules) expect(fs.existsSync(fileURLToPath(await bundledModule(m)))).toBe(true);
  });

  it('loads parquet-wasm only in the bucketing worker, and the pool (piscina) in none', async () => {
    // A worker pays for what its bundle loads at start: parquet-wasm compiles ~5 MB of
    // WebAssembly (~35 ms a worker), piscina's client side is dead weight inside a worker.
    const loadsParquet: string[] = [];
    for (const m of workerModules()) {
      const text = fs.readFileSync(fileURLToPath(await bundledModule(m)), 'utf8');
      if (/\("parquet-wasm"\)|from "parquet-wasm"/.test(text)) loadsParquet.push(m);
      expect(text, m).not.toMatch(/from "piscina"|require\("piscina"\)/);
    }
    expect(loadsParquet).toEqual([source('engine/smb/bucket-task.ts')]);
  });

  it('keeps each source file\'s import.meta.url (modules find their data files through it)', async () => {
    const url = await bundledModule(source('stages/enrich/personality-model.ts'));
    expect(url).not.toBe(source('stages/enrich/personality-model.ts'));
    const bundled = (await import(url)) as { MODEL_FILE: URL };
    expect(bundled.MODEL_FILE.href).toBe(new URL('stages/enrich/model/personality-v2.json', source('')).href);
    expect(fs.existsSync(bundled.MODEL_FILE)).toBe(true);
  });

  it('leaves modules that are not ours, or not TypeScript, to the workers as they are', async () => {
    const js = pathToFileURL(fileURLToPath(source('engine/cli/wrapped.mjs'))).href;
    expect(await bundledModule(js)).toBe(js);
    expect(await bundledModule(source('test/engine/pool/worker-bundle.test.ts'))).toBe(source('test/engine/pool/worker-bundle.test.ts'));
  });

  it('runs tasks from the bundle in a real pool, and from the sources through tsx when bundling is off', async () => {
    const module = source('stages/aggregate/worker.ts');
    const pool = new WorkerPool({ workers: 1 });
    pools.push(pool);
    expect(await pool.run({ module, fn: 'warmup', input: null })).toBe(0);
    // The worker names the module it imported.
    await expect(pool.run({ module, fn: 'nothing', input: null })).rejects.toThrow(/wrapped-workers\/[0-9a-f]{24}\/worker\.mjs has no export 'nothing'/);
    process.env.WRAPPED_WORKER_BUNDLE = '0';
    try {
      expect(await bundledModule(module)).toBe(module);
      const tsxPool = new WorkerPool({ workers: 1 });
      pools.push(tsxPool);
      expect(await tsxPool.run({ module, fn: 'warmup', input: null })).toBe(0);
      await expect(tsxPool.run({ module, fn: 'nothing', input: null })).rejects.toThrow(/stages\/aggregate\/worker\.ts has no export 'nothing'/);
    } finally {
      delete process.env.WRAPPED_WORKER_BUNDLE;
    }
  });
});
