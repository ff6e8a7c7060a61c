/**
 * The workloads `native-bench/instructions.bench.ts` counts instructions of,
 * run under valgrind. It is copied into the other commit's worktree for
 * `--compare`, so both commits run the same workload through their own
 * engine: keep to APIs that old commits have. Prints {"rows": N} on stdout.
 *
 *   --kind bucket: bucketing the first `--days` arrival days of a lake in one
 *     thread, in process (`bucketTask`, as a pool worker runs it), into
 *     `--out`, with the dictionaries of an SMB directory made from the same lake;
 *   --kind stage1: stage 1 over an SMB directory (its year roll-up) with one
 *     worker, for the users a `--sample` share keeps, into `--out`.
 *
 *   node --import tsx native-bench/harness/instructions-workload.ts --kind bucket --lake L --smb S --out O --days D --buckets B
 *   node --import tsx native-bench/harness/instructions-workload.ts --kind stage1 --lake L --smb S --out O --sample F --year Y
 */
import * as fs from 'node:fs';

const argv = process.argv.slice(2);
const arg = (name: string): string => {
  const i = argv.indexOf(`--${name}`);
  if (i < 0 || argv[i + 1] === undefined) throw new Error(`instructions-workload: --${name} is required`);
  return argv[i + 1]!;
};
const kind = arg('kind'), lake = arg('lake'), smb = arg('smb'), out = arg('out');
fs.rmSync(out, { recursive: true, force: true });
let rows = 0;
if (kind === 'bucket') {
  const { listPlayPartitions } = await import('../../engine/lake/lake-layout.ts');
  const { bucketTask } = await import('../../engine/smb/bucket-task.ts');
  const days = Number(arg('days')), buckets = Number(arg('buckets'));
  for (const p of listPlayPartitions(lake).filter((x) => x.files.length > 0).slice(0, days)) {
    rows += bucketTask({ smb, day: p.day, files: p.files, outDir: `${out}/${p.day}`, numBuckets: buckets, numShards: 1, memoryBytes: 512 * 2 ** 20 }).rows;
  }
} else if (kind === 'stage1') {
  const { runAggregate } = await import('../../stages/aggregate/index.ts');
  const sample = Number(arg('sample'));
  if (sample > 0) rows = (await runAggregate({ lake, smb, out, year: Number(arg('year')), workers: 1, sample })).rows;
} else throw new Error(`instructions-workload: --kind must be bucket or stage1, got ${kind}`);
process.stdout.write(`${JSON.stringify({ rows })}\n`);
