import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import type { BucketViews } from '../../../engine/smb/bucket-file.ts';
import { KEY_BYTES } from '../../../engine/smb/key.ts';
import { forEachKeyGroup } from '../../../engine/smb/key-group-iterator.ts';
import { murmur3_32 } from '../../../engine/smb/murmur3.ts';
import type { BucketInput } from '../../../engine/smb/smb-source.ts';
import { userRuns } from '../../../engine/smb/user-runs.ts';

/** Keys from a small pool where several share their first six bytes (to hit the prefix clash path). */
const POOL = Array.from({ length: 12 }, (_, k) => {
  const key = new Uint8Array(KEY_BYTES);
  key[0] = k < 6 ? 7 : k; // keys 0..5 share bytes 0..5
  key[15] = k;
  return key;
});

function input(keyIdx: number[], filterBuckets = 0, filterBucket = 0, misaligned = false): BucketInput<BucketViews> {
  const sorted = [...keyIdx].sort((a, b) => Buffer.compare(POOL[a]!, POOL[b]!));
  // A key column that does not start on a 4-byte boundary is read through a copy.
  const keys = misaligned ? new Uint8Array(new ArrayBuffer(sorted.length * KEY_BYTES + 1), 1) : new Uint8Array(sorted.length * KEY_BYTES);
  sorted.forEach((k, i) => keys.set(POOL[k]!, i * KEY_BYTES));
  const empty = new Int32Array(0);
  return {
    partition: 0, filterBuckets, filterBucket,
    columns: { n: sorted.length, keys, tsWords: empty, track: empty, artist: empty, album: empty, ms: empty, arrival: empty, source: new Int8Array(0), priv: new Uint8Array(0) },
  };
}

/**
 * The naive reference: every input's runs of equal keys, row by row, kept when
 * the key's murmur3 hash is in the input's filter bucket, grouped by key text,
 * keys in byte order, each key's runs in input order.
 */
function naiveGroups(inputs: readonly BucketInput<BucketViews>[]): number[][] {
  const byKey = new Map<string, number[]>();
  inputs.forEach((x, i) => {
    const keys = x.columns.keys;
    const hex = (r: number) => Buffer.from(keys.subarray(r * KEY_BYTES, (r + 1) * KEY_BYTES)).toString('hex');
    for (let r = 0; r < x.columns.n; ) {
      let e = r + 1;
      while (e < x.columns.n && hex(e) === hex(r)) e++;
      if (x.filterBuckets === 0 || (murmur3_32(keys, r * KEY_BYTES, KEY_BYTES, 0) & (x.filterBuckets - 1)) === x.filterBucket) {
        byKey.set(hex(r), [...(byKey.get(hex(r)) ?? []), i, r, e]);
      }
      r = e;
    }
  });
  return [...byKey].sort((a, b) => Buffer.compare(Buffer.from(a[0], 'hex'), Buffer.from(b[0], 'hex'))).map(([, ranges]) => ranges);
}

describe('userRuns and forEachKeyGroup', () => {
  it('group the runs of every input by key: keys in byte order, each key once, its ranges in input order, rehash filters applied', () => {
    const file = fc.record({ keys: fc.array(fc.integer({ min: 0, max: 11 }), { maxLength: 40 }), filter: fc.constantFrom(0, 0, 2, 4), bucket: fc.nat(3), misaligned: fc.boolean() });
    fc.assert(fc.property(fc.array(file, { minLength: 1, maxLength: 6 }), (files) => {
      const inputs = files.map((f) => input(f.keys, f.filter, f.filter === 0 ? 0 : f.bucket % f.filter, f.misaligned));
      const want = naiveGroups(inputs);
      const got = userRuns(inputs);
      expect(got.users).toBe(want.length);
      want.forEach((ranges, u) => {
        expect(Array.from(got.runs.subarray(3 * got.runStart[u]!, 3 * got.runStart[u + 1]!))).toEqual(ranges);
        const k = inputs[got.keyInput[u]!]!.columns.keys;
        const g = inputs[ranges[0]!]!.columns.keys;
        expect(Buffer.compare(k.subarray(got.keyRow[u]! * KEY_BYTES, (got.keyRow[u]! + 1) * KEY_BYTES), g.subarray(ranges[1]! * KEY_BYTES, (ranges[1]! + 1) * KEY_BYTES))).toBe(0);
      });
      const groups: number[][] = [];
      forEachKeyGroup(inputs, (g) => {
        expect([g.keyInput, g.keyRow]).toEqual([g.ranges[0], g.ranges[1]]);
        groups.push(Array.from(g.ranges.subarray(0, 3 * g.count)));
      });
      expect(groups).toEqual(want);
    }), { numRuns: 300 });
  });

  it('refuses an input whose keys are out of order, naming its file (the walk relies on key order)', () => {
    const good = input([0, 1, 2]);
    const bad = { ...input([3, 4]), file: '/smb/day/bucket-00001-of-00008.arrow' };
    // Swap the two keys in place: now descending.
    const k = bad.columns.keys, first = k.slice(0, KEY_BYTES);
    k.copyWithin(0, KEY_BYTES, 2 * KEY_BYTES);
    k.set(first, KEY_BYTES);
    expect(() => userRuns([good, bad])).toThrow(expect.objectContaining({
      code: 'ERR_SMB_CORRUPT_BUCKET',
      message: expect.stringMatching(/bucket-00001-of-00008\.arrow: expected user keys in ascending order, found [0-9a-f]{32} at row 1 after [0-9a-f]{32}/),
    }));
  });
});
