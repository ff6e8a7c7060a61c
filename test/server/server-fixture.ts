import * as fs from 'node:fs';
import * as path from 'node:path';
import { generateLake } from '../../fixtures/sample-year/generate.ts';
import { runPipeline } from '../../stages/run/index.ts';

/** A small published run with cards, for the server tests: 60 users, 4 buckets. */
export async function publishedFixture(dir: string): Promise<{ out: string; eligible: string[]; ineligible: string[]; regionOf: Map<string, string> }> {
  const lake = path.join(dir, 'lake');
  const out = path.join(dir, 'out');
  await generateLake({ lake, users: 60, seed: 12, years: [2025] });
  await runPipeline({ lake, out, year: 2025, buckets: 4, minListeners: 5, cards: true });
  const rows = fs.readFileSync(path.join(out, 'current', 'wrapped', '2025', '_index.tsv'), 'utf8').trim().split('\n').slice(1).map((l) => l.split('\t'));
  return {
    out,
    eligible: rows.filter((r) => r[5] === '1').map((r) => r[0]!),
    ineligible: rows.filter((r) => r[5] === '0').map((r) => r[0]!),
    regionOf: new Map(rows.map((r) => [r[0]!, r[6]!])),
  };
}
