/**
 * Micro benchmarks (tinybench) for the kernels and hot paths. Each declares the
 * items one call handles, checks its result against a reference before it is
 * timed (a fast wrong answer fails the suite), then warms up and runs.
 */
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { gunzipSync, gzipSync } from 'fflate';
import { Bench } from 'tinybench';
import { mulberry32 } from '../../fixtures/sample-year/rng.ts';
import { sortByRankThenTs } from '../../engine/kernels/rank-ts-sort.ts';
import { TsOrder } from '../../engine/kernels/ts-order.ts';
import { topK } from '../../engine/kernels/top-k.ts';
import { TopKByKey } from '../../engine/kernels/top-k-by-key.ts';
import { radixSortByRankThenOffset } from './radix-sort-baseline.ts';
import { userRanksByComparator } from './user-ranks-baseline.ts';
import { IdIndexBaseline } from './id-index-baseline.ts';
import { encodeAggregateBucketBaseline } from './aggregate-output-baseline.ts';
import { AGGREGATE_TABLES, encodeAggregateBucket, type BucketPart } from '../../stages/aggregate/output.ts';
import { SummaryColumns } from '../../stages/aggregate/summary-columns.ts';
import { FEATURES } from '../../engine/catalog/features.ts';
import { IdByteIndex } from '../../engine/smb/id-byte-index.ts';
import { stringTable } from '../../engine/columns/string-table.ts';
import { BASE62_ALPHABET } from '../../engine/lake/id-format.ts';
import { userRanks } from '../../engine/smb/user-order.ts';
import { encodeRejectsFile, rejectsFileBytes } from '../../engine/smb/rejects-file.ts';
import { mmapAddon } from '../../engine/memory/mmap-file.ts';
import { readFilesInto, SabPool } from '../../engine/memory/sab-pool.ts';
import { ValueDigest } from '../../engine/sketches/value-digest.ts';
import { bucketOfHash, KEY_BYTES, keyHash } from '../../engine/smb/key.ts';
import { BucketWriter } from '../../engine/smb/bucket-writer.ts';
import { bucketColumns, tsAt } from '../../engine/smb/bucket-file.ts';
import { RowBlock } from '../../engine/smb/row-block.ts';
import { murmur3_32 } from '../../engine/smb/murmur3.ts';
import type { StageCatalog } from '../../engine/catalog/stage-catalog.ts';
import { UserAccumulator, type PlayColumns, type UserSummary } from '../../stages/aggregate/user-accumulator.ts';
import { yearWindow } from '../../stages/aggregate/year-window.ts';
import { renderCard } from '../../stages/package/card-render.ts';
import { finalDocument } from '../../stages/package/final-document.ts';
import type { StoryCard } from '../../stages/package/story-card.ts';
import { referenceUser, type RefCatalog } from '../../test/reference/stage1-reference.ts';

export interface MicroResult {
  readonly name: string;
  /** Items one call handles (keys, rows, plays, documents…) and what they are. */
  readonly items: number;
  readonly unit: string;
  readonly opsPerS: number;
  readonly itemsPerS: number;
  readonly rme: number;
}

interface Micro {
  readonly name: string;
  readonly items: number;
  readonly unit: string;
  /** Returns a problem, or null when the result matches the reference. */
  readonly check: () => string | null;
  readonly fn: () => unknown;
}

const rng = mulberry32;

function hashBench(): Micro {
  const n = 100_000;
  const r = rng(1);
  const keys = Uint8Array.from({ length: n * KEY_BYTES }, () => Math.floor(r() * 256));
  const buckets = new Uint32Array(n);
  return {
    name: 'SMB bucket hash (murmur3_32 over 16-byte keys)', items: n, unit: 'keys',
    // Published MurmurHash3 x86_32 vectors, then the bucket of every key computed.
    check: () => {
      const enc = (s: string) => new TextEncoder().encode(s);
      const vectors: Array<[string, number, number]> = [['', 0, 0], ['', 1, 0x514e28b7], ['hello', 0, 0x248bfa47], ['The quick brown fox jumps over the lazy dog', 0, 0x2e4ff723]];
      for (const [s, seed, want] of vectors) if (murmur3_32(enc(s), 0, enc(s).length, seed) >>> 0 !== want) return `murmur3_32('${s}', ${seed}) wrong`;
      return null;
    },
    fn: () => {
      for (let i = 0; i < n; i++) buckets[i] = murmur3_32(keys, i * KEY_BYTES, KEY_BYTES, 0) & 63;
    },
  };
}

/**
 * Bucketing's sort of a partition's rows by (user rank, ts): the counting sort
 * + per-user TsOrder it uses, and the 8-pass radix sort it replaced as the
 * baseline, on rows shaped like a day file's (users interleaved, each user's
 * rows in time order but for 2% late ones) and on rows in no order at all.
 */
