import * as fs from 'node:fs';
import * as path from 'node:path';
import { wrappedError } from '../../engine/errors/registry.ts';

export const RUNS_DIR = 'runs';
export const CURRENT_LINK = 'current';
export const MANIFEST_FILE = 'manifest.json';

/** A run's manifest fields that publishing and later runs read. */
export interface ManifestHead {
  readonly run_id: string;
  readonly year: number;
  readonly status: 'complete';
  readonly config: { readonly sample: number };
}

/** Complete runs under <out>/runs (those with a manifest), in id order. */
export function completeRuns(out: string): Array<{ dir: string; manifest: ManifestHead }> {
  const root = path.join(out, RUNS_DIR);
  if (!fs.existsSync(root)) return [];
  return fs.readdirSync(root).sort().flatMap((id) => {
    try {
      const manifest = JSON.parse(fs.readFileSync(path.join(root, id, MANIFEST_FILE), 'utf8')) as ManifestHead;
      return manifest.status === 'complete' ? [{ dir: path.join(root, id), manifest }] : [];
    } catch {
      return [];
    }
  });
}

/** The full (not sampled) complete run of `year` that a new run compares to: the last by id. */
export function previousYearRun(out: string, year: number): string | null {
  const runs = completeRuns(out).filter((r) => r.manifest.year === year && r.manifest.config.sample >= 1);
  return runs.length ? runs[runs.length - 1]!.dir : null;
}

/**
 * Publishes a complete run: the new run directory also links the other years
 * the current publication serves (so `current/wrapped/2025` survives
 * publishing 2026), then `<out>/current` is repointed by renaming a new
 * symlink over it — atomic, so a reader sees the old run or the new one.
 */
export function publishRun(out: string, runDir: string, year: number): void {
  const current = path.join(out, CURRENT_LINK);
  let previous: string | null = null;
  try {
    previous = fs.realpathSync(current);
  } catch {
    previous = null;
  }
  if (previous && previous !== fs.realpathSync(runDir)) {
    const prevYears = path.join(previous, 'wrapped');
    if (fs.existsSync(prevYears)) {
      for (const y of fs.readdirSync(prevYears)) {
        const link = path.join(runDir, 'wrapped', y);
        if (y === String(year) || fs.existsSync(link)) continue;
        fs.symlinkSync(path.relative(path.dirname(link), fs.realpathSync(path.join(prevYears, y))), link);
      }
    }
  }
  const tmp = path.join(out, `.current-${process.pid}`);
  fs.rmSync(tmp, { force: true });
  try {
    fs.symlinkSync(path.relative(out, runDir), tmp);
    fs.renameSync(tmp, current);
  } catch (e) {
    fs.rmSync(tmp, { force: true });
    throw wrappedError('ERR_IO', { op: 'publish (symlink swap)', path: current, cause: (e as Error).message }, e);
  }
}
