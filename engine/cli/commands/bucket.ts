import * as path from 'node:path';
import { epochDayOfIso } from '../../lake/calendar.ts';
import { parseSize } from '../../memory/size.ts';
import { bucketCountOrigin, MIN_BUCKETS, TARGET_ROWS } from '../../smb/bucket-count.ts';
import type { Command } from '../command.ts';
import { formatCount, Progress } from '../progress.ts';

const powerOfTwo = (v: unknown) => ((v as number) & ((v as number) - 1)) === 0 ? null : 'a power of two (1, 2, 4, … 65536)';
const size = (v: unknown) => (parseSize(String(v)) === null ? 'a size such as 512MiB, 2GB or 65536' : null);

/** Above this, writing a small bucket file took more than its bytes explain. */
const SLOW_FILE_MS = 0.4;

export const bucketCommand: Command = {
  name: 'bucket',
  summary: 'convert arrival-day partitions to Sort-Merge-Bucket layout',
  description: [
    'Converts the lake\'s arrival-day partitions into SMB partitions under --smb: per day,',
    'bucket files hashed (murmur3_32 of the 16 user-key bytes) and sorted by (user, ts), as',
    'uncompressed Arrow IPC, plus rejects.arrow (rows failing SPEC §6, with their reason) and',
    'metadata.json, written last. Partitions already complete with the same inputs are',
    'skipped. Format: docs/smb-format.md.',
  ].join('\n'),
  flags: [
    { name: 'lake', kind: 'string', value: 'DIR', required: true, help: 'the Parquet lake (SPEC §2)' },
    { name: 'smb', kind: 'string', value: 'DIR', required: true, help: 'SMB output directory' },
    { name: 'buckets', kind: 'int', value: 'N', min: 1, max: 65536, check: powerOfTwo, help: `buckets per partition, a power of two (default: the count --smb's partitions use, else from the lake's size: a median day's bucket files ≥ ${TARGET_ROWS} rows, at least ${MIN_BUCKETS})` },
    { name: 'shards', kind: 'int', value: 'N', default: 1, min: 1, max: 1024, help: 'files per bucket (sorted ranges, merged at read time)' },
    { name: 'from', kind: 'date', value: 'YYYY-MM-DD', help: 'first arrival day (default: the first in the lake)' },
    { name: 'to', kind: 'date', value: 'YYYY-MM-DD', help: 'last arrival day (default: the last in the lake)' },
    { name: 'memory', kind: 'string', value: 'SIZE', default: '512MiB', check: size, help: 'rows a worker holds before spilling sorted runs' },
    { name: 'workers', kind: 'int', value: 'N', min: 1, max: 256, help: 'worker threads (default: one per core)' },
  ],
  async run(f, ctx) {
    // The engine is loaded when the command runs, not when the CLI starts (so `--help` and the other commands do not pay for it).
    const [{ bucketLake }, { SNAPSHOT_DIR }] = await Promise.all([import('../../smb/bucket-lake.ts'), import('../../catalog/catalog-snapshot.ts')]);
    const t0 = performance.now();
    let p: Progress | null = null;
    const r = await bucketLake({
      lake: path.resolve(String(f['lake'])), smb: path.resolve(String(f['smb'])),
      numBuckets: f['buckets'] as number | undefined, numShards: f['shards'] as number,
      from: f['from'] ? epochDayOfIso(f['from'] as string) : undefined,
      to: f['to'] ? epochDayOfIso(f['to'] as string) : undefined,
      memoryBytes: parseSize(String(f['memory']))!, workers: f['workers'] as number | undefined,
      onPartition: (_d, total, x) => {
        p ??= new Progress('bucket', total, (s) => process.stderr.write(s), ctx.isTTY);
        p.tick(1, x.rows + x.rejects);
      },
    });
    const secs = (performance.now() - t0) / 1000;
    ctx.out(`bucketed ${r.partitions} partitions (${r.skipped} already complete): ${formatCount(r.rows)} rows, ${r.rejects} rejected, ${(r.bytes / 2 ** 20).toFixed(1)} MiB of bucket files`);
    ctx.out(`${r.buckets.numBuckets} buckets per partition (${bucketCountOrigin(r.buckets)})`);
    if (r.catalogSnapshot) ctx.out(`stored the stage catalog for this catalog and dictionary in ${path.join(path.resolve(String(f['smb'])), SNAPSHOT_DIR)}`);
    if (r.spilledRuns > 0) ctx.out(`spilled ${r.spilledRuns} sorted runs (memory budget ${String(f['memory'])})`);
    ctx.out(`in ${secs.toFixed(1)} s: ${formatCount((r.rows + r.rejects) / secs)} rows/s`);
    if (r.filesWritten > 0) {
      const perFile = (r.writeSeconds * 1000) / r.filesWritten;
      ctx.out(`wrote ${formatCount(r.filesWritten)} files: ${r.writeSeconds.toFixed(1)} s of the workers' time, ${perFile.toFixed(2)} ms a file`);
      // Small files that took long: the filesystem's file creation, not the bytes (docs/architecture.md §2).
      if (perFile > SLOW_FILE_MS && r.bytes / r.filesWritten < 2 ** 20) {
        ctx.out(`  creating files was slow here (~0.2 ms a file when it is cheap): on ext4 without a journal, files created in the minutes after many were deleted cost up to ~50x more (docs/architecture.md, SMB layout)`);
      }
    }
    return 0;
  },
};