function sortBenches(): Micro[] {
  const n = 200_000, users = 5000;
  const r = rng(2);
  const user = Int32Array.from({ length: n }, () => Math.floor(r() * users));
  const rank = Int32Array.from({ length: users }, (_, i) => i);
  for (let i = users - 1; i > 0; i--) {
    const j = Math.floor(r() * (i + 1));
    [rank[i], rank[j]] = [rank[j]!, rank[i]!];
  }
  const dayFile = Float64Array.from({ length: n }, (_, i) => 1_735_689_600_000 + Math.floor(i * 400 - (r() < 0.02 ? r() * 3_600_000 : 0)));
  const shuffled = Float64Array.from({ length: n }, () => 1_735_689_600_000 + Math.floor(r() * 86_400_000));
  const tsOrder = new TsOrder();
  const out: Micro[] = [];
  for (const [shape, ts] of [['day-file order', dayFile], ['no order', shuffled]] as const) {
    const major = Int32Array.from(user, (u) => rank[u]!);
    const want = Array.from({ length: n }, (_, i) => i).sort((a, b) => major[a]! - major[b]! || ts[a]! - ts[b]! || a - b);
    const same = (got: Uint32Array) => (got.every((x, i) => x === want[i]) ? null : 'order differs from a stable comparison sort');
    const min = ts.reduce((m, x) => Math.min(m, x), Infinity);
    const minor = Float64Array.from(ts, (x) => x - min);
    out.push({
      name: `sort rows by (user rank, ts), ${shape}: counting sort + TsOrder`, items: n, unit: 'rows',
      check: () => same(sortByRankThenTs(n, user, rank, ts, tsOrder)),
      fn: () => sortByRankThenTs(n, user, rank, ts, tsOrder),
    }, {
      name: `sort rows by (user rank, ts), ${shape}: radix sort (baseline)`, items: n, unit: 'rows',
      check: () => same(radixSortByRankThenOffset(n, major, minor)),
      fn: () => radixSortByRankThenOffset(n, Int32Array.from(user, (u) => rank[u]!), minor),
    });
  }
  return out;
}

/**
 * A bucketed partition's fixed costs: ranking its ~1,500 users by (bucket, key)
 * (the packed native sort beside the comparator sort it replaced), and its
 * rejects.arrow when no row was rejected (copied bytes beside Arrow's builders).
 */
function partitionBenches(): Micro[] {
  const n = 1500, buckets = 8;
  const r = rng(3);
  const keys = Uint8Array.from({ length: n * KEY_BYTES }, () => Math.floor(r() * 256));
  const hashes = Uint32Array.from({ length: n }, () => Math.floor(r() * 2 ** 32));
  const want = userRanksByComparator(keys, hashes, n, buckets);
  const sameRanks = (got: Int32Array) => (got.every((x, i) => x === want[i]) ? null : 'ranks differ from the comparator sort');
  const emptyFile = encodeRejectsFile([]);
  const sameBytes = (got: Uint8Array) => (Buffer.from(got).equals(Buffer.from(emptyFile)) ? null : 'bytes differ from Arrow\'s empty rejects file');
  return [
    { name: 'rank a partition\'s users by (bucket, key): packed native sort', items: n, unit: 'users', check: () => sameRanks(userRanks(keys, hashes, n, buckets)), fn: () => userRanks(keys, hashes, n, buckets) },
    { name: 'rank a partition\'s users by (bucket, key): comparator sort (baseline)', items: n, unit: 'users', check: () => sameRanks(userRanksByComparator(keys, hashes, n, buckets)), fn: () => userRanksByComparator(keys, hashes, n, buckets) },
    { name: 'empty rejects.arrow: bytes encoded once, copied', items: 1, unit: 'files', check: () => sameBytes(rejectsFileBytes([])), fn: () => rejectsFileBytes([]) },
    { name: 'empty rejects.arrow: Arrow builders and writer (baseline)', items: 1, unit: 'files', check: () => sameBytes(encodeRejectsFile([])), fn: () => encodeRejectsFile([]) },
  ];
}

/**
 * Writing a day's bucket files: blocks shaped like a day (28,000 rows of 1,500
 * interleaved users, in time order) sorted by (bucket, user, ts) and cut into
 * 8 files, encoded by one `encodeRanges` call (column at a time across the
 * files, into the writer's reused buffer) beside one `encode` call per file
 * (baseline). Each call takes the next of six blocks, as bucketing meets a new
 * block every partition: with one block, hot in the core's cache, the
 * baseline was the faster (12.5 M against 7.4 M rows/s), the reverse of what
 * a profile of bucketing shows. Checked: the same bytes both ways, and a file
 * read back gives its rows' ts and users.
 */
