import { atLeast } from '../columns/growable.ts';
import type { BucketViews } from './bucket-file.ts';
import { wrappedError } from '../errors/registry.ts';
import { compareKeys, KEY_BYTES, keyHash, keyRunEnd, keyToHex, keyWords, sameKeyWords } from './key.ts';
import type { BucketInput } from './smb-source.ts';

/**
 * A bucket's users in key order, with each user's runs: `runs` holds
 * (input, start, end) triples grouped by user, and within a user in input
 * order; user u's triples are [runStart[u], runStart[u + 1]). `keyInput` and
 * `keyRow` say where user u's key can be read.
 */
export interface UserRuns {
  readonly users: number;
  readonly keyInput: Int32Array;
  readonly keyRow: Int32Array;
  readonly runStart: Int32Array;
  readonly runs: Int32Array;
}

/**
 * Groups the runs of every input by user without merging the inputs: each
 * input's runs of equal keys are found by galloping and matched against the
 * users seen so far, kept in key order, by walking both in step (inputs are
 * sorted by key, and consecutive day files hold mostly the same users, so a
 * run's user is nearly always the next one: one comparison of four 32-bit
 * words); a key not seen yet is inserted in its place. A counting sort then
 * lays the runs out by user, keeping input order. Per run, not per row, no
 * heap over the inputs and no hashing (engine/smb/key-group-iterator.ts gives
 * the same groups one at a time). An input with a rehash filter (the `max`
 * strategy) contributes only the runs of keys whose murmur3 hash falls in its
 * filter bucket, as `forEachKeyGroup` does.
 */
export function userRuns(inputs: readonly BucketInput<BucketViews>[]): UserRuns {
  return groupByUser(scanRuns(inputs));
}

/** Every input's runs of one key, each with its user (users numbered as first seen), and the users in key order. */
interface ScannedRuns {
  readonly keyInput: number[];
  readonly keyRow: number[];
  /** Users in key order. */
  readonly sorted: number[];
  /** (user, input, start, end) per run. */
  readonly runs: Int32Array;
  readonly nRuns: number;
}

/*
 * The scan and the grouping are two functions, each ending at its last loop,
 * and the loops are plain (no map/forEach): userRuns is called once a bucket,
 * its long loops are compiled on the fly (on-stack replacement) in each call,
 * and that code, cached and reused, deoptimized at the first statement after
 * the loop every call — 24 deopts in a stage-1 run of the days
 * (--trace-deopt; docs/benchmarks.md, session 16).
 */
function scanRuns(inputs: readonly BucketInput<BucketViews>[]): ScannedRuns {
  const keyInput: number[] = [];
  const keyRow: number[] = [];
  const sorted: number[] = [];
  const words: Int32Array[] = [];
  for (const x of inputs) words.push(keyWords(x.columns.keys));
  let runs = new Int32Array(4 * 1024);
  let nRuns = 0;
  for (let input = 0; input < inputs.length; input++) {
    const x = inputs[input]!;
    const keys = x.columns.keys;
    const w = words[input]!;
    const n = x.columns.n;
    const filterMask = x.filterBuckets - 1;
    let p = 0;
    for (let i = 0; i < n; ) {
      // The walk below relies on each input's key order: a file out of order is corrupt, not merged wrongly.
      if (i > 0 && compareKeys(keys, i - 1, keys, i) >= 0) {
        throw wrappedError('ERR_SMB_CORRUPT_BUCKET', { file: x.file ?? `input ${input} of a bucket`, problem: `expected user keys in ascending order, found ${keyToHex(keys, i * KEY_BYTES)} at row ${i} after ${keyToHex(keys, (i - 1) * KEY_BYTES)}` });
      }
      const end = keyRunEnd(w, n, i);
      if (x.filterBuckets !== 0 && (keyHash(keys, i) & filterMask) !== x.filterBucket) {
        i = end;
        continue;
      }
      // Known users with smaller keys are absent from this input: step past them.
      let u = -1;
      while (p < sorted.length) {
        const v = sorted[p]!;
        if (sameKeyWords(words[keyInput[v]!]!, keyRow[v]!, w, i)) {
          u = v;
          p++;
          break;
        }
        if (compareKeys(inputs[keyInput[v]!]!.columns.keys, keyRow[v]!, keys, i) > 0) break;
        p++;
      }
      if (u < 0) {
        u = keyInput.length;
        keyInput.push(input);
        keyRow.push(i);
        sorted.splice(p++, 0, u);
      }
      runs = atLeast(runs, 4 * (nRuns + 1));
      runs[4 * nRuns] = u;
      runs[4 * nRuns + 1] = input;
      runs[4 * nRuns + 2] = i;
      runs[4 * nRuns + 3] = end;
      nRuns++;
      i = end;
    }
  }
  return { keyInput, keyRow, sorted, runs, nRuns };
}

/** A counting sort of the runs by their user's rank in key order, keeping input order within a user. */
function groupByUser(s: ScannedRuns): UserRuns {
  const users = s.keyInput.length;
  const rank = new Int32Array(users);
  for (let r = 0; r < users; r++) rank[s.sorted[r]!] = r;
  const runStart = new Int32Array(users + 1);
  const keyInput = new Int32Array(users), keyRow = new Int32Array(users);
  for (let r = 0; r < users; r++) {
    keyInput[r] = s.keyInput[s.sorted[r]!]!;
    keyRow[r] = s.keyRow[s.sorted[r]!]!;
  }
  countRuns(s.runs, s.nRuns, rank, runStart);
  return { users, keyInput, keyRow, runStart, runs: placeRuns(s.runs, s.nRuns, rank, runStart) };
}

/** runStart[r + 1] = the runs of the user of rank r, then prefix sums. */
function countRuns(runs: Int32Array, nRuns: number, rank: Int32Array, runStart: Int32Array): void {
  for (let k = 0; k < nRuns; k++) runStart[rank[runs[4 * k]!]! + 1]!++;
  for (let r = 0; r + 1 < runStart.length; r++) runStart[r + 1]! += runStart[r]!;
}

/** The (input, start, end) triples laid out by user rank. */
function placeRuns(runs: Int32Array, nRuns: number, rank: Int32Array, runStart: Int32Array): Int32Array {
  const next = runStart.slice(0, runStart.length - 1);
  const out = new Int32Array(3 * nRuns);
  for (let k = 0; k < nRuns; k++) {
    const at = next[rank[runs[4 * k]!]!]!++;
    out[3 * at] = runs[4 * k + 1]!;
    out[3 * at + 1] = runs[4 * k + 2]!;
    out[3 * at + 2] = runs[4 * k + 3]!;
  }
  return out;
}
