import { createHash } from 'node:crypto';
import * as fs from 'node:fs';
import { epochDay } from '../../engine/lake/calendar.ts';
import { listPlayPartitions } from '../../engine/lake/lake-layout.ts';

/** What decides a run's output: the same inputs and settings give the same run id, so a restarted run finds its directory. */
export interface RunConfig {
  readonly year: number;
  readonly sample: number;
  readonly cards: boolean;
  readonly minListeners: number;
  readonly catalogSha256: string;
  readonly model: string;
  /** The previous year's run the documents compare to, or null. */
  readonly previousRun: string | null;
}

/**
 * The lake's inputs for year Y (arrival days Y-01-01 … Y-12-07 and the users
 * file), fingerprinted by name, size and mtime: a changed input makes a new run.
 */
export function inputFingerprint(lake: string, year: number, cutoffDay: number): { sha256: string; files: number; bytes: number } {
  const h = createHash('sha256');
  let files = 0, bytes = 0;
  for (const p of listPlayPartitions(lake, epochDay(year), cutoffDay - 1)) {
    for (const f of p.files) {
      const st = fs.statSync(f);
      h.update(`${p.day}\0${f.slice(lake.length)}\0${st.size}\0${Math.floor(st.mtimeMs)}\n`);
      files++;
      bytes += st.size;
    }
  }
  const u = fs.statSync(`${lake}/users.parquet`);
  h.update(`users\0${u.size}\0${Math.floor(u.mtimeMs)}\n`);
  return { sha256: h.digest('hex'), files, bytes };
}

/** `<year>-<12 hex>`, or `<year>-sample-<12 hex>` for a dry run on a sample. */
export function runId(config: RunConfig, inputs: string): string {
  const h = createHash('sha256').update(JSON.stringify({ ...config, inputs })).digest('hex').slice(0, 12);
  return config.sample < 1 ? `${config.year}-sample-${h}` : `${config.year}-${h}`;
}
