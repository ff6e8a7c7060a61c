import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import type { BucketViews } from '../../../engine/smb/bucket-file.ts';
import { KEY_BYTES } from '../../../engine/smb/key.ts';
import { forEachKeyGroup } from '../../../engine/smb/key-group-iterator.ts';
import type { BucketInput } from '../../../engine/smb/smb-source.ts';
import { userRuns } from '../../../engine/smb/user-runs.ts';

/** Keys from a small pool where several share their first six bytes (to hit the prefix clash path). */
const POOL = Array.from({ length: 12 }, (_, k) => {
  const key = new Uint8Array(KEY_BYTES);
  key[0] = k < 6 ? 7 : k; // keys 0..5 share bytes 0..5
  key[15] = k;
  return key;
});

function input(keyIdx: number[]): BucketInput<BucketViews> {
  const sorted = [...keyIdx].sort((a, b) => Buffer.compare(POOL[a]!, POOL[b]!));
  const keys = new Uint8Array(sorted.length * KEY_BYTES);
  sorted.forEach((k, i) => keys.set(POOL[k]!, i * KEY_BYTES));
  const empty = new Int32Array(0);
  return {
    partition: 0, filterBuckets: 0, filterBucket: 0,
    columns: { n: sorted.length, keys, tsWords: empty, track: empty, artist: empty, album: empty, ms: empty, arrival: empty, source: new Int8Array(0), priv: new Uint8Array(0) },
  };
}

describe('userRuns', () => {
  it('gives the groups of the heap merge (forEachKeyGroup): same users in key order, same ranges in input order', () => {
    fc.assert(fc.property(fc.array(fc.array(fc.integer({ min: 0, max: 11 }), { maxLength: 40 }), { minLength: 1, maxLength: 6 }), (files) => {
      const inputs = files.map(input);
      const want: number[][] = [];
      forEachKeyGroup(inputs, (g) => want.push(Array.from(g.ranges.subarray(0, 3 * g.count))));
      const got = userRuns(inputs);
      expect(got.users).toBe(want.length);
      want.forEach((ranges, u) => {
        expect(Array.from(got.runs.subarray(3 * got.runStart[u]!, 3 * got.runStart[u + 1]!))).toEqual(ranges);
        const k = inputs[got.keyInput[u]!]!.columns.keys;
        const g = inputs[ranges[0]!]!.columns.keys;
        expect(Buffer.compare(k.subarray(got.keyRow[u]! * KEY_BYTES, (got.keyRow[u]! + 1) * KEY_BYTES), g.subarray(ranges[1]! * KEY_BYTES, (ranges[1]! + 1) * KEY_BYTES))).toBe(0);
      });
    }), { numRuns: 300 });
  });
});
