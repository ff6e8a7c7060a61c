import * as path from 'node:path';
import { invariant } from '../errors/invariant.ts';
import { CodeOrder } from '../kernels/code-order.ts';
import { TsOrder } from '../kernels/ts-order.ts';
import { writeFileAtomic } from '../lake/atomic-file.ts';
import { BucketWriter } from './bucket-writer.ts';
import { bucketFileName } from './filename-policy.ts';
import { KEY_BYTES, keyHash } from './key.ts';
import type { BucketFileInfo } from './metadata.ts';
import { RowBlock } from './row-block.ts';
import { SmbSource } from './smb-source.ts';
import { userRuns } from './user-runs.ts';

// The worker side of a roll-up (rollup.ts has the coordinator): kept apart so a
// worker does not load the pool (piscina) it never uses.

/** Per partition and id column: overflow index → the roll-up's overflow code (negative). */
export interface OverflowRemap {
  readonly track: readonly Int32Array[];
  readonly artist: readonly Int32Array[];
  readonly album: readonly Int32Array[];
}

export interface RollupTaskInput {
  readonly dirs: readonly string[];
  readonly smb?: string;
  readonly outDir: string;
  readonly bucket: number;
  readonly remap: OverflowRemap;
}

/** The opened inputs, kept per worker across its buckets (opening reads every partition's metadata.json). */
let opened: { key: string; source: SmbSource } | null = null;

/** Pool task: roll up one bucket (reads its files, sorts, writes one file). */
export function rollupTask(t: RollupTaskInput): BucketFileInfo {
  const key = `${t.outDir}\n${t.dirs.join('\n')}`;
  if (!opened || opened.key !== key) opened = { key, source: SmbSource.open(t.dirs, { strategy: 'min', smb: t.smb }) };
  return rollUpBucket(opened.source, t.bucket, t.remap, t.outDir);
}

/** The sorters' scratch, kept by the thread across buckets (fresh memory is slow to touch here). */
const tsOrder = new TsOrder();
const codeOrder = new CodeOrder();
/** The worker's writer, whose output buffer is reused from bucket to bucket (freed when the pool closes). */
const writer = new BucketWriter();

/** Rolls up logical bucket j of `source` into `outDir` (one file, written atomically). */
export function rollUpBucket(source: SmbSource, j: number, remap: OverflowRemap, outDir: string, bucketWriter = writer): BucketFileInfo {
  const inputs = source.readBucket(j);
  const total = inputs.reduce((s, x) => s + x.columns.n, 0);
  const block = new RowBlock();
  block.reserve(total);
  block.n = total;
  const start = new Int32Array(inputs.length);
  let at = 0;
  inputs.forEach((x, k) => {
    start[k] = at;
    const c = x.columns;
    const n = c.n;
    for (let i = 0; i < n; i++) {
      const ts = c.tsWords[2 * i + 1]! * 4294967296 + (c.tsWords[2 * i]! >>> 0);
      block.ts[at + i] = ts;
    }
    block.ms.set(c.ms, at);
    block.arrival.set(c.arrival, at);
    block.source.set(c.source, at);
    block.priv.set(c.priv, at);
    for (const col of ['track', 'artist', 'album'] as const) {
      const to = block[col], from = c[col], map = remap[col][x.partition]!;
      to.set(from, at);
      for (let i = 0; i < n; i++) if (from[i]! < 0) to[at + i] = map[-from[i]! - 1]!;
    }
    const device = Int32Array.from(c.device.dictionary, (s) => RowBlock.intern(block.devices, block.deviceIndex, s));
    const country = Int32Array.from(c.country.dictionary, (s) => RowBlock.intern(block.countries, block.countryIndex, s));
    for (let i = 0; i < n; i++) {
      block.device[at + i] = device[c.device.codes[i]!]!;
      block.country[at + i] = country[c.country.codes[i]!]!;
    }
    at += n;
  });
  // Users in key order (userRuns: no heap over ~330 day files). Each user's runs (one per input that has the user) are laid out
  // one after another in input order: that is already the order by (user, arrival), and
  // a row's index in the concatenation is its arrival-order tie-break.
  const order = new Uint32Array(total);
  let q = 0;
  const ur = userRuns(inputs);
  for (let g = 0; g < ur.users; g++) {
    const keyCols = inputs[ur.keyInput[g]!]!.columns;
    const u = block.internUser(keyCols.keys, ur.keyRow[g]! * KEY_BYTES, keyHash(keyCols.keys, ur.keyRow[g]!));
    const first = q;
    for (let r = ur.runStart[g]!; r < ur.runStart[g + 1]!; r++) {
      const base = start[ur.runs[3 * r]!]!;
      const e = base + ur.runs[3 * r + 2]!;
      block.user.fill(u, base + ur.runs[3 * r + 1]!, e);
      for (let i = base + ur.runs[3 * r + 1]!; i < e; i++) order[q++] = i;
    }
    // Then by ts within the user (stable: equal ts keep arrival order). Day files arrive
    // roughly in time order, so most rows already follow (TsOrder). Then, stably, by track
    // code: (track, ts, arrival order), ROLLUP_SORT_KEYS.
    tsOrder.sort(order, first, q, block.ts);
    codeOrder.sort(order, first, q, block.track);
  }
  invariant(q === total, () => `roll-up of bucket ${j}: ${total - q} rows belong to no key group`);
  const name = bucketFileName(j, source.numBuckets, 0, 1);
  const { bytes, buffers } = bucketWriter.encode(block, order, 0, total);
  writeFileAtomic(path.join(outDir, name), bytes);
  return { name, bucket: j, shard: 0, rows: total, bytes: bytes.length, buffers };
}