function writerBenches(): Micro[] {
  const n = 28_000, users = 1500, buckets = 8;
  const r = rng(4);
  const day = () => {
    const b = new RowBlock();
    const key = new Uint8Array(KEY_BYTES);
    for (let u = 0; u < users; u++) {
      for (let k = 0; k < KEY_BYTES; k++) key[k] = Math.floor(r() * 256);
      b.internUser(key, 0, keyHash(key, 0));
    }
    b.reserve(n);
    for (let i = 0; i < n; i++) {
      b.user[i] = Math.floor(r() * users);
      b.ts[i] = 1_735_689_600_000 + i * 3000;
      b.track[i] = Math.floor(r() * 45_000);
      b.artist[i] = Math.floor(r() * 2400);
      b.album[i] = Math.floor(r() * 5600);
      b.ms[i] = Math.floor(r() * 300_000);
      b.arrival[i] = 20_089;
      b.source[i] = Math.floor(r() * 7);
      b.priv[i] = r() < 0.1 ? 1 : 0;
      b.device[i] = RowBlock.intern(b.devices, b.deviceIndex, ['smartphone', 'desktop', 'tv', 'web'][Math.floor(r() * 4)]!);
      b.country[i] = RowBlock.intern(b.countries, b.countryIndex, `C${Math.floor(r() * 40)}`);
    }
    b.n = n;
    const order = sortByRankThenTs(n, b.user, userRanks(b.userKeys, b.userHash, users, buckets), b.ts);
    const bounds = [0];
    for (let q = 0, end = 0; q < buckets; q++) {
      while (end < n && bucketOfHash(b.userHash[b.user[order[end]!]!]!, buckets) === q) end++;
      bounds.push(end);
    }
    return { b, order, bounds };
  };
  const days = Array.from({ length: 6 }, day);
  const together = new BucketWriter(), alone = new BucketWriter();
  let nextTogether = 0, nextAlone = 0;
  const check = (): string | null => {
    for (const { b, order, bounds } of days) {
      // Copied as they come: a file's bytes are valid until the writer's next call.
      const want = Array.from({ length: buckets }, (_, k) => Buffer.from(alone.encode(b, order, bounds[k]!, bounds[k + 1]!).bytes));
      const got = together.encodeRanges(b, order, bounds);
      const k0 = got.findIndex((f, k) => !Buffer.from(f.bytes).equals(want[k]!));
      if (k0 >= 0) return `file ${k0}: encodeRanges gave ${got[k0]!.bytes.length} bytes, expected the ${want[k0]!.length} that encode of the range alone gives, byte for byte`;
      const k = 3, rows = bounds[k + 1]! - bounds[k]!;
      const c = bucketColumns('check.arrow', want[k]!, rows);
      for (let i = 0; i < rows; i++) {
        const row = order[bounds[k]! + i]!, u = b.user[row]!;
        if (tsAt(c, i) !== b.ts[row]) return `file ${k} row ${i}: read back ts ${tsAt(c, i)}, expected ${b.ts[row]} (block row ${row})`;
        const readKey = Buffer.from(c.keys.subarray(i * KEY_BYTES, (i + 1) * KEY_BYTES)), userKey = Buffer.from(b.userKeys.subarray(u * KEY_BYTES, (u + 1) * KEY_BYTES));
        if (!readKey.equals(userKey)) return `file ${k} row ${i}: read back key ${readKey.toString('hex')}, expected ${userKey.toString('hex')} (block row ${row})`;
      }
    }
    return null;
  };
  return [{
    name: 'write a day\'s 8 bucket files: one call, column at a time, reused buffer', items: n, unit: 'rows', check,
    fn: () => {
      const { b, order, bounds } = days[nextTogether++ % days.length]!;
      return together.encodeRanges(b, order, bounds).length;
    },
  }, {
    name: 'write a day\'s 8 bucket files: one call per file (baseline)', items: n, unit: 'rows', check,
    fn: () => {
      const { b, order, bounds } = days[nextAlone++ % days.length]!;
      let bytes = 0;
      for (let k = 0; k < buckets; k++) bytes += alone.encode(b, order, bounds[k]!, bounds[k + 1]!).bytes.length;
      return bytes;
    },
  }];
}

/**
 * Bucketing's id lookups: a day file's track dictionary (9,600 ids, a few not in
 * the dictionary) looked up in a 45,500-id dictionary, as in the 2,000-user
 * year. Hot: the table stays in cache from call to call. Then each call after
 * 8 MiB of other memory is touched, as bucketing's other work does between
 * files (the same touch in both variants, so its cost dilutes the ratio).
 */
