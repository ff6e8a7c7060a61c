import { bucketPartition, type BucketSinkOptions } from './bucket-sink.ts';
import { latestDictionary } from './dictionary.ts';
import { ensureCatalogSnapshot } from '../catalog/catalog-snapshot.ts';

/** Pool task: bucket one arrival-day partition of the lake. */
export interface BucketTaskInput extends BucketSinkOptions {
  readonly smb: string;
  readonly day: number;
  readonly files: readonly string[];
  readonly outDir: string;
}

export interface BucketTaskResult {
  readonly day: number;
  readonly rows: number;
  readonly rejects: number;
  readonly bytes: number;
  readonly skipped: boolean;
  readonly spilledRuns: number;
  /** Files written, and the wall ms creating and writing them took (BucketSinkResult). */
  readonly files: number;
  readonly writeMs: number;
}

export function bucketTask(input: BucketTaskInput): BucketTaskResult {
  // The coordinator wrote the dictionaries' latest versions before any task started.
  const dicts = { track: latestDictionary(input.smb, 'track'), artist: latestDictionary(input.smb, 'artist'), album: latestDictionary(input.smb, 'album') };
  const r = bucketPartition(input.day, input.files, input.outDir, dicts, input);
  const m = r.metadata;
  return {
    day: input.day, rows: m.rows, rejects: Object.values(m.rejects).reduce((s, x) => s + (x ?? 0), 0),
    bytes: m.files.reduce((s, f) => s + f.bytes, 0), skipped: r.skipped, spilledRuns: r.spilledRuns, files: r.files, writeMs: r.writeMs,
  };
}

/**
 * Pool task: stores the stage catalog for the dictionaries just extended
 * (engine/catalog/catalog-snapshot.ts). It runs on a worker beside the first
 * partitions, so the coordinator stays free to hand out partitions.
 */
export function catalogSnapshotTask(input: { readonly lake: string; readonly smb: string }): boolean {
  return ensureCatalogSnapshot(input.lake, input.smb);
}
