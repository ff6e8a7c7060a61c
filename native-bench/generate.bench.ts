/**
 * Sample-year generator throughput (issue #2): plays/s writing a Parquet lake.
 *
 *   node --import tsx native-bench/generate.bench.ts [--users 5000] [--json]
 *
 * Check before timing: the 1-worker and 2-worker lakes must be byte-identical
 * (a fast wrong generator fails). Anchors in the same run: the generator on one
 * worker (scaling), and parquet-wasm alone re-encoding rows of the same lake
 * (the writer's ceiling per core: the generator cannot beat it).
 */
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import * as arrow from 'apache-arrow';
import { generateLake } from '../fixtures/sample-year/generate.ts';
import { listPlayPartitions } from '../engine/lake/lake-layout.ts';
import { encodeParquet, readParquetFile } from '../engine/lake/parquet-io.ts';
import { treeHashes } from '../test/helpers/tmp.ts';
import { benchArgs, printReport, rate, type BenchRow } from './report.ts';

const args = benchArgs(process.argv.slice(2));
const users = Number(args.get('users') ?? 5000);
const json = args.has('json');
const years = [2025];
const tmp = fs.mkdtempSync(path.join(os.tmpdir(), 'wrapped-bench-gen-'));

async function timed(name: string, workers: number): Promise<[BenchRow, string]> {
  const lake = path.join(tmp, `lake-${workers}`);
  const t0 = performance.now();
  const m = await generateLake({ lake, users, seed: 1, years, workers });
  return [{ name, rows: m.play_rows, seconds: (performance.now() - t0) / 1000 }, lake];
}

try {
  // Warm-up: a tiny lake loads tsx, parquet-wasm and the JIT in the workers' first run.
  await generateLake({ lake: path.join(tmp, 'warm'), users: 20, seed: 1, years });
  const [two, lake2] = await timed('generate, 2 workers', 2);
  const [one, lake1] = await timed('generate, 1 worker (baseline)', 1);
  const h1 = treeHashes(lake1);
  const h2 = treeHashes(lake2);
  if (h1.size !== h2.size || [...h1].some(([k, v]) => h2.get(k) !== v)) throw new Error('check failed: 1-worker and 2-worker lakes differ');

  // Writer ceiling: re-encode the busiest day's rows, as the generator builds them.
  const biggest = listPlayPartitions(lake2).flatMap((p) => p.files).map((f) => [f, fs.statSync(f).size] as const).sort((a, b) => b[1] - a[1])[0]![0];
  const table: arrow.Table = readParquetFile(biggest);
  const opts = { plainColumns: ['ms_played', 'private_session'], deltaColumns: ['ts'] };
  encodeParquet(table, opts);
  let encoded = 0;
  const t0 = performance.now();
  while (performance.now() - t0 < 3000) {
    encodeParquet(table, opts);
    encoded += table.numRows;
  }
  const writer: BenchRow = { name: 'parquet-wasm encode only, 1 core (ceiling)', rows: encoded, seconds: (performance.now() - t0) / 1000 };
  const rows: BenchRow[] = [
    { ...two, note: `${(rate(two) / rate(one)).toFixed(2)}x the 1-worker baseline; ${(rate(two) / (2 * rate(writer))).toFixed(2)} of 2x the writer ceiling` },
    one,
    writer,
  ];
  printReport('generate: sample year → Parquet lake', rows, json, { users, years: years.join(','), cores: os.availableParallelism(), node: process.version });
} finally {
  fs.rmSync(tmp, { recursive: true, force: true });
}
