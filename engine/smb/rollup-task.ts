import type { BucketFileInfo } from './metadata.ts';
import { rollUpBucket, type OverflowRemap } from './rollup.ts';
import { SmbSource } from './smb-source.ts';

export interface RollupTaskInput {
  readonly dirs: readonly string[];
  readonly smb?: string;
  readonly outDir: string;
  readonly bucket: number;
  readonly remap: OverflowRemap;
}

/** The opened inputs, kept per worker across its buckets (opening reads every partition's metadata.json). */
let opened: { key: string; source: SmbSource } | null = null;

/** Pool task: roll up one bucket (reads its files, sorts, writes one file). */
export function rollupTask(t: RollupTaskInput): BucketFileInfo {
  const key = `${t.outDir}\n${t.dirs.join('\n')}`;
  if (!opened || opened.key !== key) opened = { key, source: SmbSource.open(t.dirs, { strategy: 'min', smb: t.smb }) };
  return rollUpBucket(opened.source, t.bucket, t.remap, t.outDir);
}
