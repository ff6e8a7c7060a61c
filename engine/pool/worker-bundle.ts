import { createHash, randomUUID } from 'node:crypto';
import * as fs from 'node:fs';
import { createRequire } from 'node:module';
import * as path from 'node:path';
import { fileURLToPath, pathToFileURL } from 'node:url';

/**
 * Worker modules compiled to plain JavaScript before the workers import them.
 *
 * Wrapped has no build step: the coordinator runs its TypeScript through tsx.
 * A worker that did the same would register tsx's loader (a hooks thread of
 * its own) and compile its whole module graph through it — measured at
 * ~150 ms for stage 1's kernel and ~500 ms for bucketing's task module per
 * worker start, on the same two cores the first tasks need. Instead, the
 * first pool that runs a module bundles it with esbuild (the compiler tsx
 * uses): one ES module per entry, packages left as imports but for the few
 * in BUNDLED_PACKAGES, `import.meta.url` of each source file kept as that
 * file's URL (worker modules locate the mmap addon and model files through
 * it). Bundles are cached under node_modules/.cache/wrapped-workers/, keyed
 * by the entry, the versions of the packages compiled in, and the path, size
 * and mtime of every TypeScript file under engine/ and stages/, so an edit
 * makes a new bundle and a run over unchanged sources builds nothing
 * (bundles a day old are pruned when a new one is made).
 *
 * `WRAPPED_WORKER_BUNDLE=0` makes workers load the sources through tsx
 * instead (for stepping through worker code in a debugger).
 */

const ROOT = fileURLToPath(new URL('../../', import.meta.url));
/** The directories worker modules and everything they import live in. */
const SOURCE_DIRS = ['engine', 'stages'];
const CACHE = path.join(ROOT, 'node_modules', '.cache', 'wrapped-workers');

/** Path, size and mtime of every .ts file under the source directories, sorted: the cache key's input (~1 ms). */
export function sourceStamp(): string {
  const lines: string[] = [];
  const walk = (dir: string) => {
    for (const e of fs.readdirSync(dir, { withFileTypes: true })) {
      const p = path.join(dir, e.name);
      if (e.isDirectory()) walk(p);
      else if (e.name.endsWith('.ts')) {
        const st = fs.statSync(p);
        lines.push(`${path.relative(ROOT, p)}\t${st.size}\t${Math.trunc(st.mtimeMs)}`);
      }
    }
  };
  for (const d of SOURCE_DIRS) walk(path.join(ROOT, d));
  return lines.sort().join('\n');
}

const requireHere = createRequire(import.meta.url);

/**
 * The installed esbuild's version (part of a bundle's key), from its
 * package.json: loading esbuild itself (97 KB of CommonJS, which an import
 * from an ES module also scans for exports) costs ~55 ms of CPU, and a run
 * over cached bundles never calls it.
 */
export function esbuildVersion(): string {
  return (requireHere('esbuild/package.json') as { version: string }).version;
}

/** The installed versions of BUNDLED_PACKAGES (compiled into bundles, so part of their key). */
export function bundledVersions(): string {
  return [...BUNDLED_PACKAGES].map((name) => {
    try {
      return `${name}@${(JSON.parse(fs.readFileSync(path.join(ROOT, 'node_modules', name, 'package.json'), 'utf8')) as { version: string }).version}`;
    } catch {
      return `${name}@?`;
    }
  }).join(' ');
}

/** Where the bundle of `entry` (a source file path) goes for the current sources and compiled-in packages. */
export function bundleFile(entry: string, esbuildVersion: string, stamp = sourceStamp(), packages = bundledVersions()): string {
  const key = createHash('sha256').update(`${esbuildVersion}\n${packages}\n${path.relative(ROOT, entry)}\n${stamp}`).digest('hex').slice(0, 24);
  return path.join(CACHE, key, `${path.basename(entry, '.ts')}.mjs`);
}

/**
 * The worker modules of a checkout: every `new URL('./x.ts', import.meta.url)`
 * a source file under engine/ or stages/ hands a pool as its `module`, as
 * file: URLs. Found in the sources, so it also lists another commit's.
 */
export function workerModules(root = ROOT): string[] {
  const found = new Set<string>();
  const walk = (dir: string) => {
    for (const e of fs.readdirSync(dir, { withFileTypes: true })) {
      const p = path.join(dir, e.name);
      if (e.isDirectory()) walk(p);
      else if (e.name.endsWith('.ts')) {
        for (const m of fs.readFileSync(p, 'utf8').matchAll(/\bmodule = new URL\('(\.\/[\w.-]+\.ts)', import\.meta\.url\)/g)) {
          found.add(pathToFileURL(path.join(path.dirname(p), m[1]!)).href);
        }
      }
    }
  };
  for (const d of SOURCE_DIRS) if (fs.existsSync(path.join(root, d))) walk(path.join(root, d));
  return [...found].sort();
}

