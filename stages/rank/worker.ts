import * as fs from 'node:fs';
import * as path from 'node:path';
import * as arrow from 'apache-arrow';
import { textAt } from '../../engine/columns/string-table.ts';
import { writeFileAtomic } from '../../engine/lake/atomic-file.ts';
import { ValueDigest } from '../../engine/sketches/value-digest.ts';
import { compareKeys, KEY_BYTES, keyToHex } from '../../engine/smb/key.ts';
import { aggregateTablePath, tableColumn } from '../aggregate/output.ts';
import { TOP_ARTISTS } from '../aggregate/user-accumulator.ts';
import { earlyFanBlurb, smallestThreshold, topListenerBlurb, type Blurb } from './blurbs.ts';
import type { BlurbResult, BlurbTask, CollectResult, CollectTask, DigestResult, DigestTask, SortTask } from './messages.ts';

/** Statements are made for each of a user's top 5 artists (SPEC §4). */
export const RANKED_TOP = 5;

export const rankFileName = (bucket: number, numBuckets: number) => `bucket-${String(bucket).padStart(5, '0')}-of-${String(numBuckets).padStart(5, '0')}.ndjson`;

function artistsTable(t: { aggregateDir: string; bucket: number; numBuckets: number }) {
  const tb = arrow.tableFromIPC(fs.readFileSync(aggregateTablePath(t.aggregateDir, 'artists', t.bucket, t.numBuckets)));
  return {
    rows: tb.numRows,
    keys: tableColumn<Uint8Array>(tb, 'user_key'),
    rank: tableColumn<Int32Array>(tb, 'rank'),
    artist: tableColumn<Int32Array>(tb, 'artist'),
    ms: tableColumn<Float64Array>(tb, 'ms'),
    first: tableColumn<Float64Array>(tb, 'first_stream_ts'),
  };
}

/** Measure m of row i: ms, or −first stream ts (−∞ without a stream). */
const measure = (a: ReturnType<typeof artistsTable>, m: number, i: number) => (m === 0 ? a.ms[i]! : -a.first[i]!);

export function collectTask(t: CollectTask): CollectResult {
  const a = artistsTable(t);
  // Typed arrays of the table's size, trimmed once: no per-row push into JS arrays.
  const out = [0, 1].map((m) => {
    const artists = new Int32Array(a.rows);
    const values = new Float64Array(a.rows);
    const cut = t.cuts[m]!;
    let k = 0;
    for (let i = 0; i < a.rows; i++) {
      const x = a.artist[i]!;
      if (t.candidates[x] === 0) continue;
      const v = m === 0 ? a.ms[i]! : -a.first[i]!;
      if (v >= cut[x]!) (artists[k] = x), (values[k++] = v);
    }
    return { artists: artists.slice(0, k), values: values.slice(0, k) };
  });
  return { artists: [out[0]!.artists, out[1]!.artists], values: [out[0]!.values, out[1]!.values] };
}

export function digestTask(t: DigestTask): DigestResult {
  const a = artistsTable(t);
  const digests = [new Map<number, ValueDigest>(), new Map<number, ValueDigest>()];
  for (let i = 0; i < a.rows; i++) {
    const x = a.artist[i]!;
    if (t.candidates[x] === 0) continue;
    for (let m = 0; m < 2; m++) {
      let d = digests[m]!.get(x);
      if (!d) digests[m]!.set(x, (d = new ValueDigest()));
      // −∞ (no stream) cannot sit in a digest: it sorts below everything, so the lowest finite stand-in does.
      d.push(Math.max(measure(a, m, i), -Number.MAX_VALUE));
    }
  }
  const artists = Int32Array.from([...digests[0]!.keys()]);
  return { artists, digests: [Array.from(artists, (x) => digests[0]!.get(x)!.centroids()), Array.from(artists, (x) => digests[1]!.get(x)!.centroids())] };
}

export function sortTask(t: SortTask): number {
  for (let a = t.from; a < t.to; a++) t.values.subarray(t.offsets[a]!, t.offsets[a + 1]!).sort();
  return t.to - t.from;
}

/** First index in sorted [lo, hi) with values[i] > v (strict) or >= v. */
function bound(values: Float64Array, lo: number, hi: number, v: number, strict: boolean): number {
  while (lo < hi) {
    const mid = (lo + hi) >>> 1;
    if (strict ? values[mid]! <= v : values[mid]! < v) lo = mid + 1;
    else hi = mid;
  }
  return lo;
}

/**
 * Exact rank of value v among artist x's listeners, from the collected values
 * (those >= the artist's cut): strict counts listeners with more (top
 * listener), inclusive counts listeners at or above v, the user included
 * (early fan). Null when v is below the cut: then at least the 10% of listeners
 * above the cut rank ahead, and no statement is due.
 */
export function exactRank(x: number, v: number, strict: boolean, mv: BlurbTask['measures'][number]): number | null {
  if (!(v >= mv.cuts[x]!)) return null;
  const lo = mv.offsets[x]!, hi = mv.offsets[x + 1]!;
  const above = hi - bound(mv.values, lo, hi, v, strict);
  return strict ? 1 + above : above;
}

export function blurbTask(t: BlurbTask): BlurbResult {
  const t0 = performance.now();
  const a = artistsTable(t);
  const users = arrow.tableFromIPC(fs.readFileSync(aggregateTablePath(t.aggregateDir, 'users', t.bucket, t.numBuckets)));
  const ukeys = tableColumn<Uint8Array>(users, 'user_key');
  const eligible = tableColumn<Int32Array>(users, 'eligible');
  const statements: Record<string, number> = {};
  const lines: string[] = [];
  let row = 0;
  for (let u = 0; u < users.numRows; u++) {
    const user = keyToHex(ukeys, u * KEY_BYTES);
    // The artists table is in user order too: skip to this user's rows.
    while (row < a.rows && compareKeys(a.keys, row, ukeys, u) < 0) row++;
    const start = row;
    while (row < a.rows && a.rank[row]! <= TOP_ARTISTS && compareKeys(a.keys, row, ukeys, u) === 0) row++;
    if (eligible[u] !== 1) continue;
    const top: Blurb[] = [], early: Blurb[] = [];
    for (let i = start; i < row && a.rank[i]! <= RANKED_TOP; i++) {
      const x = a.artist[i]!, n = t.listeners[x]!;
      if (n < t.minListeners) continue;
      const id = textAt(t.text.artistIds, x), name = textAt(t.text.artistNames, x);
      const r = exactRank(x, a.ms[i]!, true, t.measures[0]);
      const tr = r === null ? null : smallestThreshold(r, n);
      if (tr !== null) top.push(topListenerBlurb(id, name, tr));
      if (Number.isFinite(a.first[i]!)) {
        const re = exactRank(x, -a.first[i]!, false, t.measures[1]);
        const te = re === null ? null : smallestThreshold(re, n);
        if (te !== null) early.push(earlyFanBlurb(id, name, te));
      }
    }
    for (const b of [...top, ...early]) {
      const k = `${b.kind}:${Math.round(b.threshold_pct * 10)}`;
      statements[k] = (statements[k] ?? 0) + 1;
    }
    lines.push(JSON.stringify({ user_id: user, global_rank_blurbs: top, early_fan_blurbs: early }));
  }
  writeFileAtomic(path.join(t.outDir, rankFileName(t.bucket, t.numBuckets)), lines.length ? lines.join('\n') + '\n' : '');
  return { users: lines.length, statements, ms: performance.now() - t0 };
}

