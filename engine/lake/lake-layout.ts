import * as fs from 'node:fs';
import * as path from 'node:path';
import { wrappedError } from '../errors/registry.ts';
import { epochDay } from './calendar.ts';

/** One arrival-day partition of the lake and its Parquet files. */
export interface PlayPartition {
  /** Arrival day, in days since 1970-01-01. */
  readonly day: number;
  readonly dir: string;
  readonly files: readonly string[];
}

const YEAR = /^year=(\d{4})$/;
const MONTH = /^month=(\d{2})$/;
const DAY = /^day=(\d{2})$/;

/**
 * Lists the lake's arrival-day partitions (SPEC §2), in day order, each with
 * every `*.parquet` file in it (sorted by name). Hidden and temporary files
 * (leading `.` or `_`) are ignored, as Spark and Hive do.
 */
export function listPlayPartitions(lake: string, from?: number, to?: number): PlayPartition[] {
  const root = path.join(lake, 'plays');
  if (!fs.existsSync(root)) throw wrappedError('ERR_LAKE_NOT_FOUND', { lake, expected: `a plays/ directory at ${root}` });
  const out: PlayPartition[] = [];
  const dirs = (p: string, re: RegExp) => fs.readdirSync(p, { withFileTypes: true }).filter((e) => e.isDirectory() && re.test(e.name)).map((e) => e.name).sort();
  for (const y of dirs(root, YEAR)) {
    for (const m of dirs(path.join(root, y), MONTH)) {
      for (const d of dirs(path.join(root, y, m), DAY)) {
        const day = epochDay(Number(YEAR.exec(y)![1]), Number(MONTH.exec(m)![1]), Number(DAY.exec(d)![1]));
        if ((from !== undefined && day < from) || (to !== undefined && day > to)) continue;
        const dir = path.join(root, y, m, d);
        const files = fs.readdirSync(dir).filter((f) => f.endsWith('.parquet') && !f.startsWith('.') && !f.startsWith('_')).sort().map((f) => path.join(dir, f));
        out.push({ day, dir, files });
      }
    }
  }
  return out.sort((a, b) => a.day - b.day);
}
