import { atLeast } from '../columns/growable.ts';
import type { BucketViews } from './bucket-file.ts';
import { compareKeys, KEY_BYTES, keyRunEnd, keyToHex, keyWords, sameKeyWords } from './key.ts';
import { murmur3_32 } from './murmur3.ts';
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
 * input's runs of equal keys are found by galloping, named through a map on
 * the key's first six bytes (checked against all sixteen; a clash falls back
 * to the full key), users are sorted by key once, and a counting sort places
 * the runs, keeping input order. Per run, not per row, and no heap over the
 * inputs (engine/smb/key-group-iterator.ts gives the same groups one at a time). An input with
 * a rehash filter (the `max` strategy) contributes only the runs of keys whose
 * murmur3 hash falls in its filter bucket, as `forEachKeyGroup` does.
 */
export function userRuns(inputs: readonly BucketInput<BucketViews>[]): UserRuns {
  const byPrefix = new Map<number, number>();
  const byKey = new Map<string, number>();
  const keyInput: number[] = [];
  const keyRow: number[] = [];
  const words = inputs.map((x) => keyWords(x.columns.keys));
  let runs = new Int32Array(4 * 1024);
  let nRuns = 0;
  inputs.forEach((x, input) => {
    const keys = x.columns.keys;
    const w = words[input]!;
    const n = x.columns.n;
    const filterMask = x.filterBuckets - 1;
    for (let i = 0; i < n; ) {
      const end = keyRunEnd(w, n, i);
      const o = i * KEY_BYTES;
      if (x.filterBuckets !== 0 && (murmur3_32(keys, o, KEY_BYTES, 0) & filterMask) !== x.filterBucket) {
        i = end;
        continue;
      }
      // The first word and half of the second (48 bits, exact as a number) name the key; a clash falls back to its hex.
      const prefix = (w[4 * i]! >>> 0) * 65536 + (w[4 * i + 1]! & 0xffff);
      let u = byPrefix.get(prefix);
      if (u === undefined) {
        u = keyInput.length;
        byPrefix.set(prefix, u);
        keyInput.push(input);
        keyRow.push(i);
      } else if (!sameKeyWords(words[keyInput[u]!]!, keyRow[u]!, w, i)) {
        const hex = keyToHex(keys, o);
        u = byKey.get(hex);
        if (u === undefined) {
          u = keyInput.length;
          byKey.set(hex, u);
          keyInput.push(input);
          keyRow.push(i);
        }
      }
      runs = atLeast(runs, 4 * (nRuns + 1));
      runs[4 * nRuns] = u;
      runs[4 * nRuns + 1] = input;
      runs[4 * nRuns + 2] = i;
      runs[4 * nRuns + 3] = end;
      nRuns++;
      i = end;
    }
  });
  const users = keyInput.length;
  const byRank = Array.from({ length: users }, (_, u) => u).sort((a, b) => compareKeys(inputs[keyInput[a]!]!.columns.keys, keyRow[a]!, inputs[keyInput[b]!]!.columns.keys, keyRow[b]!));
  const rank = new Int32Array(users);
  byRank.forEach((u, r) => (rank[u] = r));
  const runStart = new Int32Array(users + 1);
  for (let k = 0; k < nRuns; k++) runStart[rank[runs[4 * k]!]! + 1]!++;
  for (let r = 0; r < users; r++) runStart[r + 1]! += runStart[r]!;
  const next = runStart.slice(0, users);
  const out = new Int32Array(3 * nRuns);
  for (let k = 0; k < nRuns; k++) {
    const at = next[rank[runs[4 * k]!]!]!++;
    out[3 * at] = runs[4 * k + 1]!;
    out[3 * at + 1] = runs[4 * k + 2]!;
    out[3 * at + 2] = runs[4 * k + 3]!;
  }
  return { users, keyInput: Int32Array.from(byRank, (u) => keyInput[u]!), keyRow: Int32Array.from(byRank, (u) => keyRow[u]!), runStart, runs: out };
}
