import * as fs from 'node:fs';
import * as path from 'node:path';
import { writeFileAtomic } from '../lake/atomic-file.ts';

/**
 * Per-bucket completion markers of a stage's output directory: `_done/bucket-NNNNN.json`,
 * written (atomically) after every file of that bucket. A marker holds the
 * bucket's counters, so a resumed stage can total its output without redoing
 * completed buckets. A stage is complete when its `metadata.json` exists; it is
 * written last, after every marker.
 */
export const STAGE_COMPLETE_FILE = 'metadata.json';

const markerPath = (dir: string, bucket: number) => path.join(dir, '_done', `bucket-${String(bucket).padStart(5, '0')}.json`);

export function readMarker<T>(dir: string, bucket: number): T | null {
  try {
    return JSON.parse(fs.readFileSync(markerPath(dir, bucket), 'utf8')) as T;
  } catch {
    return null;
  }
}

export function writeMarker(dir: string, bucket: number, stats: unknown): void {
  fs.mkdirSync(path.join(dir, '_done'), { recursive: true });
  writeFileAtomic(markerPath(dir, bucket), JSON.stringify(stats) + '\n');
}

export function stageComplete(dir: string): boolean {
  return fs.existsSync(path.join(dir, STAGE_COMPLETE_FILE));
}

/** Writes the stage's metadata.json: the last file, marking the stage complete. */
export function completeStage(dir: string, metadata: unknown): void {
  writeFileAtomic(path.join(dir, STAGE_COMPLETE_FILE), JSON.stringify(metadata, null, 2) + '\n');
}
