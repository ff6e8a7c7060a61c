import { atLeast } from '../columns/growable.ts';

/** Ranges up to this size are sorted by insertion (a radix pass costs 256 counters). */
const INSERTION_MAX = 48;
/** Widest digit: 2^11 counters (8 KiB) stay in L1 beside the range's rows. */
const MAX_DIGIT_BITS = 11;

/**
 * Stable sort of `order[from, to)` (row indexes) by an int32 key per row,
 * `key[order[k]]`: least-significant-digit radix over the range's key span,
 * in as few passes of at most 11 bits as the span needs, of equal width (a
 * span of 2^18 codes: two passes of 9 bits). Stable,
 * so rows already in ts order come out in (key, ts) order. Keeps its scratch
 * between calls (one instance per worker).
 */
export class CodeOrder {
  private tmp = new Uint32Array(1024);
  private digit = new Uint32Array(1024);
  private readonly count = new Int32Array(1 << MAX_DIGIT_BITS);

  sort(order: Uint32Array, from: number, to: number, key: Int32Array): void {
    const n = to - from;
    if (n < 2) return;
    if (n <= INSERTION_MAX) {
      for (let i = from + 1; i < to; i++) {
        const r = order[i]!, k = key[r]!;
        let j = i - 1;
        while (j >= from && key[order[j]!]! > k) {
          order[j + 1] = order[j]!;
          j--;
        }
        order[j + 1] = r;
      }
      return;
    }
    let min = key[order[from]!]!, max = min, sorted = true, prev = min;
    for (let i = from + 1; i < to; i++) {
      const k = key[order[i]!]!;
      if (k < prev) sorted = false;
      prev = k;
      if (k < min) min = k;
      else if (k > max) max = k;
    }
    if (sorted) return;
    // max - min may pass 2^31: `>>>` reads it as unsigned.
    const span = max - min;
    this.tmp = atLeast(this.tmp, n);
    this.digit = atLeast(this.digit, n);
    const tmp = this.tmp, digit = this.digit, count = this.count;
    let src: Uint32Array = order, srcAt = from, dst: Uint32Array = tmp, dstAt = 0;
    let bits = 1;
    while (bits < 32 && span >= 2 ** bits) bits++;
    const passes = Math.ceil(bits / MAX_DIGIT_BITS);
    const width = Math.ceil(bits / passes), digits = 1 << width;
    for (let shift = 0; shift < bits; shift += width) {
      count.fill(0, 0, digits);
      for (let i = 0; i < n; i++) {
        const d = ((key[src[srcAt + i]!]! - min) >>> shift) & (digits - 1);
        digit[i] = d;
        count[d]!++;
      }
      let at = 0;
      for (let d = 0; d < digits; d++) {
        const c = count[d]!;
        count[d] = at;
        at += c;
      }
      for (let i = 0; i < n; i++) dst[dstAt + count[digit[i]!]!++] = src[srcAt + i]!;
      const was = src, wasAt = srcAt;
      src = dst;
      srcAt = dstAt;
      dst = was;
      dstAt = wasAt;
    }
    if (src !== order) order.set(src.subarray(srcAt, srcAt + n), from);
  }
}
