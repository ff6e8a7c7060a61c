import { compareKeys, KEY_BYTES, keyRunEnd } from './key.ts';
import { murmur3_32 } from './murmur3.ts';
import type { BucketViews } from './bucket-file.ts';
import type { BucketInput } from './smb-source.ts';

/**
 * One key (user) across the inputs of a logical bucket: for each input that
 * has the key, the contiguous row range [start, end) holding it (each range is
 * sorted by ts). `ranges` holds (input, start, end) triples; `count` triples
 * are valid. The arrays are reused between groups: copy what you keep.
 */
export interface KeyGroup {
  /** Input and row where the key's bytes can be read. */
  keyInput: number;
  keyRow: number;
  count: number;
  ranges: Int32Array;
}

const cmp = (a: BucketInput<BucketViews>, ra: number, b: BucketInput<BucketViews>, rb: number): number => compareKeys(a.columns.keys, ra, b.columns.keys, rb);

/**
 * Merges the inputs' sorted keys and calls `fn` once per distinct key, in key
 * order, with the ranges holding it (Scio's key-group iterator). Cost is per
 * key group (a binary heap over the inputs), not per row, apart from finding
 * where each run of equal keys ends. Rows failing an input's rehash filter are
 * skipped, so under the `max` strategy no key is emitted twice.
 */
export function forEachKeyGroup(inputs: readonly BucketInput<BucketViews>[], fn: (g: KeyGroup) => void): void {
  const k = inputs.length;
  const pos = new Int32Array(k);
  const heap: number[] = [];
  const group: KeyGroup = { keyInput: 0, keyRow: 0, count: 0, ranges: new Int32Array(3 * Math.max(1, k)) };
  const runEnd = (i: number, start: number) => keyRunEnd(inputs[i]!.columns.keys, inputs[i]!.columns.n, start);
  // Skips key runs that the input's rehash filter excludes; false when the input is exhausted.
  const settle = (i: number): boolean => {
    const c = inputs[i]!;
    while (pos[i]! < c.columns.n) {
      if (c.filterBuckets === 0) return true;
      const h = murmur3_32(c.columns.keys, pos[i]! * KEY_BYTES, KEY_BYTES, 0);
      if ((h & (c.filterBuckets - 1)) === c.filterBucket) return true;
      pos[i] = runEnd(i, pos[i]!);
    }
    return false;
  };
  const less = (x: number, y: number) => {
    const d = cmp(inputs[x]!, pos[x]!, inputs[y]!, pos[y]!);
    return d < 0 || (d === 0 && x < y);
  };
  const up = (i: number) => {
    while (i > 0) {
      const p = (i - 1) >> 1;
      if (!less(heap[i]!, heap[p]!)) break;
      [heap[i], heap[p]] = [heap[p]!, heap[i]!];
      i = p;
    }
  };
  const down = (i: number) => {
    for (;;) {
      const l = 2 * i + 1, r = l + 1;
      let m = i;
      if (l < heap.length && less(heap[l]!, heap[m]!)) m = l;
      if (r < heap.length && less(heap[r]!, heap[m]!)) m = r;
      if (m === i) return;
      [heap[i], heap[m]] = [heap[m]!, heap[i]!];
      i = m;
    }
  };
  for (let i = 0; i < k; i++) if (settle(i)) {
    heap.push(i);
    up(heap.length - 1);
  }
  while (heap.length > 0) {
    const first = heap[0]!;
    group.keyInput = first;
    group.keyRow = pos[first]!;
    group.count = 0;
    // Pop every input whose current key equals the smallest one.
    while (heap.length > 0 && cmp(inputs[heap[0]!]!, pos[heap[0]!]!, inputs[first]!, group.keyRow) === 0) {
      const i = heap[0]!;
      const start = pos[i]!;
      const end = runEnd(i, start);
      group.ranges[3 * group.count] = i;
      group.ranges[3 * group.count + 1] = start;
      group.ranges[3 * group.count + 2] = end;
      group.count++;
      pos[i] = end;
      if (settle(i)) down(0);
      else {
        heap[0] = heap[heap.length - 1]!;
        heap.pop();
        if (heap.length > 0) down(0);
      }
    }
    fn(group);
  }
}
