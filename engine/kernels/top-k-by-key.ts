import { atLeast } from '../columns/growable.ts';

/**
 * The `k` first of `items[0, n)` under an order that ranks a larger
 * `key[item]` first and breaks equal keys with `before` (`before(x, y) < 0`:
 * x first), in that order.
 *
 * For orders that pack exactly into one double (a user's top tracks: streams,
 * then ms), which the caller checks. A quickselect over a copy of the keys
 * finds the k-th largest key; the items above it are in, the items equal to
 * it are ranked by `before` only when more of them tie than places are left;
 * then the k are put in order by a native sort of their keys. No comparator
 * call per candidate, as `topK`'s heap needs (in stage 1's finalize that heap
 * took a quarter of the time; docs/benchmarks.md, session 17).
 *
 * Keeps its scratch between calls (an off-heap typed array costs 0.5–3 µs to
 * allocate here, as much as the selection): the result is a view into it,
 * valid until the next call.
 */
export class TopKByKey {
  private keys = new Float64Array(256);
  private out = new Int32Array(128);
  private sortKeys = new Float64Array(128);
  private sorted = new Int32Array(128);
  private filled = new Int32Array(128);

  select(items: Int32Array, n: number, k: number, key: Float64Array, before: (x: number, y: number) => number): Int32Array {
    const m = Math.min(n, k);
    this.out = atLeast(this.out, m);
    const out = this.out.subarray(0, m);
    if (n <= k) {
      out.set(items.subarray(0, n));
      return this.sortByKey(out, key, before);
    }
    this.keys = atLeast(this.keys, n);
    const keys = this.keys;
    for (let i = 0; i < n; i++) keys[i] = key[items[i]!]!;
    const t = kthLargest(keys.subarray(0, n), k);
    // `keys` is free again: in the same pass, it takes the tied items (as int32s) for the places left.
    const tiedAll = new Int32Array(keys.buffer, 0, n);
    let c = 0, ties = 0;
    for (let i = 0; i < n; i++) {
      const x = key[items[i]!]!;
      if (x > t) out[c++] = items[i]!;
      else if (x === t) tiedAll[ties++] = items[i]!;
    }
    const tied = tiedAll.subarray(0, ties);
    if (ties > k - c) tied.sort(before);
    for (let i = 0; c < k; i++) out[c++] = tied[i]!;
    return this.sortByKey(out, key, before);
  }

  /**
   * `items` in (key desc, then `before`) order, without a comparator call per
   * pair: a native sort of their keys, then each item placed by a binary
   * search for its key (items with equal keys fill their range in turn, and
   * only such ranges are sorted by `before`). Returns a view of `sorted`.
   */
  private sortByKey(items: Int32Array, key: Float64Array, before: (x: number, y: number) => number): Int32Array {
    const n = items.length;
    this.sortKeys = atLeast(this.sortKeys, n);
    this.sorted = atLeast(this.sorted, n);
    this.filled = atLeast(this.filled, n);
    const keys = this.sortKeys.subarray(0, n), out = this.sorted.subarray(0, n), filled = this.filled;
    for (let i = 0; i < n; i++) keys[i] = key[items[i]!]!;
    keys.sort();
    filled.fill(0, 0, n);
    let tiesSeen = false;
    for (let i = 0; i < n; i++) {
      const x = items[i]!, v = key[x]!;
      // The first ascending index past v: its equal keys occupy descending positions [n - hi, n - lo).
      let lo = 0, hi = n;
      while (lo < hi) {
        const mid = (lo + hi) >>> 1;
        if (keys[mid]! <= v) lo = mid + 1;
        else hi = mid;
      }
      const p = n - lo;
      if (filled[p]! > 0) tiesSeen = true;
      out[p + filled[p]!++] = x;
    }
    if (tiesSeen) {
      for (let p = 0; p < n; ) {
        const e = p + Math.max(1, filled[p]!);
        if (e - p > 1) out.subarray(p, e).sort(before);
        p = e;
      }
    }
    return out;
  }
}

/**
 * The k-th largest value of `a` (1 ≤ k ≤ a.length); reorders `a`. Hoare's
 * partition around a median of three, descending, narrowed to the side that
 * holds position k - 1: O(n) on average, and runs of equal values split
 * evenly rather than degrading.
 */
export function kthLargest(a: Float64Array, k: number): number {
  const target = k - 1;
  let lo = 0, hi = a.length - 1;
  while (lo < hi) {
    const x = a[lo]!, y = a[(lo + hi) >>> 1]!, z = a[hi]!;
    const p = x > y ? (y > z ? y : x > z ? z : x) : (x > z ? x : y > z ? z : y);
    let i = lo, j = hi;
    while (i <= j) {
      while (a[i]! > p) i++;
      while (a[j]! < p) j--;
      if (i <= j) {
        const s = a[i]!;
        a[i++] = a[j]!;
        a[j--] = s;
      }
    }
    // Now a[lo..j] >= p >= a[i..hi], and every value strictly between j and i equals p.
    if (target <= j) hi = j;
    else if (target >= i) lo = i;
    else return p;
  }
  return a[target]!;
}
