import * as arrow from 'apache-arrow';
import { MetadataVersion } from 'apache-arrow/enum';
import { FileBlock, Footer } from 'apache-arrow/ipc/metadata/file';
import { BufferRegion, DictionaryBatch, FieldNode, Message, RecordBatch as BatchHeader } from 'apache-arrow/ipc/metadata/message';
import { framed, MAGIC, pad8, writeFramed, type Framed } from '../columns/ipc-file.ts';
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

/** Bytes per row of each field's values buffer, in BUCKET_FIELDS order (the two dictionary columns hold int32 indexes). */
const WIDTH = [KEY_BYTES, 8, 4, 4, 4, 4, 4, 1, 1, 4, 4] as const;
const DEVICE = 9, COUNTRY = 10;
const dictionaryId = (field: number) => (BUCKET_FIELDS[field]!.type as arrow.Dictionary).id;

/**
 * The footer (the schema, the record batch's block, the two dictionary
 * batches' blocks) differs from file to file only in the blocks: flatbuffer
 * structs stored inline at fixed places. Encoding the schema each time cost
 * ~0.1 ms a file (profiled), so the footer is encoded once with marker blocks,
 * the markers are found, and each file's footer is a copy with the blocks written in.
 */
let template: { readonly bytes: Uint8Array; readonly at: readonly number[] } | null = null;

/** The framed message of a dictionary batch: column `field`'s dictionary `d`. */
function dictionaryMessage(d: FileDictionary, field: number): Framed {
  const offsetsBytes = pad8(4 * (d.used + 1));
  const body = offsetsBytes + pad8(d.bytes);
  const regions = [new BufferRegion(0, 0), new BufferRegion(0, offsetsBytes), new BufferRegion(offsetsBytes, pad8(d.bytes))];
  const header = new BatchHeader(d.used, [new FieldNode(d.used, 0)], regions, null, []);
  return framed(Message.from(new DictionaryBatch(header, dictionaryId(field), false), body), body);
}

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

/** A file being encoded: its rows order[start, start + n), its bytes, and where each field's values start in them. */
interface LaidOut {
  readonly start: number;
  readonly n: number;
  readonly bytes: Uint8Array;
  /** Byte offset in `bytes` of each field's values buffer, BUCKET_FIELDS order. */
  readonly values: Int32Array;
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
 * Rows are gathered a column at a time, over every file of a call
 * (`encodeRanges`): the rows a file takes are spread over the whole block, so
 * one pass per column serves all of a day's files. Measured in place against
 * the row-at-a-time gather it replaced: 6–13% faster with the reused buffer
 * below; a column at a time per file was 10–19% slower (docs/benchmarks.md,
 * session 15).
 *
 * Layout (docs/smb-format.md): magic and 2 bytes of padding; a dictionary batch
 * for device_class, then one for country; the record batch; an end-of-stream
 * marker; the footer (schema and blocks), its length, the magic. Every message's
 * metadata and every buffer is padded to 8 bytes, so columns can be viewed in place.
 */
export class BucketWriter {
  private remap = [new Int32Array(0), new Int32Array(0)];
  private usedCodes = [new Int32Array(0), new Int32Array(0)];
  /**
   * The files' bytes are cut from this buffer, reused from call to call
   * (with fresh buffers, the batched gather gained −1 to 2% instead of 6–13%;
   * docs/benchmarks.md, session 15).
   */
  private arena = new ArrayBuffer(0);
  private arenaUsed = 0;

  /** The file of rows order[start, end). Its bytes are valid until this writer's next call. */
  encode(b: RowBlock, order: Uint32Array, start: number, end: number): EncodedBucket {
    return this.encodeRanges(b, order, [start, end])[0]!;
  }

  /**
   * Files of rows order[bounds[k], bounds[k + 1]) for each k, gathered
   * together (see above). Their bytes are valid until this writer's next call.
   */
  encodeRanges(b: RowBlock, order: Uint32Array, bounds: ArrayLike<number>): EncodedBucket[] {
    this.arenaUsed = 0;
    const tables = [stringTable(b.devices), stringTable(b.countries)] as const;
    const out: EncodedBucket[] = [];
    const files: LaidOut[] = [];
    for (let k = 0; k + 1 < bounds.length; k++) {
      const start = bounds[k]!, n = bounds[k + 1]! - start;
      if (n === 0) {
        out.push({ bytes: new Uint8Array(0), buffers: undefined });
        continue;
      }
      const f = this.layOut(b, order, start, n, tables);
      files.push(f);
      const v = f.values;
      out.push({ bytes: f.bytes, buffers: { keys: v[0]!, ts: v[1]!, track: v[2]!, artist: v[3]!, album: v[4]!, ms: v[5]!, arrival: v[6]!, source: v[7]!, priv: v[8]! } });
    }
    gatherKeys(b, order, files);
    gatherTs(b.ts, order, files);
    gatherI32(b.track, order, files, 2);
    gatherI32(b.artist, order, files, 3);
    gatherI32(b.album, order, files, 4);
    gatherI32(b.ms, order, files, 5);
    gatherI32(b.arrival, order, files, 6);
    gatherBytes(b.source, order, files, 7);
    gatherBytes(b.priv, order, files, 8);
    return out;
  }

