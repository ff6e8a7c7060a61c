import * as path from 'node:path';
import { generateLake } from '../../../fixtures/sample-year/generate.ts';
import { bucketLake } from '../../smb/bucket-lake.ts';
import { runAggregate } from '../../../stages/aggregate/index.ts';
import type { Command } from '../command.ts';
import { formatCount } from '../progress.ts';

export const demoCommand: Command = {
  name: 'demo',
  summary: 'generate a small sample year and run everything built so far on it',
  description: [
    'The newcomer command: generates a small seeded year into --dir and runs the',
    'pipeline on it. Grows as stages land; today: generate, bucket (SMB), and stage 1 (aggregate) for 2025.',
  ].join('\n'),
  flags: [
    { name: 'dir', kind: 'string', value: 'DIR', default: '.tmp/demo', help: 'working directory for the lake and outputs' },
    { name: 'users', kind: 'int', value: 'N', default: 500, min: 1, max: 100_000, help: 'number of users in the sample year' },
    { name: 'seed', kind: 'int', value: 'S', default: 2025, min: 0, help: 'random seed' },
  ],
  async run(f, ctx) {
    const dir = path.resolve(String(f['dir']));
    const lake = path.join(dir, 'lake');
    ctx.err(`demo: generating ${f['users']} users into ${lake} …`);
    const t0 = performance.now();
    const m = await generateLake({ lake, users: f['users'] as number, seed: f['seed'] as number, years: [2025, 2026], force: true });
    const secs = (performance.now() - t0) / 1000;
    ctx.out(`demo: wrote a sample lake with ${formatCount(m.play_rows)} plays of ${m.users} users (${m.files} Parquet files, ${secs.toFixed(1)} s)`);
    ctx.out(`  plays:    ${path.join(lake, 'plays')}  (arrival days ${m.arrival_days.first} … ${m.arrival_days.last})`);
    ctx.out(`  catalog:  ${path.join(lake, 'catalog')}  (${m.catalog.tracks} tracks, ${m.catalog.artists} artists)`);
    ctx.out(`  users:    ${path.join(lake, 'users.parquet')}`);
    ctx.out(`  manifest: ${path.join(lake, '_generator.json')}  (anomalies by kind)`);
    const smb = path.join(dir, 'smb');
    ctx.err(`demo: bucketing the lake into ${smb} …`);
    const t1 = performance.now();
    const b = await bucketLake({ lake, smb });
    ctx.out(`demo: bucketed ${b.partitions} arrival days into SMB layout (${formatCount(b.rows)} rows, ${b.rejects} malformed rows rejected, ${((performance.now() - t1) / 1000).toFixed(1)} s)`);
    ctx.out(`  smb:      ${path.join(smb, 'plays')}  (64 Arrow IPC buckets per day; format in docs/smb-format.md)`);
    const out = path.join(dir, 'out', 'aggregate');
    ctx.err('demo: stage 1 (aggregate) for 2025 …');
    const r = await runAggregate({ lake, smb, out, year: 2025 });
    ctx.out(`demo: aggregated 2025: ${r.users} users with plays, ${r.eligible} eligible for a Wrapped, ${formatCount(r.rows)} rows in ${r.seconds.toFixed(1)} s`);
    ctx.out(`  skipped:  ${Object.entries(r.skips).map(([k, v]) => `${k} ${v}`).join(', ')}`);
    ctx.out(`  stage 1:  ${out}  (per-bucket Arrow tables; docs/stage-outputs.md)`);
    ctx.out('Enrich, rank, package (documents, cards) and the server are not built yet; see the README.');
    return 0;
  },
};