function idLookupBenches(): Micro[] {
  const r = rng(19);
  const id = () => Array.from({ length: 22 }, () => BASE62_ALPHABET[Math.floor(r() * 62)]).join('');
  const ids = Array.from({ length: 45_500 }, id);
  const file = Array.from({ length: 9_600 }, (_, k) => (k % 100 === 99 ? id() : ids[Math.floor(r() * ids.length)]!));
  const { bytes, offsets } = stringTable(file);
  const code = new Map(ids.map((x, c) => [x, c]));
  const want = Int32Array.from(file, (x) => code.get(x) ?? -1);
  const index = IdByteIndex.of(ids), baseline = IdIndexBaseline.of(ids);
  const junk = new Float64Array((8 << 20) / 8);
  const lookAll = (ix: { get(b: Uint8Array, at: number): number }, out: Int32Array) => {
    for (let k = 0; k < out.length; k++) out[k] = ix.get(bytes, offsets[k]!);
    return out;
  };
  const touch = () => {
    for (let i = 0; i < junk.length; i += 8) junk[i]! += 1;
  };
  const out = new Int32Array(file.length);
  const check = (ix: { get(b: Uint8Array, at: number): number }) => () => {
    const got = lookAll(ix, new Int32Array(file.length));
    const k = got.findIndex((c, i) => c !== want[i]);
    return k < 0 ? null : `entry ${k} (${file[k]}): code ${got[k]}, expected ${want[k]}`;
  };
  const n = file.length;
  return [
    { name: 'a day file\'s 9,600 track ids in a 45,500-id dictionary, hot: slots holding the id bytes', items: n, unit: 'ids', check: check(index), fn: () => lookAll(index, out) },
    { name: 'a day file\'s 9,600 track ids in a 45,500-id dictionary, hot: slot, hash, key (baseline)', items: n, unit: 'ids', check: check(baseline), fn: () => lookAll(baseline, out) },
    { name: 'the same after 8 MiB of other work: slots holding the id bytes', items: n, unit: 'ids', check: check(index), fn: () => (touch(), lookAll(index, out)) },
    { name: 'the same after 8 MiB of other work: slot, hash, key (baseline)', items: n, unit: 'ids', check: check(baseline), fn: () => (touch(), lookAll(baseline, out)) },
  ];
}

/**
 * Stage 1's coordinator share of a bucket's output: 250 users (the 2,000-user
 * year's bucket) arriving from 5 tasks through a structured clone, then
 * encoded as the five tables' files (bytes, not written). Now: each task's
 * users packed as one chunk of columns (packed in the workers, not timed here).
 * Baseline: one summary object per user, 18 views of one buffer as finalize
 * makes them, gathered user by user into Arrow tables for `tableToIPC`.
 */
function outputBenches(): Micro[] {
  const r = rng(20);
  const int = (k: number) => Math.floor(r() * k);
  const users = 250, tasks = 5;
  const summaryOf = (): UserSummary => {
    const T = 100, A = 20 + int(100), L = 5, G = 3 + int(20), F = FEATURES.length;
    const buf = new ArrayBuffer(8 * (12 + 24 + T + 2 * A + L + G + F) + 4 * (12 + 12 + 2 * T + 3 * A + 2 * L + G));
    let at = 0;
    const f64 = (n: number) => { const a = new Float64Array(buf, at, n); at += 8 * n; for (let i = 0; i < n; i++) a[i] = int(1e9); return a; };
    const i32 = (n: number) => { const a = new Int32Array(buf, at, n); at += 4 * n; for (let i = 0; i < n; i++) a[i] = int(1e6); return a; };
    const [monthMs, hours, topTrackMs, artistMs, artistFirstStream, topAlbumMs, genreMs, featureMs] = [f64(12), f64(24), f64(T), f64(A), f64(A), f64(L), f64(G), f64(F)];
    const [monthPlays, monthTopArtist, topTracks, topTrackStreams, artists, artistPlays, artistStreams, topAlbums, topAlbumStreams, genres] = [i32(12), i32(12), i32(T), i32(T), i32(A), i32(A), i32(A), i32(L), i32(L), i32(G)];
    return {
      plays: int(1e5), streams: int(1e5), totalMs: int(1e12), uniqueTracks: int(1e4), uniqueArtists: A, genreCount: G, eligible: r() < 0.9,
      monthPlays, monthMs, monthTopArtist, hours, topTracks, topTrackStreams, topTrackMs, artists, artistPlays, artistStreams, artistMs, artistFirstStream,
      topAlbums, topAlbumStreams, topAlbumMs, genres, genreMs, datedMs: int(1e12), yearMs: int(1e15), timelessMs: int(1e12), featuredMs: int(1e12), featureMs,
    };
  };
  const ids = Array.from({ length: users }, (_, u) => (u.toString(16).padStart(4, '0') + 'ab'.repeat(14)));
  const summaries = ids.map(summaryOf);
  const per = users / tasks;
  const builder = new SummaryColumns();
  const parts: BucketPart[] = Array.from({ length: tasks }, (_, t) => {
    for (let i = 0; i < per; i++) builder.append(i, summaries[t * per + i]!);
    return { chunk: builder.take(), userIds: ids.slice(t * per, (t + 1) * per) };
  });
  const results = Array.from({ length: tasks }, (_, t) => summaries.slice(t * per, (t + 1) * per));
  const items = summaries.reduce((n, s) => n + 1 + s.topTracks.length + s.artists.length + s.topAlbums.length + s.genres.length, 0);
  // The files' bytes are valid only inside the callback (a reused buffer): kept as copies only for the check.
  const now = (keep: Uint8Array[] | null) => {
    const got = structuredClone(parts.map((p) => p.chunk));
    let bytes = 0;
    encodeAggregateBucket(got.map((chunk, t) => ({ chunk, userIds: parts[t]!.userIds })), (_, b) => {
      bytes += b.length;
      keep?.push(Buffer.from(b));
    });
    return bytes;
  };
  const baseline = () => {
    const got = structuredClone(results);
    return encodeAggregateBucketBaseline(got.flat().map((s, i) => ({ user: ids[i]!, s })));
  };
  const check = (): string | null => {
    const a: Uint8Array[] = [];
    now(a);
    const b = baseline();
    const k = AGGREGATE_TABLES.findIndex((_, i) => !Buffer.from(a[i]!).equals(Buffer.from(b[i]!)));
    return k < 0 ? null : `table ${AGGREGATE_TABLES[k]}: ${a[k]!.length} bytes now, ${b[k]!.length} from the baseline, not byte for byte the same`;
  };
  return [
    { name: 'stage-1 output of a 250-user bucket from 5 tasks: chunks of columns, laid-out IPC files', items, unit: 'rows', check, fn: () => now(null) },
    { name: 'stage-1 output of a 250-user bucket from 5 tasks: a summary per user, tableToIPC (baseline)', items, unit: 'rows', check, fn: baseline },
  ];
}

