import { FixedKeyTable } from '../kernels/fixed-key-table.ts';
import { BASE62_ID_LENGTH, isBase62Id } from '../lake/id-format.ts';

/**
 * A dictionary's ids looked up by their UTF-8 bytes: bucketing maps each
 * entry of a day file's track, artist and album dictionaries (tens of
 * thousands per file) to a code straight from the Parquet dictionary's
 * buffer, with no string decoded and no `Map` lookup. Only ids of the SPEC's
 * form (22 base62 characters) are held: a row's id is checked for that form
 * first, so no other id could ever be looked up.
 */
export class IdByteIndex {
  private constructor(private readonly table: FixedKeyTable, private readonly codes: Int32Array) {}

  static of(ids: readonly string[]): IdByteIndex {
    const table = new FixedKeyTable(BASE62_ID_LENGTH, ids.length);
    const codes = new Int32Array(ids.length);
    const key = new Uint8Array(BASE62_ID_LENGTH);
    ids.forEach((id, code) => {
      if (!isBase62Id(id)) return;
      for (let k = 0; k < BASE62_ID_LENGTH; k++) key[k] = id.charCodeAt(k);
      const before = table.size;
      const c = table.add(key, 0, table.hashAt(key, 0));
      // A dictionary holds each id once; were one repeated, its first code would stand.
      if (table.size > before) codes[c] = code;
    });
    return new IdByteIndex(table, codes);
  }

  /** The code of the id at bytes[at, at + 22) (already checked to be base62), or -1. */
  get(bytes: Uint8Array, at: number): number {
    const c = this.table.find(bytes, at, this.table.hashAt(bytes, at));
    return c < 0 ? -1 : this.codes[c]!;
  }
}
