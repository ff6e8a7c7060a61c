/**
 * Lake → SMB throughput (issue #3): rows/s bucketing a generated year on both
 * cores, and bytes on disk vs the Parquet lake.
 *
 *   node --import tsx native-bench/bucket.bench.ts [--users 5000] [--json]
 *
 * Checks before reporting: the 1- and 2-worker SMB trees are byte-identical,
 * and rows + rejects equal the lake's rows with rejects equal to the
 * generator's malformed rows. Anchors in the same run: one worker (scaling),
 * and reading + decoding the same Parquet files alone on one core (the
 * reader's share of the work).
 */
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { generateLake } from '../fixtures/sample-year/generate.ts';
import { listPlayPartitions } from '../engine/lake/lake-layout.ts';
import { readPlayFile } from '../engine/lake/play-file.ts';
import { bucketLake } from '../engine/smb/bucket-lake.ts';
import { treeHashes } from '../test/helpers/tmp.ts';
import { benchArgs, printReport, rate, type BenchRow } from './report.ts';

const args = benchArgs(process.argv.slice(2));
const users = Number(args.get('users') ?? 5000);
const json = args.has('json');
const tmp = fs.mkdtempSync(path.join(os.tmpdir(), 'wrapped-bench-bucket-'));
const du = (dir: string): number => fs.readdirSync(dir, { withFileTypes: true }).reduce((s, e) => s + (e.isDirectory() ? du(path.join(dir, e.name)) : fs.statSync(path.join(dir, e.name)).size), 0);

try {
  const lake = path.join(tmp, 'lake');
  const m = await generateLake({ lake, users, seed: 1, years: [2025] });
  const malformed = Object.values(m.malformed_rows).reduce((s, x) => s + (x ?? 0), 0);
  const run = async (name: string, workers: number): Promise<BenchRow> => {
    const smb = path.join(tmp, `smb-${workers}`);
    const t0 = performance.now();
    const r = await bucketLake({ lake, smb, workers });
    const seconds = (performance.now() - t0) / 1000;
    if (r.rows + r.rejects !== m.play_rows || r.rejects !== malformed) throw new Error(`check failed: ${r.rows} rows + ${r.rejects} rejects vs ${m.play_rows} lake rows, ${malformed} malformed`);
    return { name, rows: m.play_rows, seconds };
  };
  await bucketLake({ lake, smb: path.join(tmp, 'warm'), workers: 2, from: listPlayPartitions(lake)[100]!.day, to: listPlayPartitions(lake)[101]!.day });
  const two = await run('bucket lake → SMB, 2 workers', 2);
  const one = await run('bucket lake → SMB, 1 worker (baseline)', 1);
  const h1 = treeHashes(path.join(tmp, 'smb-1', 'plays'));
  const h2 = treeHashes(path.join(tmp, 'smb-2', 'plays'));
  if (h1.size !== h2.size || [...h1].some(([k, v]) => h2.get(k) !== v)) throw new Error('check failed: 1- and 2-worker SMB trees differ');

  const files = listPlayPartitions(lake).flatMap((p) => p.files);
  let rows = 0;
  const t0 = performance.now();
  for (const f of files) rows += readPlayFile(f).n;
  const read: BenchRow = { name: 'read + decode Parquet only, 1 core (anchor)', rows, seconds: (performance.now() - t0) / 1000 };
  const parquetBytes = du(path.join(lake, 'plays'));
  const smbBytes = du(path.join(tmp, 'smb-2', 'plays'));
  printReport('bucket: Parquet lake → SMB', [
    { ...two, note: `${(rate(two) / rate(one)).toFixed(2)}x the 1-worker baseline` },
    one,
    { ...read, note: `reading alone is ${(rate(two) / (2 * rate(read))).toFixed(2)} of the 2-worker rate ceiling` },
  ], json, {
    users, cores: os.availableParallelism(), node: process.version,
    parquet_bytes: parquetBytes, smb_bytes: smbBytes, smb_vs_parquet: (smbBytes / parquetBytes).toFixed(2),
    smb_bytes_per_row: (smbBytes / m.play_rows).toFixed(1),
  });
} finally {
  fs.rmSync(tmp, { recursive: true, force: true });
}
