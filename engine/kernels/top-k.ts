/**
 * The `k` first of `items[0, n)` under a total order, in that order.
 * `before(x, y) < 0` means x ranks before y. A binary heap holds the current
 * k best with the one that ranks last on top, so an item that loses to it
 * costs one comparison: O(n) for most inputs, O(n log k) at worst, then
 * one sort of k items. Used for top-K lists where only the first k of many
 * candidates are kept (a user's top 100 of thousands of tracks).
 */
export function topK(items: Int32Array, n: number, k: number, before: (x: number, y: number) => number): Int32Array {
  if (n <= k) return items.slice(0, n).sort(before);
  const heap = items.slice(0, k);
  // Max-heap by rank: the root ranks last among the kept.
  const down = (i: number) => {
    const x = heap[i]!;
    for (;;) {
      const l = 2 * i + 1;
      if (l >= k) break;
      const r = l + 1;
      const c = r < k && before(heap[r]!, heap[l]!) > 0 ? r : l;
      if (before(heap[c]!, x) <= 0) break;
      heap[i] = heap[c]!;
      i = c;
    }
    heap[i] = x;
  };
  for (let i = (k >> 1) - 1; i >= 0; i--) down(i);
  for (let i = k; i < n; i++) {
    const x = items[i]!;
    if (before(x, heap[0]!) < 0) {
      heap[0] = x;
      down(0);
    }
  }
  return heap.sort(before);
}