  /**
   * Sizes one file and writes everything but the gathered columns: the
   * messages, the two dictionaries and their index columns, the footer.
   */
  private layOut(b: RowBlock, order: Uint32Array, start: number, n: number, tables: readonly [StringTable, StringTable]): LaidOut {
    const end = start + n;
    const dicts = [this.firstUse(0, b.device, order, start, end, tables[0]), this.firstUse(1, b.country, order, start, end, tables[1])];

    // Messages first (their sizes fix every position), then one buffer for the whole file.
    // Arrays here are literals or pushed to, not made by `map`: V8's `map` returns a packed array
    // before its caller is optimized and a holey one after, and each such change of an array's
    // map deoptimized layOut and the gathers again (--trace-deopt; docs/benchmarks.md, session 16).
    const dictMessages = [dictionaryMessage(dicts[0], DEVICE), dictionaryMessage(dicts[1], COUNTRY)];
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
    const dictBlocks: FileBlock[] = [];
    for (const m of dictMessages) {
      dictBlocks.push(new FileBlock(m.length, m.bodyLength, at));
      at += m.length + m.bodyLength;
    }
    const batchAt = at;
    at += batchMessage.length + batchMessage.bodyLength;
    const footer = footerOf([new FileBlock(batchMessage.length, body, batchAt), dictBlocks[0]!, dictBlocks[1]!]);
    const total = at + 8 + footer.length + 4 + MAGIC.length;

    const bytes = this.take(total);
    const dv = new DataView(bytes.buffer, bytes.byteOffset, bytes.byteLength);
    bytes.set(MAGIC, 0);
    const writeMessage = (m: Framed, pos: number) => writeFramed(bytes, dv, m, pos);
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
    const values = new Int32Array(valuesAt.length);
    for (let k = 0; k < values.length; k++) values[k] = bodyAt + valuesAt[k]!;
    // The dictionary columns' indexes, while this file's remaps are set.
    this.gatherIndexes(0, b.device, order, start, n, new Int32Array(bytes.buffer, bytes.byteOffset + values[DEVICE]!, n));
    this.gatherIndexes(1, b.country, order, start, n, new Int32Array(bytes.buffer, bytes.byteOffset + values[COUNTRY]!, n));
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
    return { start, n, bytes, values };
  }

  /**
   * `size` zeroed bytes at the next 8-byte boundary of the arena (padding is
   * never written, so it must be zero); a new, larger arena when it is full.
   */
  private take(size: number): Uint8Array {
    let at = pad8(this.arenaUsed);
    if (at + size > this.arena.byteLength) {
      // Files already cut from the old arena keep it alive until they are dropped.
      this.arena = new ArrayBuffer(Math.max(pad8(size), 2 * this.arena.byteLength));
      at = 0;
    }
    this.arenaUsed = at + size;
    return new Uint8Array(this.arena, at, size).fill(0);
  }

  /**
   * The dictionary of column k for rows order[start, end): the codes used, in
   * order of first use (`usedCodes[k]`), their UTF-8 offsets, and `remap[k]`
   * set from each used code to its index (cleared again once the file is laid out).
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

  /** Dictionary column k's index of rows order[start, start + n), through the file's remap. */
  private gatherIndexes(k: number, codes: Int32Array, order: Uint32Array, start: number, n: number, dst: Int32Array): void {
    const remap = this.remap[k]!;
    for (let i = 0; i < n; i++) dst[i] = remap[codes[order[start + i]!]!]!;
  }
}

/** The user key column: each row's 16 key bytes, copied as four 32-bit words (a raw copy: byte order is kept). */
function gatherKeys(b: RowBlock, order: Uint32Array, files: readonly LaidOut[]): void {
  const userWords = new Uint32Array(b.userKeys.buffer, b.userKeys.byteOffset, b.userKeys.length >> 2);
  const bUser = b.user;
  for (const f of files) {
    const dst = new Uint32Array(f.bytes.buffer, f.bytes.byteOffset + f.values[0]!, f.n * 4);
    for (let i = 0, s = f.start; i < f.n; i++) {
      const u = bUser[order[s + i]!]! * 4;
      const o = i * 4;
      dst[o] = userWords[u]!;
      dst[o + 1] = userWords[u + 1]!;
      dst[o + 2] = userWords[u + 2]!;
      dst[o + 3] = userWords[u + 3]!;
    }
  }
}

/** The ts column: milliseconds (exact in a double) as little-endian int64 words. */
function gatherTs(ts: Float64Array, order: Uint32Array, files: readonly LaidOut[]): void {
  for (const f of files) {
    const dst = new Int32Array(f.bytes.buffer, f.bytes.byteOffset + f.values[1]!, f.n * 2);
    for (let i = 0, s = f.start; i < f.n; i++) {
      const v = ts[order[s + i]!]!;
      const hi = Math.floor(v / 4294967296);
      dst[2 * i] = (v - hi * 4294967296) | 0;
      dst[2 * i + 1] = hi;
    }
  }
}

function gatherI32(src: Int32Array, order: Uint32Array, files: readonly LaidOut[], field: number): void {
  for (const f of files) {
    const dst = new Int32Array(f.bytes.buffer, f.bytes.byteOffset + f.values[field]!, f.n);
    for (let i = 0, s = f.start; i < f.n; i++) dst[i] = src[order[s + i]!]!;
  }
}

/** One-byte columns (source is Int8, priv Uint8: their bytes are copied as they are). */
function gatherBytes(src: Int8Array | Uint8Array, order: Uint32Array, files: readonly LaidOut[], field: number): void {
  const bytes = new Uint8Array(src.buffer, src.byteOffset, src.length);
  for (const f of files) {
    const dst = new Uint8Array(f.bytes.buffer, f.bytes.byteOffset + f.values[field]!, f.n);
    for (let i = 0, s = f.start; i < f.n; i++) dst[i] = bytes[order[s + i]!]!;
  }
}
