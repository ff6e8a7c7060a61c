/**
 * The workload `native-bench/instructions.bench.ts` counts instructions of,
 * run under valgrind in one thread: bucketing the first `--days` arrival days
 * of a lake in process (`bucketTask`, as a pool worker runs it), into `--out`,
 * with the dictionaries of an SMB directory already made from the same lake.
 * It is copied into the other commit's worktree for `--compare`, so both
 * commits run the same workload through their own engine: keep to APIs that
 * old commits have. Prints {"rows": N} on stdout.
 *
 *   node --import tsx native-bench/harness/instructions-workload.ts --lake L --smb S --out O --days D
 */
import * as fs from 'node:fs';
import { listPlayPartitions } from '../../engine/lake/lake-layout.ts';
import { bucketTask } from '../../engine/smb/bucket-task.ts';

const argv = process.argv.slice(2);
const arg = (name: string): string => {
  const i = argv.indexOf(`--${name}`);
  if (i < 0 || argv[i + 1] === undefined) throw new Error(`instructions-workload: --${name} is required`);
  return argv[i + 1]!;
};
const lake = arg('lake'), smb = arg('smb'), out = arg('out'), days = Number(arg('days')), buckets = Number(arg('buckets'));
fs.rmSync(out, { recursive: true, force: true });
let rows = 0;
for (const p of listPlayPartitions(lake).filter((x) => x.files.length > 0).slice(0, days)) {
  rows += bucketTask({ smb, day: p.day, files: p.files, outDir: `${out}/${p.day}`, numBuckets: buckets, numShards: 1, memoryBytes: 512 * 2 ** 20 }).rows;
}
process.stdout.write(`${JSON.stringify({ rows })}\n`);
