import * as arrow from 'apache-arrow';
import { MetadataVersion } from 'apache-arrow/enum';
import { FileBlock, Footer } from 'apache-arrow/ipc/metadata/file';
import { BufferRegion, DictionaryBatch, FieldNode, Message, RecordBatch as BatchHeader } from 'apache-arrow/ipc/metadata/message';
import { stringTable, type StringTable } from '../columns/string-table.ts';
import { BUCKET_FIELDS, BUCKET_SCHEMA } from './bucket-schema.ts';
import { invariant } from '../errors/invariant.ts';
import { KEY_BYTES } from './key.ts';
import type { BufferIndex } from './metadata.ts';
import type { RowBlock } from './row-block.ts';

/** One bucket file's bytes and where its fixed-width columns start in them (undefined for an empty file). */
export interface EncodedBucket {
  readonly bytes: Uint8Array;
  readonly buffers: BufferIndex | undefined;
}

/** "ARROW1": the IPC file format's leading and trailing magic. */
const MAGIC = Uint8Array.from('ARROW1', (c) => c.charCodeAt(0));
const pad8 = (x: number) => (x + 7) & ~7;

/** Bytes per row of each field's values buffer, in BUCKET_FIELDS order (the two dictionary columns hold int32 indexes). */
const WIDTH = [KEY_BYTES, 8, 4, 4, 4, 4, 4, 1, 1, 4, 4] as const;
const DEVICE = 9, COUNTRY = 10;
const dictionaryId = (field: number) => (BUCKET_FIELDS[field]!.type as arrow.Dictionary).id;

/** A framed IPC message: continuation marker, metadata length, flatbuffer, zero padding to 8 bytes. */
interface Framed {
  readonly flatbuffer: Uint8Array;
  /** Framed metadata bytes (a multiple of 8): the file block's metaDataLength. */
  readonly length: number;
  readonly bodyLength: number;
}

function framed(message: Message, bodyLength: number): Framed {
  const flatbuffer = Message.encode(message);
  return { flatbuffer, length: pad8(flatbuffer.length + 8), bodyLength };
}

/**
 * The footer (the schema, the record batch's block, the two dictionary
 * batches' blocks) differs from file to file only in the blocks: flatbuffer
 * structs stored inline at fixed places. Encoding the schema each time cost
 * ~0.1 ms a file (profiled), so the footer is encoded once with marker blocks,
 * the markers are found, and each file's footer is a copy with the blocks written in.
 */
let template: { readonly bytes: Uint8Array; readonly at: readonly number[] } | null = null;

/** Blocks: the record batch's, then the dictionaries'. */
function footerOf(blocks: readonly FileBlock[]): Uint8Array {
  if (!template) {
    const marker = (k: number) => new FileBlock(0x5a5a5a50 + k, 0x3c3c3c3c3c30 + k, 0x7e7e7e7e7e70 + k);
    const bytes = Footer.encode(new Footer(BUCKET_SCHEMA, MetadataVersion.V5, [marker(0)], [marker(1), marker(2)]));
    const dv = new DataView(bytes.buffer, bytes.byteOffset, bytes.byteLength);
    const at = [0, 1, 2].map((k) => {
      const m = marker(k);
      const found: number[] = [];
      for (let p = 0; p + BLOCK_BYTES <= bytes.length; p += 4) {
        if (readInt64(dv, p) === Number(m.offset) && dv.getInt32(p + 8, true) === m.metaDataLength && readInt64(dv, p + 16) === Number(m.bodyLength)) found.push(p);
      }
      invariant(found.length === 1, () => `footer template: block ${k} found at ${found.length} places`);
      return found[0]!;
    });
    template = { bytes, at };
  }
  const out = template.bytes.slice();
  const dv = new DataView(out.buffer);
  blocks.forEach((b, k) => {
    const p = template!.at[k]!;
    writeInt64(dv, p, Number(b.offset));
    dv.setInt32(p + 8, b.metaDataLength, true);
    writeInt64(dv, p + 16, Number(b.bodyLength));
  });
  return out;
}

/** A Block struct: offset (int64), metaDataLength (int32, then 4 bytes of padding), bodyLength (int64). */
const BLOCK_BYTES = 24;
const readInt64 = (dv: DataView, p: number) => dv.getInt32(p + 4, true) * 4294967296 + dv.getUint32(p, true);
function writeInt64(dv: DataView, p: number, v: number): void {
  const hi = Math.floor(v / 4294967296);
  dv.setUint32(p, v - hi * 4294967296, true);
  dv.setInt32(p + 4, hi, true);
}

