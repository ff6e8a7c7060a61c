import * as fs from 'node:fs';
import * as path from 'node:path';
import * as arrow from 'apache-arrow';
import { writeFileAtomic } from '../lake/parquet-io.ts';
import type { RejectReason } from '../lake/play-schema.ts';
import { bufferIndexOf, tsAt } from './bucket-file.ts';
import { BucketWriter } from './bucket-writer.ts';
import { bucketFileName, METADATA_FILE, REJECTS_FILE } from './filename-policy.ts';
import { KEY_BYTES, keyToHex } from './key.ts';
import { forEachKeyGroup } from './key-group-iterator.ts';
import { writeMetadata, type BucketFileInfo, type BucketMetadata } from './metadata.ts';
import { murmur3_32 } from './murmur3.ts';
import { RowBlock } from './row-block.ts';
import { SmbSource } from './smb-source.ts';

/**
 * Rolls several SMB partitions (e.g. the seven days of a week) up into one,
 * bucket by bucket with the same bucketing (read → merge → write; the SMB
 * transform). Rows keep their arrival_day, so every SPEC §3 rule can still be
 * applied to the roll-up exactly as to the days it replaces.
 *
 * Why rows and not per-(user, track) sums: SPEC §3 counts duplicates once
 * "wherever they sit in the lake", and a re-sent play can land in the next
 * week; a partial sum cannot tell a duplicate from a second play, a row can.
 * The roll-up's win is fewer, larger files (7 × buckets → buckets per week).
 */
export function rollUpPartitions(inputDirs: readonly string[], outDir: string, options: { smb?: string } = {}): BucketMetadata {
  const source = SmbSource.open(inputDirs, { strategy: 'min', smb: options.smb });
  const parts = source.partitions;
  fs.rmSync(outDir, { recursive: true, force: true });
  fs.mkdirSync(outDir, { recursive: true });
  const writer = new BucketWriter();
  const files: BucketFileInfo[] = [];
  const overflow = { track: [] as string[], artist: [] as string[], album: [] as string[] };
  const overflowIndex = { track: new Map<string, number>(), artist: new Map<string, number>(), album: new Map<string, number>() };
  const remapCode = (p: number, col: 'track' | 'artist' | 'album', code: number) =>
    code >= 0 ? code : -(RowBlock.intern(overflow[col], overflowIndex[col], parts[p]!.metadata.overflow[col][-code - 1]!) + 1);
  let rows = 0;
  for (let j = 0; j < source.numBuckets; j++) {
    const inputs = source.readBucket(j);
    const block = new RowBlock();
    const deviceOf = inputs.map((x) => Int32Array.from(x.columns.device.dictionary, (s) => RowBlock.intern(block.devices, block.deviceIndex, s)));
    const countryOf = inputs.map((x) => Int32Array.from(x.columns.country.dictionary, (s) => RowBlock.intern(block.countries, block.countryIndex, s)));
    const cursor = new Int32Array(inputs.length);
    forEachKeyGroup(inputs, (g) => {
      const keyCols = inputs[g.keyInput]!.columns;
      const key = keyCols.keys.subarray(g.keyRow * KEY_BYTES, (g.keyRow + 1) * KEY_BYTES);
      const user = block.internUser(keyToHex(key), key, murmur3_32(key, 0, KEY_BYTES, 0));
      // Merge the group's ranges by ts; ties go to the earlier input (arrival order), then row order.
      for (let r = 0; r < g.count; r++) cursor[r] = g.ranges[3 * r + 1]!;
      for (;;) {
        let best = -1;
        let bestTs = Infinity;
        for (let r = 0; r < g.count; r++) {
          if (cursor[r]! >= g.ranges[3 * r + 2]!) continue;
          const t = tsAt(inputs[g.ranges[3 * r]!]!.columns, cursor[r]!);
          if (t < bestTs) {
            bestTs = t;
            best = r;
          }
        }
        if (best < 0) break;
        const x = g.ranges[3 * best]!;
        const i = cursor[best]!++;
        const c = inputs[x]!.columns;
        const p = inputs[x]!.partition;
        block.reserve(1);
        const k = block.n++;
        block.user[k] = user;
        block.ts[k] = bestTs;
        block.track[k] = remapCode(p, 'track', c.track[i]!);
        block.artist[k] = remapCode(p, 'artist', c.artist[i]!);
        block.album[k] = remapCode(p, 'album', c.album[i]!);
        block.ms[k] = c.ms[i]!;
        block.arrival[k] = c.arrival[i]!;
        block.source[k] = c.source[i]!;
        block.priv[k] = c.priv[i]!;
        block.device[k] = deviceOf[x]![c.device.codes[i]!]!;
        block.country[k] = countryOf[x]![c.country.codes[i]!]!;
      }
    });
    const order = new Uint32Array(block.n);
    for (let i = 0; i < block.n; i++) order[i] = i;
    const name = bucketFileName(j, source.numBuckets, 0, 1);
    const bytes = writer.encode(block, order, 0, block.n);
    writeFileAtomic(path.join(outDir, name), bytes);
    files.push({ name, bucket: j, shard: 0, rows: block.n, bytes: bytes.length, buffers: bufferIndexOf(bytes, block.n) });
    rows += block.n;
  }
  // Rejects travel with the roll-up: the rows, and their counts.
  const rejectTables = parts.map((p) => arrow.tableFromIPC(fs.readFileSync(path.join(p.dir, REJECTS_FILE)))).filter((t) => t.numRows > 0);
  const rejectsTable = rejectTables.length > 0 ? rejectTables.reduce((a, b) => a.concat(b)) : arrow.tableFromIPC(fs.readFileSync(path.join(parts[0]!.dir, REJECTS_FILE)));
  writeFileAtomic(path.join(outDir, REJECTS_FILE), arrow.tableToIPC(rejectsTable, 'file'));
  const rejects: Partial<Record<RejectReason, number>> = {};
  for (const p of parts) for (const [k, v] of Object.entries(p.metadata.rejects) as Array<[RejectReason, number]>) rejects[k] = (rejects[k] ?? 0) + v;
  const latest = (col: 'track' | 'artist' | 'album') => parts.map((p) => p.metadata.dictionaries[col]).reduce((a, b) => (b.version > a.version ? b : a));
  const first = parts[0]!.metadata;
  const metadata: BucketMetadata = {
    ...first,
    numBuckets: source.numBuckets, numShards: 1,
    dictionaries: { track: latest('track'), artist: latest('artist'), album: latest('album') },
    overflow,
    arrivalDays: { first: Math.min(...parts.map((p) => p.metadata.arrivalDays.first)), last: Math.max(...parts.map((p) => p.metadata.arrivalDays.last)) },
    rows, rejects, files,
    inputs: parts.map((p) => ({ path: p.dir, bytes: fs.statSync(path.join(p.dir, METADATA_FILE)).size })),
  };
  writeMetadata(outDir, metadata);
  return metadata;
}