function mappingBenches(dir: string): Micro[] {
  const files = Array.from({ length: 16 }, (_, i) => {
    const f = path.join(dir, `bucket-${i}.bin`);
    const r = rng(10 + i);
    fs.writeFileSync(f, Uint8Array.from({ length: 1 << 20 }, () => Math.floor(r() * 256)));
    return f;
  });
  const expected = files.map((f) => fs.readFileSync(f));
  const pool = new SabPool();
  const sum = (b: Uint8Array) => {
    let s = 0;
    for (let i = 0; i < b.length; i += 4096) s += b[i]!;
    return s;
  };
  const out: Micro[] = [{
    name: 'column mapping: read 16 × 1 MiB into a reused SharedArrayBuffer', items: 16 << 20, unit: 'bytes',
    check: () => {
      const m = readFilesInto(pool, files);
      const ok = files.every((_, i) => Buffer.from(new Uint8Array(m.sab, m.offsets[i]!, m.lengths[i]!)).equals(expected[i]!));
      pool.give(m.sab);
      return ok ? null : 'bytes differ from the files';
    },
    fn: () => {
      const m = readFilesInto(pool, files);
      let s = 0;
      for (let i = 0; i < files.length; i++) s += sum(new Uint8Array(m.sab, m.offsets[i]!, m.lengths[i]!));
      pool.give(m.sab);
      return s;
    },
  }];
  const addon = mmapAddon();
  if (addon) {
    out.push({
      name: 'column mapping: mmap 16 × 1 MiB as SharedArrayBuffers (addon)', items: 16 << 20, unit: 'bytes',
      check: () => (files.every((f, i) => Buffer.from(new Uint8Array(addon.mapFile(f))).equals(expected[i]!)) ? null : 'mapped bytes differ from the files'),
      fn: () => files.reduce((s, f) => s + sum(new Uint8Array(addon.mapFile(f))), 0),
    });
  }
  return out;
}

/**
 * A synthetic catalog and one heavy user's plays: dedupe, local combine,
 * histograms and top-K in one kernel — over rows in no order, and over the
 * same rows as day files hold them, where `addRows` keeps rows in ts order
 * without hashing them, beside the same ranges with every row hashed (as
 * before session 18: the baseline).
 */
