/**
 * Indexes of `ids` in ascending code-unit order (the order of `<` on JS
 * strings), equal strings by index.
 *
 * A comparator sort of a catalog's 200k+ ids calls back into JS ~4 M times.
 * Here each id becomes one float64 key: the first code units after the prefix
 * all ids share, packed above the index, so one native sort of numbers orders
 * almost everything; only runs whose packed units are equal (ids agreeing on
 * them) are finished with the comparator. Exact for any strings: a unit past
 * an id's end packs as 0, below every real unit (a prefix sorts first).
 */
export function stringOrder(ids: readonly string[]): Int32Array {
  const n = ids.length;
  const order = new Int32Array(n);
  if (n === 0) return order;
  const before = (a: number, b: number) => (ids[a]! < ids[b]! ? -1 : ids[a]! > ids[b]! ? 1 : a - b);
  const indexBits = Math.max(1, Math.ceil(Math.log2(n)));
  if (indexBits > 24) {
    for (let i = 0; i < n; i++) order[i] = i;
    return order.sort(before);
  }
  // The prefix every id shares carries no order.
  let common = ids[0]!.length;
  for (let i = 1; i < n && common > 0; i++) {
    const s = ids[i]!;
    let k = 0;
    while (k < common && k < s.length && s.charCodeAt(k) === ids[0]!.charCodeAt(k)) k++;
    common = k;
  }
  // 7 bits a unit when the packed units are ASCII, else 16 (+1: 0 marks "past the end").
  const room = 53 - indexBits;
  const packedUnits = (bits: number) => Math.floor(room / bits);
  let bits = 7;
  scan: for (let i = 0; i < n; i++) {
    const s = ids[i]!;
    const end = Math.min(s.length, common + packedUnits(7));
    for (let k = common; k < end; k++) {
      if (s.charCodeAt(k) >= 127) {
        bits = 17;
        break scan;
      }
    }
  }
  const units = packedUnits(bits);
  const scale = 2 ** indexBits;
  const keys = new Float64Array(n);
  for (let i = 0; i < n; i++) {
    const s = ids[i]!;
    let key = 0;
    for (let k = common; k < common + units; k++) key = key * 2 ** bits + (k < s.length ? s.charCodeAt(k) + 1 : 0);
    keys[i] = key * scale + i;
  }
  keys.sort();
  for (let i = 0; i < n; i++) order[i] = keys[i]! % scale;
  // Runs of equal packed units: order them by the whole string.
  for (let i = 0; i < n; ) {
    const unitsKey = Math.floor(keys[i]! / scale);
    let j = i + 1;
    while (j < n && Math.floor(keys[j]! / scale) === unitsKey) j++;
    if (j - i > 1) order.subarray(i, j).sort(before);
    i = j;
  }
  return order;
}
