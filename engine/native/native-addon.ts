import { execFileSync } from 'node:child_process';
import * as fs from 'node:fs';
import { createRequire } from 'node:module';
import * as os from 'node:os';
import * as path from 'node:path';

/**
 * The small node-gyp addons the engine uses where Node has no API of its own
 * (engine/memory/mmap: files as SharedArrayBuffers; engine/pool/thread-clock:
 * a thread's CPU time). Each is built on first use (node-gyp ships with npm;
 * ~2 s) into its directory's build/, because `npm ci` here does not run
 * install scripts. When one cannot be built or loaded, callers get null and
 * the reason, and fall back. WRAPPED_NO_NATIVE=1 turns every addon off.
 */
export interface AddonSpec {
  /** Directory holding binding.gyp and the sources. */
  readonly dir: string;
  /** binding.gyp's target_name. */
  readonly target: string;
  /** Bumped with the sources: a binary from older sources is rebuilt, not loaded. */
  readonly version: number;
  readonly sources: readonly string[];
  /** An extra switch for this addon alone (e.g. WRAPPED_NO_MMAP). */
  readonly disableEnv?: string;
}

export type Loaded<T> = { readonly addon: T; readonly why: '' } | { readonly addon: null; readonly why: string };

function nodeGyp(): string | null {
  const candidates = [
    path.join(path.dirname(process.execPath), '..', 'lib', 'node_modules', 'npm', 'node_modules', 'node-gyp', 'bin', 'node-gyp.js'),
    '/usr/lib/node_modules/npm/node_modules/node-gyp/bin/node-gyp.js',
    '/usr/local/lib/node_modules/npm/node_modules/node-gyp/bin/node-gyp.js',
  ];
  return candidates.find((c) => fs.existsSync(c)) ?? null;
}

/** The built binary of an addon. */
export function addonBinary(spec: AddonSpec): string {
  return path.join(spec.dir, 'build', 'Release', `${spec.target}.v${spec.version}.node`);
}

/** Builds the addon if its binary is missing, then loads it; never throws. */
export function loadAddon<T>(spec: AddonSpec): Loaded<T> {
  if (process.env['WRAPPED_NO_NATIVE'] === '1') return { addon: null, why: 'WRAPPED_NO_NATIVE=1' };
  if (spec.disableEnv && process.env[spec.disableEnv] === '1') return { addon: null, why: `${spec.disableEnv}=1` };
  const binary = addonBinary(spec);
  try {
    if (!fs.existsSync(binary)) {
      const gyp = nodeGyp();
      if (!gyp) return { addon: null, why: 'node-gyp not found' };
      // Build in a private directory, then rename the binary into place: processes and threads
      // that start at once (parallel test files, pool workers) never write into the same build tree.
      const work = fs.mkdtempSync(path.join(os.tmpdir(), `wrapped-${spec.target}-`));
      try {
        for (const f of ['binding.gyp', ...spec.sources]) fs.copyFileSync(path.join(spec.dir, f), path.join(work, f));
        const args = [gyp, 'rebuild', '-C', work];
        const nodedir = process.env['npm_config_nodedir'] ?? (fs.existsSync('/usr/include/node/node.h') ? '/usr' : undefined);
        if (nodedir) args.push(`--nodedir=${nodedir}`);
        execFileSync(process.execPath, args, { stdio: 'pipe' });
        fs.mkdirSync(path.dirname(binary), { recursive: true });
        const tmp = `${binary}.${process.pid}.${Math.random().toString(36).slice(2)}.tmp`;
        fs.copyFileSync(path.join(work, 'build', 'Release', `${spec.target}.node`), tmp);
        fs.renameSync(tmp, binary);
      } finally {
        fs.rmSync(work, { recursive: true, force: true });
      }
    }
    return { addon: createRequire(import.meta.url)(binary) as T, why: '' };
  } catch (e) {
    return { addon: null, why: e instanceof Error ? e.message.split('\n')[0]! : String(e) };
  }
}