function accumulatorBenches(): Micro[] {
  const T = 20_000, A = 2_000, AL = 4_000, G = 40;
  const r = rng(3);
  const trackArtist = Int32Array.from({ length: T }, (_, t) => t % A);
  const trackAlbum = Int32Array.from({ length: T }, (_, t) => t % AL);
  const artistGenre = Int32Array.from({ length: A }, (_, a) => a % G);
  const id = (p: string, i: number) => `${p}${String(i).padStart(21, '0')}`;
  const ranks = (n: number, p: string) => {
    const ids = Array.from({ length: n }, (_, i) => id(p, i));
    const order = ids.map((_, i) => i).sort((a, b) => (ids[a]! < ids[b]! ? -1 : 1));
    const rk = new Int32Array(n);
    order.forEach((i, k) => (rk[i] = k));
    return rk;
  };
  const catalog: StageCatalog = {
    tracks: T, artists: A, albums: AL, genres: G, trackArtist, trackAlbum, artistGenre,
    trackIdRank: ranks(T, 'T'), artistIdRank: ranks(A, 'A'), albumIdRank: ranks(AL, 'L'), genreNameRank: ranks(G, 'g'),
    resolve: Int32Array.from({ length: T }, (_, t) => t), trackYear: Int32Array.from({ length: T }, (_, t) => 1970 + (t % 56)),
    trackFeatures: Int32Array.from({ length: T * 5 }, (_, k) => (k * 37) % 1000),
  };
  const ref: RefCatalog = {
    trackArtist: new Map(Array.from({ length: T }, (_, t) => [id('T', t), id('A', t % A)])),
    trackAlbum: new Map(Array.from({ length: T }, (_, t) => [id('T', t), id('L', t % AL)])),
    artistGenre: new Map(Array.from({ length: A }, (_, a) => [id('A', a), id('g', a % G)])),
    alias: new Map(),
  };
  const n = 100_000;
  const w = yearWindow(2025);
  const ts = new Float64Array(n), track = new Int32Array(n), ms = new Int32Array(n);
  for (let i = 0; i < n; i++) {
    const dup = i > 0 && r() < 0.01;
    ts[i] = dup ? ts[i - 1]! : w.startMs + Math.floor(r() * (w.freezeMs - w.startMs));
    track[i] = dup ? track[i - 1]! : Math.floor(T * r() ** 3);
    ms[i] = dup ? ms[i - 1]! : Math.floor(r() * 300_000);
  }
  const codes = { overflowCode: new Int32Array(0), overflowTrack: new Int32Array(0) };
  const acc = new UserAccumulator(catalog, w);
  const want = referenceUser(Array.from({ length: n }, (_, i) => ({ track: id('T', track[i]!), ts: ts[i]!, ms: ms[i]!, arrivalDay: 0, priv: false })), 60, ref, 2025)!;
  /** The plays in the given row order, as stored in a bucket file: ts as (low, high) words, arrival day and private flag columns. */
  const columns = (order: ArrayLike<number>, tsSorted: boolean): PlayColumns => {
    const tsWords = new Int32Array(2 * n);
    for (let r = 0; r < n; r++) {
      const t = ts[order[r]!]!;
      tsWords[2 * r] = t % 4294967296;
      tsWords[2 * r + 1] = Math.floor(t / 4294967296);
    }
    return { tsWords, track: Int32Array.from(order, (i) => track[i]!), ms: Int32Array.from(order, (i) => ms[i]!), arrival: new Int32Array(n), priv: new Uint8Array(n), tsSorted };
  };
  const micro = (name: string, cols: PlayColumns, cuts: readonly number[]): Micro => {
    const run = (): UserSummary => {
      acc.begin(60, n);
      for (let k = 0; k + 1 < cuts.length; k++) acc.addRows(cols, cuts[k]!, cuts[k + 1]!, codes);
      return acc.finalize();
    };
    return {
      name, items: n, unit: 'plays',
      check: () => {
        const s = run();
        const topOk = Array.from(s.topTracks).every((t, i) => id('T', t) === want.topTracks[i]!.id && s.topTrackMs[i] === want.topTracks[i]!.ms);
        const histOk = Array.from(s.hours).every((h, i) => h === want.hours[i]) && Array.from(s.monthMs).every((m, i) => m === want.monthMs[i]);
        return s.plays === want.plays && s.totalMs === want.totalMs && s.uniqueTracks === want.uniqueTracks && topOk && histOk ? null : 'summary differs from the plain-JS reference';
      },
      fn: run,
    };
  };
  // As day files hold the user: one range a day, sorted by ts, in arrival order; one day in 20 uploaded
  // three days late (its rows open that later day's range, earlier than rows already counted).
  const day = (i: number) => Math.floor(ts[i]! / 86_400_000);
  const arrives = (d: number) => (d % 20 === 7 ? d + 3 : d);
  const byArrival = Array.from({ length: n }, (_, i) => i).sort((a, b) => arrives(day(a)) - arrives(day(b)) || ts[a]! - ts[b]! || a - b);
  const cuts = [0];
  for (let r = 1; r < n; r++) if (arrives(day(byArrival[r]!)) !== arrives(day(byArrival[r - 1]!))) cuts.push(r);
  cuts.push(n);
  const dayFiles = columns(byArrival, true);
  return [
    micro('dedupe + local combine + histograms + top-K (one 100k-play user, rows in no order)', columns(Array.from({ length: n }, (_, i) => i), false), [0, n]),
    micro(`the same user as day files (${cuts.length - 1} ranges sorted by ts, late days): rows in ts order skip the dedupe table`, dayFiles, cuts),
    micro('the same user as day files: every row through the dedupe table (baseline)', { ...dayFiles, tsSorted: false }, cuts),
  ];
}

