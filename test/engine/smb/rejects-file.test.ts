import * as arrow from 'apache-arrow';
import { describe, expect, it } from 'vitest';
import { rejectsFileBytes } from '../../../engine/smb/rejects-file.ts';
import type { RejectedRow } from '../../../engine/smb/encode-plays.ts';

const FIELDS = ['reason', 'file', 'row', 'user_id', 'track_id', 'artist_id', 'album_id', 'ts', 'ms_played', 'source'];

describe('rejectsFileBytes', () => {
  it('writes an empty rejects file with the full schema, a fresh copy each time', () => {
    const a = rejectsFileBytes([]);
    const t = arrow.tableFromIPC(a);
    expect(t.numRows).toBe(0);
    expect(t.schema.fields.map((f) => f.name)).toEqual(FIELDS);
    expect(t.schema.fields.map((f) => String(f.type))).toEqual(['Utf8', 'Utf8', 'Int32', ...Array(7).fill('Utf8')]);
    const b = rejectsFileBytes([]);
    expect(b).toEqual(a);
    b[0] = 0;
    expect(rejectsFileBytes([])[0]).toBe(a[0]);
  });

  it('has the empty file and a file of rows share the schema, and keeps values and nulls', () => {
    const rows: RejectedRow[] = [
      { reason: 'bad_track_id', file: 'part-0.parquet', row: 7, values: { user_id: 'u1', track_id: 'x', artist_id: null, album_id: 'al', ts: '12', ms_played: '3', source: 'radio' } },
      { reason: 'null_field', file: 'part-1.parquet', row: 0, values: { user_id: null } },
    ];
    const t = arrow.tableFromIPC(rejectsFileBytes(rows));
    expect(t.schema.fields.map((f) => `${f.name}:${String(f.type)}`)).toEqual(arrow.tableFromIPC(rejectsFileBytes([])).schema.fields.map((f) => `${f.name}:${String(f.type)}`));
    expect(t.toArray().map((r) => r.toJSON())).toEqual([
      { reason: 'bad_track_id', file: 'part-0.parquet', row: 7, user_id: 'u1', track_id: 'x', artist_id: null, album_id: 'al', ts: '12', ms_played: '3', source: 'radio' },
      { reason: 'null_field', file: 'part-1.parquet', row: 0, user_id: null, track_id: null, artist_id: null, album_id: null, ts: null, ms_played: null, source: null },
    ]);
  });
});
