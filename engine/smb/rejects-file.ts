import * as arrow from 'apache-arrow';
import type { RejectedRow } from './encode-plays.ts';

/** The columns of rejects.arrow after reason, file and row: the row's values as strings (null where it had a null). */
const VALUE_COLUMNS = ['user_id', 'track_id', 'artist_id', 'album_id', 'ts', 'ms_played', 'source'] as const;

/** rejects.arrow's bytes for these rows, built through Arrow's builders and writer. */
export function encodeRejectsFile(rows: readonly RejectedRow[]): Uint8Array {
  const col = (k: string) => arrow.vectorFromArray(rows.map((r) => r.values[k] ?? null), new arrow.Utf8());
  const values = Object.fromEntries(VALUE_COLUMNS.map((k) => [k, col(k)]));
  return arrow.tableToIPC(new arrow.Table({
    reason: arrow.vectorFromArray(rows.map((r) => r.reason), new arrow.Utf8()),
    file: arrow.vectorFromArray(rows.map((r) => r.file), new arrow.Utf8()),
    row: arrow.makeVector(Int32Array.from(rows, (r) => r.row)),
    ...values,
  }), 'file');
}

/** The bytes of an empty rejects file, encoded once per thread. */
let empty: Uint8Array | null = null;

/**
 * A partition's rejects.arrow (docs/smb-format.md): an Arrow IPC file of the
 * rows that failed validation. Most partitions have none (0.5 a day on the
 * sample year), and building even an empty table through Arrow's builders and
 * writer cost ~1.7 ms a partition (5% of a bucketing worker, profiled): the
 * empty file's bytes are encoded once and copied.
 */
export function rejectsFileBytes(rows: readonly RejectedRow[]): Uint8Array {
  if (rows.length > 0) return encodeRejectsFile(rows);
  empty ??= encodeRejectsFile([]);
  return empty.slice();
}