/**
 * Finalize's top 100 tracks of a user's ~1,200 streamed ones (streams, then
 * ms, then track id): the selection on packed (streams, ms) keys it uses
 * beside the heap with a comparator it replaced (baseline), on counts shaped
 * like a year's (most tracks streamed once or twice, so the 100th place ties
 * on streams and is decided by ms).
 */
function topTracksBenches(): Micro[] {
  const n = 1_200, k = 100;
  const r = rng(4);
  const streams = Int32Array.from({ length: n }, () => 1 + Math.floor(r() ** 4 * 40));
  const ms = Float64Array.from(streams, (x) => x * 30_000 + Math.floor(r() * 200_000) * (r() < 0.9 ? 1 : 0));
  const idRank = Int32Array.from({ length: n }, (_, i) => (i * 7919) % n);
  const key = Float64Array.from({ length: n }, (_, i) => streams[i]! * 2 ** 36 + ms[i]!);
  const items = Int32Array.from({ length: n }, (_, i) => i);
  const before = (x: number, y: number) => streams[y]! - streams[x]! || ms[y]! - ms[x]! || idRank[x]! - idRank[y]!;
  const want = Array.from(items).sort(before).slice(0, k);
  const same = (got: Int32Array) => (got.length === k && got.every((x, i) => x === want[i]) ? null : 'top 100 differs from sorting every track');
  const selector = new TopKByKey();
  const byKey = () => selector.select(items, n, k, key, (x, y) => idRank[x]! - idRank[y]!);
  const heap = () => topK(items, n, k, before);
  return [
    { name: 'top 100 of a user\'s 1,200 tracks: packed keys + quickselect', items: n, unit: 'tracks', check: () => same(byKey()), fn: byKey },
    { name: 'top 100 of a user\'s 1,200 tracks: heap with a comparator (baseline)', items: n, unit: 'tracks', check: () => same(heap()), fn: heap },
  ];
}

function sketchBenches(): Micro[] {
  const r = rng(4);
  const n = 50_000;
  const xs = Float64Array.from({ length: n }, () => Math.floor(1e7 * r() ** 4));
  const sorted = Float64Array.from(xs).sort();
  const parts = Array.from({ length: 16 }, (_, p) => {
    const d = new ValueDigest();
    for (let i = p; i < n; i += 16) d.push(xs[i]!);
    return d.centroids();
  });
  const below = (v: number) => {
    let lo = 0, hi = n;
    while (lo < hi) {
      const m = (lo + hi) >>> 1;
      if (sorted[m]! < v) lo = m + 1;
      else hi = m;
    }
    return lo / n;
  };
  const checkDigest = (d: ValueDigest) => {
    for (const q of [0.5, 0.9, 0.99]) {
      const v = sorted[Math.floor(q * (n - 1))]!;
      if (Math.abs(d.shareBelow(v) - below(v)) > 0.03) return `rank error above 0.03 at q=${q}`;
    }
    return null;
  };
  return [
    {
      name: 't-digest push', items: n, unit: 'values',
      check: () => {
        const d = new ValueDigest();
        for (let i = 0; i < n; i++) d.push(xs[i]!);
        return checkDigest(d);
      },
      fn: () => {
        const d = new ValueDigest();
        for (let i = 0; i < n; i++) d.push(xs[i]!);
        return d.count;
      },
    },
    {
      name: 't-digest merge of 16 digests (push centroids)', items: 16, unit: 'digests',
      check: () => {
        const d = new ValueDigest();
        for (const p of parts) d.merge(p);
        return d.count === n ? checkDigest(d) : 'merged count differs';
      },
      fn: () => {
        const d = new ValueDigest();
        for (const p of parts) d.merge(p);
        return d.count;
      },
    },
  ];
}

