/**
 * The baseline for bucketing's sort (engine/kernels/rank-ts-sort.ts): the sort
 * bucketing used before it, kept here to be timed beside it in the micro benchmarks.
 *
 * Stable LSD radix sort of row indexes by (major, minor): major a
 * non-negative int32 (a rank), minor a non-negative integer below 2^53
 * (a millisecond offset). 11-bit digits; a pass whose digit is the same for
 * every row is skipped, so small ranges cost few passes. Equal keys keep
 * input order, which is what makes the result independent of how the input
 * was chunked. O(n) per pass, no comparisons, no allocation but two index
 * arrays and one digit array.
 */
const BITS = 11;
const RADIX = 1 << BITS;
const MASK = RADIX - 1;

export function radixSortByRankThenOffset(n: number, major: Int32Array, minor: Float64Array): Uint32Array {
  let order = new Uint32Array(n);
  for (let i = 0; i < n; i++) order[i] = i;
  if (n < 2) return order;
  const lo = new Uint32Array(n);
  const hi = new Uint32Array(n);
  for (let i = 0; i < n; i++) {
    const v = minor[i]!;
    const h = Math.floor(v / 4294967296);
    hi[i] = h;
    lo[i] = v - h * 4294967296;
  }
  let next = new Uint32Array(n);
  const counts = new Uint32Array(RADIX);
  const digit = new Uint16Array(n);
  // Least significant first: minor's low word, its high word, then major.
  const passes: Array<[Uint32Array | Int32Array, number]> = [
    [lo, 0], [lo, 11], [lo, 22], [hi, 0], [hi, 11], [major, 0], [major, 11], [major, 22],
  ];
  for (const [key, shift] of passes) {
    counts.fill(0);
    for (let i = 0; i < n; i++) {
      const d = (key[i]! >>> shift) & MASK;
      digit[i] = d;
      counts[d]!++;
    }
    if (counts[digit[0]!] === n) continue;
    let sum = 0;
    for (let d = 0; d < RADIX; d++) {
      const c = counts[d]!;
      counts[d] = sum;
      sum += c;
    }
    for (let i = 0; i < n; i++) {
      const r = order[i]!;
      next[counts[digit[r]!]!++] = r;
    }
    const t = order;
    order = next;
    next = t;
  }
  return order;
}
