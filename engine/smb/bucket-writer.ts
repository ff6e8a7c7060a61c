import * as arrow from 'apache-arrow';
import { DictionaryScratch, dictionaryColumn, int32Column, timestampMsColumn } from '../columns/dictionary-column.ts';
import { stringTable } from '../columns/string-table.ts';
import { BUCKET_FIELDS, BUCKET_SCHEMA } from './bucket-schema.ts';
import { KEY_BYTES } from './key.ts';
import type { RowBlock } from './row-block.ts';

/**
 * Gathers rows order[start, end) of a block into one bucket file's bytes:
 * an uncompressed Arrow IPC file with a single record batch (Arrow pads every
 * buffer to 8 bytes, so readers can view columns in place). An empty range
 * gives an empty (0-byte) file.
 */
export class BucketWriter {
  private readonly scratch = new DictionaryScratch();

  encode(b: RowBlock, order: Uint32Array, start: number, end: number): Uint8Array {
    const n = end - start;
    if (n === 0) return new Uint8Array(0);
    const keys = new Uint8Array(n * KEY_BYTES);
    const ts = new Float64Array(n);
    const i32 = () => new Int32Array(n);
    const track = i32(), artist = i32(), album = i32(), ms = i32(), arrival = i32(), device = i32(), country = i32();
    const source = new Int8Array(n);
    const priv = new Uint8Array(n);
    // Keys are copied as four 32-bit words (a raw copy: byte order is kept).
    const keyWords = new Uint32Array(keys.buffer, keys.byteOffset, n * 4);
    const userWords = new Uint32Array(b.userKeys.buffer, b.userKeys.byteOffset, b.userKeys.length >> 2);
    for (let i = 0; i < n; i++) {
      const r = order[start + i]!;
      const u = b.user[r]! * 4;
      const o = i * 4;
      keyWords[o] = userWords[u]!;
      keyWords[o + 1] = userWords[u + 1]!;
      keyWords[o + 2] = userWords[u + 2]!;
      keyWords[o + 3] = userWords[u + 3]!;
      ts[i] = b.ts[r]!;
      track[i] = b.track[r]!;
      artist[i] = b.artist[r]!;
      album[i] = b.album[r]!;
      ms[i] = b.ms[r]!;
      arrival[i] = b.arrival[r]!;
      source[i] = b.source[r]!;
      priv[i] = b.priv[r]!;
      device[i] = b.device[r]!;
      country[i] = b.country[r]!;
    }
    const children = [
      arrow.makeData({ type: new arrow.FixedSizeBinary(KEY_BYTES), length: n, data: keys }),
      timestampMsColumn(ts, n),
      int32Column(track, n), int32Column(artist, n), int32Column(album, n), int32Column(ms, n), int32Column(arrival, n),
      arrow.makeData({ type: new arrow.Int8(), length: n, data: source }),
      arrow.makeData({ type: new arrow.Uint8(), length: n, data: priv }),
      dictionaryColumn(device, n, stringTable(b.devices), this.scratch),
      dictionaryColumn(country, n, stringTable(b.countries), this.scratch),
    ];
    const batch = new arrow.RecordBatch(BUCKET_SCHEMA, arrow.makeData({ type: new arrow.Struct(BUCKET_FIELDS), length: n, children }));
    return arrow.tableToIPC(new arrow.Table([batch]), 'file');
  }
}