/** A dictionary column's entries for one file: the codes used, in order of first use, as UTF-8. */
interface FileDictionary {
  readonly used: number;
  readonly offsets: Int32Array;
  readonly bytes: number;
}

/**
 * Gathers rows order[start, end) of a block into one bucket file's bytes: an
 * uncompressed Arrow IPC file with a single record batch, byte for byte what
 * Arrow JS's `tableToIPC(table, 'file')` writes for the same columns (tested),
 * but written directly. The layout of this fixed schema is known from the row
 * count and the two dictionaries alone, so the file is sized once, every column
 * is gathered straight into its place in it, and the buffer index comes from
 * the layout (no second parse). Each dictionary column holds only the codes its
 * rows use, in order of first use. An empty range gives an empty (0-byte) file.
 *
 * Layout (docs/smb-format.md): magic and 2 bytes of padding; a dictionary batch
 * for device_class, then one for country; the record batch; an end-of-stream
 * marker; the footer (schema and blocks), its length, the magic. Every message's
 * metadata and every buffer is padded to 8 bytes, so columns can be viewed in place.
 */
export class BucketWriter {
  private remap = [new Int32Array(0), new Int32Array(0)];
  private usedCodes = [new Int32Array(0), new Int32Array(0)];

  encode(b: RowBlock, order: Uint32Array, start: number, end: number): EncodedBucket {
    const n = end - start;
    if (n === 0) return { bytes: new Uint8Array(0), buffers: undefined };
    const tables = [stringTable(b.devices), stringTable(b.countries)];
    const dicts = [this.firstUse(0, b.device, order, start, end, tables[0]!), this.firstUse(1, b.country, order, start, end, tables[1]!)];

    // Messages first (their sizes fix every position), then one buffer for the whole file.
    const dictMessages = dicts.map((d, k) => {
      const offsetsBytes = pad8(4 * (d.used + 1));
      const body = offsetsBytes + pad8(d.bytes);
      const regions = [new BufferRegion(0, 0), new BufferRegion(0, offsetsBytes), new BufferRegion(offsetsBytes, pad8(d.bytes))];
      const header = new BatchHeader(d.used, [new FieldNode(d.used, 0)], regions, null, []);
      return framed(Message.from(new DictionaryBatch(header, dictionaryId(k === 0 ? DEVICE : COUNTRY), false), body), body);
    });
    const nodes: FieldNode[] = [];
    const regions: BufferRegion[] = [];
    const valuesAt: number[] = [];
    let body = 0;
    for (const w of WIDTH) {
      nodes.push(new FieldNode(n, 0));
      regions.push(new BufferRegion(body, 0), new BufferRegion(body, pad8(w * n)));
      valuesAt.push(body);
      body += pad8(w * n);
    }
    const batchMessage = framed(Message.from(new BatchHeader(n, nodes, regions, null, []), body), body);

    let at = 8;
    const dictBlocks = dictMessages.map((m) => {
      const block = new FileBlock(m.length, m.bodyLength, at);
      at += m.length + m.bodyLength;
      return block;
    });
    const batchAt = at;
    at += batchMessage.length + batchMessage.bodyLength;
    const footer = footerOf([new FileBlock(batchMessage.length, body, batchAt), ...dictBlocks]);
    const total = at + 8 + footer.length + 4 + MAGIC.length;

    const bytes = new Uint8Array(total);
    const dv = new DataView(bytes.buffer);
    bytes.set(MAGIC, 0);
    const writeMessage = (m: Framed, pos: number) => {
      dv.setInt32(pos, -1, true);
      dv.setInt32(pos + 4, m.length - 8, true);
      bytes.set(m.flatbuffer, pos + 8);
      return pos + m.length;
    };
    dicts.forEach((d, k) => {
      const pos = writeMessage(dictMessages[k]!, Number(dictBlocks[k]!.offset));
      bytes.set(new Uint8Array(d.offsets.buffer, 0, 4 * (d.used + 1)), pos);
      const t = tables[k]!, used = this.usedCodes[k]!;
      let p = pos + pad8(4 * (d.used + 1));
      for (let u = 0; u < d.used; u++) {
        const c = used[u]!;
        bytes.set(t.bytes.subarray(t.offsets[c]!, t.offsets[c + 1]!), p);
        p += t.offsets[c + 1]! - t.offsets[c]!;
      }
    });
    const bodyAt = writeMessage(batchMessage, batchAt);
    this.gather(b, order, start, n, bytes.buffer, valuesAt.map((v) => bodyAt + v));
    dicts.forEach((d, k) => {
      const remap = this.remap[k]!, used = this.usedCodes[k]!;
      for (let u = 0; u < d.used; u++) remap[used[u]!] = -1;
    });
    const eos = at;
    dv.setInt32(eos, -1, true);
    dv.setInt32(eos + 4, 0, true);
    bytes.set(footer, eos + 8);
    dv.setInt32(eos + 8 + footer.length, footer.length, true);
    bytes.set(MAGIC, eos + 12 + footer.length);

    const v = (field: number) => bodyAt + valuesAt[field]!;
    return { bytes, buffers: { keys: v(0), ts: v(1), track: v(2), artist: v(3), album: v(4), ms: v(5), arrival: v(6), source: v(7), priv: v(8) } };
  }

