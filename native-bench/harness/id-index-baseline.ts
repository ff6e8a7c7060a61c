import { FixedKeyTable } from '../../engine/kernels/fixed-key-table.ts';
import { BASE62_ID_LENGTH, isBase62Id } from '../../engine/lake/id-format.ts';

/**
 * The baseline for bucketing's id lookups (engine/smb/id-byte-index.ts): the
 * index it used before session 19, kept here to be timed beside it in the micro
 * benchmarks. A FixedKeyTable of the ids (slots hold code + 1; hashes and key
 * bytes are kept by code, elsewhere), so a lookup reads a slot, then the
 * code's hash, then its key: three dependent memory accesses.
 */
export class IdIndexBaseline {
  private constructor(private readonly table: FixedKeyTable, private readonly codes: Int32Array) {}

  static of(ids: readonly string[]): IdIndexBaseline {
    const table = new FixedKeyTable(BASE62_ID_LENGTH, ids.length);
    const codes = new Int32Array(ids.length);
    const key = new Uint8Array(BASE62_ID_LENGTH);
    ids.forEach((id, code) => {
      if (!isBase62Id(id)) return;
      for (let k = 0; k < BASE62_ID_LENGTH; k++) key[k] = id.charCodeAt(k);
      const before = table.size;
      const c = table.add(key, 0, table.hashAt(key, 0));
      if (table.size > before) codes[c] = code;
    });
    return new IdIndexBaseline(table, codes);
  }

  get(bytes: Uint8Array, at: number): number {
    const c = this.table.find(bytes, at, this.table.hashAt(bytes, at));
    return c < 0 ? -1 : this.codes[c]!;
  }
}