/**
 * Bundles every worker module now, so that a timed run does not pay for it:
 * a checkout whose sources are new to the cache (a fresh clone, another
 * commit in `wrapped bench --compare`) would otherwise bundle in its first
 * pool start (~0.1–0.15 s of esbuild each) inside a benchmark. Returns how
 * many bundles.
 * (`wrapped bench` also loads the native addons first, for the same reason.)
 */
export async function prebuildWorkerBundles(): Promise<number> {
  let n = 0;
  for (const m of workerModules()) if ((await bundledModule(m)) !== m) n++;
  return n;
}

const building = new Map<string, Promise<void>>();
let warned = false;

/**
 * The file: URL of the compiled bundle for worker module `moduleUrl` (a .ts
 * file under engine/ or stages/), building it when the sources changed. A
 * pool asks once per module (worker-pool.ts), not once per task.
 * Returns `moduleUrl` itself — the workers then load it through tsx — when
 * bundling is turned off, the module is not one of ours, or the bundle could
 * not be made (said once on stderr: the run goes on, only its start is slower).
 */
export async function bundledModule(moduleUrl: string): Promise<string> {
  if (process.env.WRAPPED_WORKER_BUNDLE === '0' || !moduleUrl.startsWith('file:') || !moduleUrl.endsWith('.ts')) return moduleUrl;
  const entry = fileURLToPath(moduleUrl);
  if (!SOURCE_DIRS.some((d) => !path.relative(path.join(ROOT, d), entry).startsWith('..'))) return moduleUrl;
  try {
    const out = bundleFile(entry, esbuildVersion());
    if (!fs.existsSync(out)) {
      let p = building.get(out);
      if (!p) {
        p = build(requireHere('esbuild') as typeof import('esbuild'), entry, out).finally(() => building.delete(out));
        building.set(out, p);
      }
      await p;
    }
    return pathToFileURL(out).href;
  } catch (e) {
    if (!warned) process.stderr.write(`wrapped: worker modules load through tsx, slower to start (expected to compile ${path.relative(ROOT, entry)} into ${CACHE}, found: ${(e as Error).message.split('\n')[0]})\n`);
    warned = true;
    return moduleUrl;
  }
}

/**
 * Packages compiled into the bundles rather than imported: ES modules of pure
 * JavaScript (hash-wasm carries its WebAssembly inline), slow to import as
 * installed. Apache Arrow's are ~200 files, and Node's module loader
 * resolves, reads and compiles each. Packages with native code or files of
 * their own beside the JavaScript (parquet-wasm's .wasm, resvg's .node) and
 * CommonJS ones (tdigest) stay imports. Measured in docs/benchmarks.md.
 */
export const BUNDLED_PACKAGES: ReadonlySet<string> = new Set(['apache-arrow', 'flatbuffers', 'tslib', 'hash-wasm', 'fflate']);

/** The package a bare import names: `@scope/name` or `name`, without a subpath. */
export function packageName(specifier: string): string {
  const parts = specifier.split('/');
  return specifier.startsWith('@') ? parts.slice(0, 2).join('/') : parts[0]!;
}

async function build(esbuild: typeof import('esbuild'), entry: string, out: string): Promise<void> {
  const result = await esbuild.build({
    entryPoints: [entry], bundle: true, format: 'esm', platform: 'node', target: 'node20',
    write: false, outfile: out, sourcemap: 'linked', logLevel: 'silent',
    plugins: [{
      name: 'source-import-meta-url',
      setup(b) {
        // Packages stay imports (node_modules as installed), except the few compiled in (see BUNDLED_PACKAGES).
        b.onResolve({ filter: /^[^./]/ }, (a) => (BUNDLED_PACKAGES.has(packageName(a.path)) ? undefined : { path: a.path, external: true }));
        b.onLoad({ filter: /\.ts$/ }, async (a) => ({
          contents: (await fs.promises.readFile(a.path, 'utf8')).replaceAll('import.meta.url', JSON.stringify(pathToFileURL(a.path).href)),
          loader: 'ts',
        }));
      },
    }],
  });
  // Written to a private directory and renamed into place: a reader never sees half a bundle,
  // and two processes (or threads) building the same sources both end up with a complete one.
  const dir = path.dirname(out);
  const tmp = `${dir}.${process.pid}.${randomUUID().slice(0, 8)}.tmp`;
  fs.mkdirSync(tmp, { recursive: true });
  for (const f of result.outputFiles) fs.writeFileSync(path.join(tmp, path.basename(f.path)), f.contents);
  try {
    fs.renameSync(tmp, dir);
  } catch (e) {
    fs.rmSync(tmp, { recursive: true, force: true });
    if (!fs.existsSync(out)) throw e;
  }
  pruneCache(dir);
}

/** Bundles older than a day are removed when a new one is made (one per edit of the sources would pile up). */
function pruneCache(keep: string): void {
  const cutoff = Date.now() - 86_400_000;
  for (const name of fs.readdirSync(CACHE)) {
    const d = path.join(CACHE, name);
    try {
      if (d !== keep && fs.statSync(d).mtimeMs < cutoff) fs.rmSync(d, { recursive: true, force: true });
    } catch {
      // Another process pruned it first.
    }
  }
}