  /**
   * The dictionary of column k for rows order[start, end): the codes used, in
   * order of first use (`usedCodes[k]`), their UTF-8 offsets, and `remap[k]`
   * set from each used code to its index (cleared again once the file is written).
   */
  private firstUse(k: number, codes: Int32Array, order: Uint32Array, start: number, end: number, t: StringTable): FileDictionary {
    const size = t.offsets.length - 1;
    if (this.remap[k]!.length < size) this.remap[k] = new Int32Array(Math.max(size, 2 * this.remap[k]!.length)).fill(-1);
    if (this.usedCodes[k]!.length < size) this.usedCodes[k] = new Int32Array(Math.max(size, 2 * this.usedCodes[k]!.length));
    const remap = this.remap[k]!, used = this.usedCodes[k]!;
    let count = 0;
    for (let i = start; i < end; i++) {
      const c = codes[order[i]!]!;
      if (remap[c]! < 0) {
        remap[c] = count;
        used[count++] = c;
      }
    }
    const offsets = new Int32Array(count + 1);
    let bytes = 0;
    for (let u = 0; u < count; u++) offsets[u + 1] = bytes += t.offsets[used[u]! + 1]! - t.offsets[used[u]!]!;
    return { used: count, offsets, bytes };
  }

  /** Writes every column of rows order[start, start + n) at its place in the file (`at`: byte offsets, BUCKET_FIELDS order). */
  private gather(b: RowBlock, order: Uint32Array, start: number, n: number, buf: ArrayBufferLike, at: readonly number[]): void {
    const keyWords = new Uint32Array(buf, at[0], n * 4);
    const tsWords = new Int32Array(buf, at[1], n * 2);
    const i32 = (field: number) => new Int32Array(buf, at[field], n);
    const track = i32(2), artist = i32(3), album = i32(4), ms = i32(5), arrival = i32(6), device = i32(DEVICE), country = i32(COUNTRY);
    const source = new Int8Array(buf, at[7], n);
    const priv = new Uint8Array(buf, at[8], n);
    // Keys are copied as four 32-bit words (a raw copy: byte order is kept).
    const userWords = new Uint32Array(b.userKeys.buffer, b.userKeys.byteOffset, b.userKeys.length >> 2);
    const devRemap = this.remap[0]!, ctyRemap = this.remap[1]!;
    const bUser = b.user, bTs = b.ts, bTrack = b.track, bArtist = b.artist, bAlbum = b.album, bMs = b.ms, bArrival = b.arrival;
    const bSource = b.source, bPriv = b.priv, bDevice = b.device, bCountry = b.country;
    for (let i = 0; i < n; i++) {
      const r = order[start + i]!;
      const u = bUser[r]! * 4;
      const o = i * 4;
      keyWords[o] = userWords[u]!;
      keyWords[o + 1] = userWords[u + 1]!;
      keyWords[o + 2] = userWords[u + 2]!;
      keyWords[o + 3] = userWords[u + 3]!;
      const v = bTs[r]!;
      const hi = Math.floor(v / 4294967296);
      tsWords[2 * i] = (v - hi * 4294967296) | 0;
      tsWords[2 * i + 1] = hi;
      track[i] = bTrack[r]!;
      artist[i] = bArtist[r]!;
      album[i] = bAlbum[r]!;
      ms[i] = bMs[r]!;
      arrival[i] = bArrival[r]!;
      source[i] = bSource[r]!;
      priv[i] = bPriv[r]!;
      device[i] = devRemap[bDevice[r]!]!;
      country[i] = ctyRemap[bCountry[r]!]!;
    }
  }
}
