import { execFileSync } from 'node:child_process';
import * as fs from 'node:fs';
import { createRequire } from 'node:module';
import * as os from 'node:os';
import * as path from 'node:path';
import { fileURLToPath } from 'node:url';

/**
 * Files as SharedArrayBuffers over the page cache (no copy), through a small
 * node-gyp addon (engine/memory/mmap/mmap.cc). Node has no such API and N-API
 * cannot create a SharedArrayBuffer, hence V8's `NewBackingStore` with a
 * deleter that unmaps. Mappings are read-only: never write through a view.
 *
 * The addon is built on first use (node-gyp ships with npm; ~2 s) into
 * engine/memory/mmap/build/, because `npm ci` here does not run install
 * scripts. When it cannot be built or loaded, `mmapAddon()` returns null and
 * callers fall back to reading files into reused SharedArrayBuffers
 * (sab-pool.ts). WRAPPED_NO_MMAP=1 forces the fallback.
 *
 * Measured (native-bench/mapping.bench.ts): on one small file per (day, bucket),
 * ~26 KB each, mapping ran at 0.82x reading — per-file mmap and page faults cost
 * more than the copy — so stage 1 reads unless asked to map.
 */
export interface MmapAddon {
  mapFile(file: string): SharedArrayBuffer;
  /** Mappings not yet released by the garbage collector. */
  liveMappings(): number;
}

/**
 * Keep live mappings well under the kernel's per-process limit (vm.max_map_count,
 * 65,530 by default), which V8 itself also needs: past this, map by reading instead.
 */
export const MAX_LIVE_MAPPINGS = 20_000;

const DIR = fileURLToPath(new URL('./mmap/', import.meta.url));
// Versioned name: a binary from an older source is rebuilt, not loaded.
const BINARY = path.join(DIR, 'build', 'Release', 'wrapped_mmap.v2.node');
let cached: { addon: MmapAddon | null; why: string } | null = null;

function nodeGyp(): string | null {
  const candidates = [
    path.join(path.dirname(process.execPath), '..', 'lib', 'node_modules', 'npm', 'node_modules', 'node-gyp', 'bin', 'node-gyp.js'),
    '/usr/lib/node_modules/npm/node_modules/node-gyp/bin/node-gyp.js',
    '/usr/local/lib/node_modules/npm/node_modules/node-gyp/bin/node-gyp.js',
  ];
  return candidates.find((c) => fs.existsSync(c)) ?? null;
}

/** The addon, built if needed; null (with the reason in `mmapUnavailableReason()`) when it cannot be had. */
export function mmapAddon(): MmapAddon | null {
  if (cached) return cached.addon;
  if (process.env['WRAPPED_NO_MMAP'] === '1') return (cached = { addon: null, why: 'WRAPPED_NO_MMAP=1' }).addon;
  try {
    if (!fs.existsSync(BINARY)) {
      const gyp = nodeGyp();
      if (!gyp) return (cached = { addon: null, why: 'node-gyp not found' }).addon;
      // Build in a private directory, then rename the binary into place: processes that
      // start at once (parallel test files) never write into the same build tree.
      const work = fs.mkdtempSync(path.join(os.tmpdir(), 'wrapped-mmap-'));
      try {
        for (const f of ['binding.gyp', 'mmap.cc']) fs.copyFileSync(path.join(DIR, f), path.join(work, f));
        const args = [gyp, 'rebuild', '-C', work];
        const nodedir = process.env['npm_config_nodedir'] ?? (fs.existsSync('/usr/include/node/node.h') ? '/usr' : undefined);
        if (nodedir) args.push(`--nodedir=${nodedir}`);
        execFileSync(process.execPath, args, { stdio: 'pipe' });
        fs.mkdirSync(path.dirname(BINARY), { recursive: true });
        const tmp = `${BINARY}.${process.pid}.tmp`;
        fs.copyFileSync(path.join(work, 'build', 'Release', 'wrapped_mmap.node'), tmp);
        fs.renameSync(tmp, BINARY);
      } finally {
        fs.rmSync(work, { recursive: true, force: true });
      }
    }
    const addon = createRequire(import.meta.url)(BINARY) as MmapAddon;
    return (cached = { addon, why: '' }).addon;
  } catch (e) {
    return (cached = { addon: null, why: e instanceof Error ? e.message.split('\n')[0]! : String(e) }).addon;
  }
}

export function mmapUnavailableReason(): string {
  return cached?.why ?? 'not tried yet';
}
