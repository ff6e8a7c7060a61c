import { atLeast } from '../columns/growable.ts';

/**
 * Sorts `order[from, to)` (row indexes) by (ts, index) when it is nearly in
 * that order already, as a user's rows are when its day files are laid out in
 * arrival order: the rows that keep up with the latest ts so far stay where
 * they are (a sorted main run), the few that go back in time (late arrivals,
 * re-sent duplicates) are set aside, sorted, and merged back. Linear plus the
 * late rows' sort. Requires `order[from, to)` ascending (so the index is the
 * tie-break, e.g. arrival order). Keeps its scratch between calls.
 */
export class TsOrder {
  private side = new Uint32Array(1024);
  private main = new Uint32Array(1024);

  /** True when the range was already in order (nothing moved). */
  sort(order: Uint32Array, from: number, to: number, ts: Float64Array): boolean {
    let last = -Infinity, n = from, sideN = 0;
    for (let k = from; k < to; k++) {
      const r = order[k]!;
      if (ts[r]! >= last) {
        last = ts[r]!;
        order[n++] = r;
      } else {
        this.side = atLeast(this.side, sideN + 1);
        this.side[sideN++] = r;
      }
    }
    if (sideN === 0) return true;
    const late = this.side.subarray(0, sideN).sort((a, b) => ts[a]! - ts[b]! || a - b);
    const mainN = n - from;
    this.main = atLeast(this.main, mainN);
    const main = this.main;
    main.set(order.subarray(from, n));
    let i = 0, j = 0, k = from;
    while (i < mainN && j < sideN) {
      const a = main[i]!, b = late[j]!;
      if (ts[a]! < ts[b]! || (ts[a] === ts[b] && a < b)) {
        order[k++] = a;
        i++;
      } else {
        order[k++] = b;
        j++;
      }
    }
    while (i < mainN) order[k++] = main[i++]!;
    while (j < sideN) order[k++] = late[j++]!;
    return false;
  }
}
