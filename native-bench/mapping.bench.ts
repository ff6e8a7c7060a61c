/**
 * Column mapping (issue #4): getting a year of SMB bucket files into shared
 * memory, by the mmap addon (page cache, no copy) vs reading into reused
 * SharedArrayBuffers — side by side in one run, on files already in the page
 * cache. Each path then sums the ms_played column of every file through the
 * buffer index, and both sums must agree before anything is reported.
 *
 *   node --expose-gc --import tsx native-bench/mapping.bench.ts --smb DIR [--layout days|planned] [--json]
 *
 * `--layout planned` maps what stage 1 reads (a year roll-up, one large file per bucket).
 */
import * as os from 'node:os';
import * as path from 'node:path';
import { mmapAddon, mmapUnavailableReason } from '../engine/memory/mmap-file.ts';
import { readFilesInto, SabPool } from '../engine/memory/sab-pool.ts';
import { listSmbPartitions } from '../engine/smb/smb-layout.ts';
import { planSmbPartitions } from '../engine/smb/partition-plan.ts';
import { benchArgs, printReport, type BenchRow } from './report.ts';

const args = benchArgs(process.argv.slice(2));
const smb = args.get('smb');
if (!smb) throw new Error('--smb DIR is required (an SMB layout, e.g. from wrapped bucket)');
const addon = mmapAddon();
if (!addon) throw new Error(`mmap addon unavailable: ${mmapUnavailableReason()}`);
// --layout planned: what stage 1 reads (roll-ups standing in for their days); default: the day partitions.
const parts = args.get('layout') === 'planned' ? planSmbPartitions(smb, -Infinity, Infinity).partitions : listSmbPartitions(smb);
const files = parts.flatMap((p) => p.metadata.files.filter((f) => f.rows > 0 && f.buffers).map((f) => ({ file: path.join(p.dir, f.name), rows: f.rows, ms: f.buffers!.ms })));
const rows = files.reduce((s, f) => s + f.rows, 0);
const sumMs = (sab: SharedArrayBuffer, base: number, f: (typeof files)[number]) => {
  const v = new Int32Array(sab, base + f.ms, f.rows);
  let s = 0;
  for (let i = 0; i < v.length; i++) s += v[i]!;
  return s;
};
const viaMmap = () => files.reduce((s, f) => s + sumMs(addon.mapFile(f.file), 0, f), 0);
const pool = new SabPool();
const viaRead = () => {
  let s = 0;
  // One bucket-sized batch at a time (64 files), as stage 1 does per logical bucket.
  for (let i = 0; i < files.length; i += 64) {
    const batch = files.slice(i, i + 64);
    const m = readFilesInto(pool, batch.map((f) => f.file));
    batch.forEach((f, k) => (s += sumMs(m.sab, m.offsets[k]!, f)));
    pool.give(m.sab);
  }
  return s;
};
// Warm-up (page cache, JIT) and the check.
const a = viaMmap();
(globalThis as { gc?: () => void }).gc?.();
const b = viaRead();
if (a !== b) throw new Error(`check failed: mmap sum ${a} != read sum ${b}`);
// Mappings are released by the garbage collector: collect between repetitions (untimed).
const gc = (globalThis as { gc?: () => void }).gc;
if (!gc) throw new Error('run with node --expose-gc (mappings are released by the GC)');
const time = (name: string, f: () => number): BenchRow => {
  let seconds = 0;
  let reps = 0;
  while (seconds < 3) {
    gc();
    const t0 = performance.now();
    if (f() !== a) throw new Error(`check failed in ${name}`);
    seconds += (performance.now() - t0) / 1000;
    reps++;
  }
  return { name, rows: rows * reps, seconds };
};
const mm = time('mmap addon → SharedArrayBuffer, sum ms_played', viaMmap);
const rd = time('read into reused SharedArrayBuffers, sum ms_played (baseline)', viaRead);
printReport('mapping: SMB bucket files into shared memory', [
  { ...mm, note: `${((mm.rows / mm.seconds) / (rd.rows / rd.seconds)).toFixed(2)}x reading` }, rd,
], args.has('json'), { files: files.length, rows, cores: os.availableParallelism(), node: process.version });
