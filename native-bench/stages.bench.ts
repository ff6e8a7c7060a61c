/**
 * Stages 2 and 3 (issue #5) on a completed stage-1 output, side by side:
 *   - enrich users/s; rank users/s with --ranks exact and --ranks sketch (their
 *     statement files must be byte-identical: checked before reporting);
 *   - the sketch's own rank error against the exact rank: for every listener of
 *     every artist with N >= K, |estimated share ahead − exact share ahead|, max
 *     and per threshold (listeners whose exact rank is within that threshold),
 *     and how many claims the sketch alone would have got wrong — why every
 *     emitted claim is checked against exact ranks.
 *
 *   node --import tsx native-bench/stages.bench.ts --run <out>/runs/<id> --lake L [--k 100] [--json]
 */
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { runEnrich } from '../stages/enrich/index.ts';
import { readAggregateMetadata } from '../stages/aggregate/metadata.ts';
import { runRank } from '../stages/rank/index.ts';
import { listenerCountTask } from '../stages/aggregate/listener-counts.ts';
import { collectTask, digestTask } from '../stages/rank/worker.ts';
import { THRESHOLDS_PERMILLE, smallestThreshold } from '../stages/rank/blurbs.ts';
import { ValueDigest } from '../engine/sketches/value-digest.ts';
import { treeHashesOf } from './tree-hash.ts';
import { benchArgs, printReport, type BenchRow } from './report.ts';

const args = benchArgs(process.argv.slice(2));
const runDir = path.resolve(args.get('run') ?? '');
const lake = path.resolve(args.get('lake') ?? '');
const K = Number(args.get('k') ?? 100);
const json = args.has('json');
const aggregateDir = path.join(runDir, 'aggregate');
const agg = readAggregateMetadata('bench', aggregateDir);
const tmp = fs.mkdtempSync(path.join(os.tmpdir(), 'wrapped-bench-stages-'));

try {
  const rows: BenchRow[] = [];
  let t = performance.now();
  const e = await runEnrich({ lake, aggregateDir, out: path.join(tmp, 'enrich') });
  rows.push({ name: 'enrich (2 workers)', rows: e.users, seconds: (performance.now() - t) / 1000, note: 'users/s' });
  const ranks: Record<string, number> = {};
  for (const mode of ['exact', 'sketch'] as const) {
    t = performance.now();
    const r = await runRank({ lake, aggregateDir, out: path.join(tmp, `rank-${mode}`), minListeners: K, mode });
    ranks[mode] = r.valuesCollected;
    rows.push({ name: `rank --ranks ${mode}`, rows: agg.users, seconds: (performance.now() - t) / 1000, note: `users/s; ${r.valuesCollected.toLocaleString('en-US')} values held, ${r.fallbackArtists} artists collected in full` });
  }
  // Check before reporting: both modes give the same statements.
  const strip = (m: Map<string, string>) => new Map([...m].filter(([f]) => f.endsWith('.ndjson')));
  const same = JSON.stringify([...strip(treeHashesOf(path.join(tmp, 'rank-exact')))]) === JSON.stringify([...strip(treeHashesOf(path.join(tmp, 'rank-sketch')))]);
  if (!same) throw new Error('rank exact and sketch outputs differ: not reporting');

  // Sketch error: merged digests vs every listener's exact position.
  const n = agg.num_buckets;
  const A = JSON.parse(fs.readFileSync(path.join(aggregateDir, 'artist_ids.json'), 'utf8')).length as number;
  const listeners = new Int32Array(A);
  for (let b = 0; b < n; b++) listeners.set(listenerCountTask({ aggregateDir, bucket: b, numBuckets: n, artists: A }).map((c, a) => c + listeners[a]!));
  const candidates = Uint8Array.from(listeners, (c) => (c >= K ? 1 : 0));
  const merged = new Map<number, ValueDigest>();
  const values = new Map<number, number[]>();
  const all = [new Float64Array(A).fill(-Infinity), new Float64Array(A).fill(-Infinity)] as const;
  for (let b = 0; b < n; b++) {
    const ref = { aggregateDir, bucket: b, numBuckets: n };
    const d = digestTask({ ...ref, candidates });
    d.artists.forEach((a, i) => {
      let m = merged.get(a);
      if (!m) merged.set(a, (m = new ValueDigest()));
      m.merge(d.digests[0][i]!);
    });
    const c = collectTask({ ...ref, candidates, cuts: all });
    c.artists[0].forEach((a, i) => {
      let v = values.get(a);
      if (!v) values.set(a, (v = []));
      v.push(c.values[0][i]!);
    });
  }
  let maxErr = 0, pairs = 0;
  const perT = new Map<number, { max: number; n: number; wrong: number; missed: number }>(THRESHOLDS_PERMILLE.map((p) => [p, { max: 0, n: 0, wrong: 0, missed: 0 }]));
  for (const [a, vs] of values) {
    const d = merged.get(a)!;
    const sorted = Float64Array.from(vs).sort();
    const N = sorted.length;
    for (let i = 0; i < N; i++) {
      const v = sorted[i]!;
      let hi = i;
      while (hi < N && sorted[hi] === v) hi++;
      const exactAhead = (N - hi) / N;
      const estAhead = 1 - d.shareBelow(v);
      const err = Math.abs(estAhead - exactAhead);
      maxErr = Math.max(maxErr, err);
      pairs++;
      const tExact = smallestThreshold(N - hi + 1, N);
      const tSketch = smallestThreshold(Math.max(1, Math.round(estAhead * N) + 1), N);
      for (const p of THRESHOLDS_PERMILLE) {
        const s = perT.get(p)!;
        if (tExact !== null && tExact <= p) (s.n++, (s.max = Math.max(s.max, err)));
        if (tSketch === p && tExact !== p) tExact === null || tExact > p ? s.wrong++ : s.missed++;
      }
    }
  }
  printReport('Stages 2 and 3 (enrich, rank) on a stage-1 output', rows, json, {
    run: runDir, users: agg.users, min_listeners: K, values_exact: ranks['exact'], values_sketch: ranks['sketch'],
    memory_ratio_sketch_vs_exact: ((ranks['sketch'] ?? 0) / Math.max(1, ranks['exact'] ?? 1)).toFixed(3),
    check: 'exact and sketch statements byte-identical',
  });
  const errRows = [...perT].map(([p, s]) => ({ threshold_pct: p / 10, listeners: s.n, max_share_error: Number(s.max.toFixed(5)), sketch_claims_wrong: s.wrong, sketch_claims_too_weak: s.missed }));
  if (json) process.stdout.write(JSON.stringify({ sketch_rank_error: { pairs, max_share_error: maxErr, per_threshold: errRows } }, null, 2) + '\n');
  else {
    process.stdout.write(`\nSketch rank error (share of listeners ahead, estimated vs exact) over ${pairs.toLocaleString('en-US')} (user, artist) pairs: max ${maxErr.toFixed(5)}\n`);
    process.stdout.write('  threshold  listeners within  max error  claims the sketch alone would make falsely  / too weak\n');
    for (const r of errRows) process.stdout.write(`  ${String(r.threshold_pct + '%').padStart(9)}  ${String(r.listeners).padStart(16)}  ${r.max_share_error.toFixed(5).padStart(9)}  ${String(r.sketch_claims_wrong).padStart(42)}  / ${r.sketch_claims_too_weak}\n`);
  }
} finally {
  fs.rmSync(tmp, { recursive: true, force: true });
}
