import * as path from 'node:path';
import type { Command } from '../command.ts';
import type { FlagSpec } from '../flags.ts';
import { formatCount, Progress } from '../progress.ts';
import { defaultWorkers } from '../../pool/default-workers.ts';

const consecutiveYears = (v: unknown): string | null => {
  const ys = v as number[];
  return ys.every((y, i) => y >= 1971 && y <= 2200 && (i === 0 || y === ys[i - 1]! + 1)) ? null : 'consecutive ascending years between 1971 and 2200, e.g. 2025,2026';
};

export const GENERATE_FLAGS: readonly FlagSpec[] = [
  { name: 'lake', kind: 'string', value: 'DIR', required: true, help: 'directory to write the lake into' },
  { name: 'users', kind: 'int', value: 'N', default: 2000, min: 1, max: 10_000_000, help: 'number of users' },
  { name: 'seed', kind: 'int', value: 'S', default: 1, min: 0, max: 4294967295, help: 'random seed: the same seed gives the same bytes' },
  { name: 'years', kind: 'int-list', value: 'Y[,Y]', default: [2025, 2026], check: consecutiveYears, help: 'years to generate (two, so "vs last year" has data)' },
  { name: 'workers', kind: 'int', value: 'N', min: 1, max: 256, help: `worker threads (default: one per core, ${defaultWorkers()} here)` },
  { name: 'rows-per-file', kind: 'int', value: 'N', default: 1_000_000, min: 1, help: 'rows per Parquet part file' },
  { name: 'force', kind: 'bool', help: 'replace an existing lake in --lake' },
];

export const generateCommand: Command = {
  name: 'generate',
  summary: 'write a realistic sample year as a Parquet lake',
  description: [
    'Writes a sample lake in the layout of SPEC §2: arrival-day partitions',
    'plays/year=YYYY/month=MM/day=DD/part-NNNNN.parquet, catalog/*.parquet and users.parquet,',
    'plus _generator.json describing what was written. Heavy-tailed users, Zipf-like',
    'popularity, late and duplicate arrivals, private sessions, aliased and unknown',
    'tracks, and a handful of malformed rows of each kind (docs/sample-year.md).',
  ].join('\n'),
  flags: GENERATE_FLAGS,
  async run(f, ctx) {
    const lake = path.resolve(String(f['lake']));
    const t0 = performance.now();
    let p: Progress | null = null;
    const { generateLake } = await import('../../../fixtures/sample-year/generate.ts');
    const m = await generateLake({
      lake, users: f['users'] as number, seed: f['seed'] as number, years: f['years'] as number[],
      workers: f['workers'] as number | undefined, rowsPerFile: f['rows-per-file'] as number, force: Boolean(f['force']),
      onTask: (_done, total, rows) => {
        p ??= new Progress('generate', total, (s) => process.stderr.write(s), ctx.isTTY);
        p.tick(1, rows);
      },
    });
    const secs = (performance.now() - t0) / 1000;
    ctx.out(`wrote ${lake}: ${formatCount(m.play_rows)} plays of ${m.users} users in ${m.files} files over ${m.partitions} arrival days (${(m.bytes / 2 ** 20).toFixed(1)} MiB)`);
    ctx.out(`catalog: ${m.catalog.tracks} tracks, ${m.catalog.artists} artists, ${m.catalog.albums} albums, ${m.catalog.aliases} aliases`);
    ctx.out(`in ${secs.toFixed(1)} s: ${formatCount(m.play_rows / secs)} plays/s`);
    return 0;
  },
};
