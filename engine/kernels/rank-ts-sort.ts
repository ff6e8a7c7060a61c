import { TsOrder } from './ts-order.ts';

/**
 * Stable sort of rows 0..n-1 by (rank of the row's user, ts): the order of an
 * SMB partition's rows (bucket, user key, ts, ties in arrival order). A
 * counting sort by rank (one pass to count, one to place; stable, so each
 * user's rows stay in arrival order) and then each user's rows by ts through
 * `TsOrder`, which is linear when they are nearly in time order already — as
 * a day file's rows are — and sorts only the rows that go back in time.
 * Replaces an 8-pass radix sort over (rank, ts) that cost ~11% of bucketing.
 *
 * `user[i]` is row i's user, `rank[u]` user u's place (a permutation of
 * 0..rank.length-1).
 */
export function sortByRankThenTs(n: number, user: Int32Array, rank: Int32Array, ts: Float64Array, tsOrder = new TsOrder()): Uint32Array {
  const users = rank.length;
  const next = new Int32Array(users + 1);
  for (let i = 0; i < n; i++) next[rank[user[i]!]! + 1]!++;
  for (let r = 0; r < users; r++) next[r + 1]! += next[r]!;
  const bounds = next.slice();
  const order = new Uint32Array(n);
  for (let i = 0; i < n; i++) order[next[rank[user[i]!]!]!++] = i;
  for (let r = 0; r < users; r++) if (bounds[r + 1]! - bounds[r]! > 1) tsOrder.sort(order, bounds[r]!, bounds[r + 1]!, ts);
  return order;
}