function sampleDocument(): Record<string, unknown> {
  const r = rng(5);
  const name = (k: number) => `Name ${Math.floor(r() * 1e6)} ${k}`;
  return {
    user_id: 'a'.repeat(32), year: 2025, eligible: true, through: '2025-11-30', total_ms: 1234567890, total_minutes: 20576, plays: 9000, streams: 7000,
    unique_tracks: 2100, unique_artists: 400,
    top_tracks: Array.from({ length: 100 }, (_, k) => ({ id: 'T'.repeat(22), title: name(k), artist_id: 'A'.repeat(22), artist_name: name(k), plays: 100 - k, ms: 1e6 - k })),
    top_artists: Array.from({ length: 10 }, (_, k) => ({ id: 'A'.repeat(22), name: name(k), plays: 50 - k, ms: 2e6 - k })),
    top_albums: Array.from({ length: 5 }, (_, k) => ({ id: 'L'.repeat(22), title: name(k), plays: 20 - k, ms: 3e6 - k })),
    top_genres: Array.from({ length: 5 }, (_, k) => ({ genre: `g${k}`, parent: 'p', ms: 1e6, share: 0.1 })), genre_count: 12,
    monthly: Array.from({ length: 12 }, (_, m) => ({ month: m + 1, plays: 700, ms: 1e8, top_artist_id: 'A'.repeat(22) })),
    hours: Array.from({ length: 24 }, (_, h) => h * 1e6),
    music_personality: { code: 'ELTC', label: 'The Archivist', description: 'x', axes: { discovery: 0.2, loyalty: 0.4, timelessness: 0.3, commonality: 0.8 }, audio_profile: null },
    listening_age: 30, vs_last_year: null,
  };
}

function packagingBenches(): Micro[] {
  const enriched = sampleDocument();
  const rank = { global_rank_blurbs: [{ kind: 'top_listener', artist_id: 'A'.repeat(22), threshold_pct: 1, text: 'You were in the top 1% of X listeners' }], early_fan_blurbs: [] };
  const json = Buffer.from(JSON.stringify(finalDocument(enriched, rank, null)));
  const card: StoryCard = {
    version: 1, user_id: 'a'.repeat(32), year: 2025, hue: 210, minutes: 20576, top_artists: ['Zolunos', 'The Stedos', 'The Kelcors', 'Corxixi', 'Doqui'],
    top_tracks: [{ title: 'Paper Roads', artist: 'The Xilunmis' }, { title: 'Neon Letters', artist: 'The Kelcors' }], top_genre: 'rock', personality: 'The Devotee', headline_blurb: 'You were in the top 0.5% of The Stedos listeners',
  };
  return [
    {
      name: 'JSON packaging (final document + stringify)', items: 1, unit: 'documents',
      check: () => {
        const d = finalDocument(enriched, rank, null);
        const keys = Object.keys(d);
        return keys.indexOf('global_rank_blurbs') === keys.indexOf('listening_age') + 1 && JSON.stringify(JSON.parse(JSON.stringify(d))) === json.toString() ? null : 'document shape or bytes differ';
      },
      fn: () => JSON.stringify(finalDocument(enriched, rank, null)),
    },
    {
      name: `gzip a document (fflate gzipSync, ${json.length} B)`, items: 1, unit: 'documents',
      check: () => (Buffer.from(gunzipSync(gzipSync(json, { level: 6, mtime: 0 }))).equals(json) ? null : 'gunzip does not give the document back'),
      fn: () => gzipSync(json, { level: 6, mtime: 0 }),
    },
    {
      name: 'card rendering (SVG → 1080×1920 PNG, resvg)', items: 1, unit: 'cards',
      check: () => {
        const png = Buffer.from(renderCard(card));
        return png.readUInt32BE(16) === 1080 && png.readUInt32BE(20) === 1920 ? null : 'not a 1080×1920 PNG';
      },
      fn: () => renderCard(card),
    },
  ];
}

export async function runMicro(timeMs: number, log: (s: string) => void): Promise<MicroResult[]> {
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'wrapped-micro-'));
  try {
    const suite = [hashBench(), ...sortBenches(), ...partitionBenches(), ...idLookupBenches(), ...writerBenches(), ...mappingBenches(dir), ...accumulatorBenches(), ...outputBenches(), ...topTracksBenches(), ...sketchBenches(), ...packagingBenches()];
    const results: MicroResult[] = [];
    for (const m of suite) {
      const problem = m.check();
      if (problem) throw new Error(`micro benchmark '${m.name}' failed its check: ${problem}`);
      const bench = new Bench({ time: timeMs, warmupTime: Math.min(200, timeMs / 2) });
      bench.add(m.name, m.fn);
      await bench.run();
      const res = bench.tasks[0]!.result as unknown as { state: string; period?: number; latency?: { rme: number } };
      if (res.state !== 'completed' || !res.period) throw new Error(`micro benchmark '${m.name}' did not complete (${res.state})`);
      const ops = 1000 / res.period;
      results.push({ name: m.name, items: m.items, unit: m.unit, opsPerS: ops, itemsPerS: ops * m.items, rme: res.latency?.rme ?? 0 });
      log(`  ${m.name}: ${Math.round(ops * m.items).toLocaleString('en-US')} ${m.unit}/s`);
    }
    return results;
  } finally {
    fs.rmSync(dir, { recursive: true, force: true });
  }
}
