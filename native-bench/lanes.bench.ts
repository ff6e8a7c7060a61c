/**
 * Stage 1: logical buckets in flight (lanes). Runs stage 1 on one generated
 * year with 2, 4 and 6 lanes, alternating, `--reps` times each. Check first:
 * every lane count must write byte-identical output.
 *
 *   node --import tsx native-bench/lanes.bench.ts [--users 2000] [--reps 2] [--json]
 */
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { generateLake } from '../fixtures/sample-year/generate.ts';
import { bucketLake } from '../engine/smb/bucket-lake.ts';
import { runAggregate } from '../stages/aggregate/index.ts';
import { treeHashes } from '../test/helpers/tmp.ts';
import { benchArgs, printReport, type BenchRow } from './report.ts';

const args = benchArgs(process.argv.slice(2));
const users = Number(args.get('users') ?? 2000);
const reps = Number(args.get('reps') ?? 2);
const tmp = fs.mkdtempSync(path.join(os.tmpdir(), 'wrapped-bench-lanes-'));
try {
  const lake = path.join(tmp, 'lake');
  const smb = path.join(tmp, 'smb');
  await generateLake({ lake, users, seed: 7, years: [2025] });
  await bucketLake({ lake, smb });
  const lanes = [2, 4, 6];
  const totals = new Map(lanes.map((l) => [l, { rows: 0, seconds: 0 }]));
  const hashes = new Map<number, Map<string, string>>();
  await runAggregate({ lake, smb, out: path.join(tmp, 'warm'), year: 2025 });
  for (let r = 0; r < reps; r++) {
    for (const l of lanes) {
      const out = path.join(tmp, `out-${l}-${r}`);
      const res = await runAggregate({ lake, smb, out, year: 2025, lanes: l });
      const t = totals.get(l)!;
      t.rows += res.rows;
      t.seconds += res.seconds;
      if (!hashes.has(l)) hashes.set(l, treeHashes(out));
      fs.rmSync(out, { recursive: true, force: true });
    }
  }
  const ref = JSON.stringify([...hashes.get(2)!]);
  for (const l of lanes) if (JSON.stringify([...hashes.get(l)!]) !== ref) throw new Error(`check failed: ${l} lanes wrote different output`);
  const base = totals.get(2)!;
  const rows: BenchRow[] = lanes.map((l) => {
    const t = totals.get(l)!;
    return { name: `stage 1, ${l} buckets in flight${l === 2 ? ' (baseline)' : ''}`, rows: t.rows, seconds: t.seconds, note: `${((t.rows / t.seconds) / (base.rows / base.seconds)).toFixed(2)}x 2 lanes` };
  });
  printReport('stage 1: buckets in flight', rows, args.has('json'), { users, reps, cores: os.availableParallelism(), node: process.version });
} finally {
  fs.rmSync(tmp, { recursive: true, force: true });
}
