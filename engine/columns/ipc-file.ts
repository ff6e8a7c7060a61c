import * as arrow from 'apache-arrow';
import { MetadataVersion } from 'apache-arrow/enum';
import { FileBlock, Footer } from 'apache-arrow/ipc/metadata/file';
import { BufferRegion, FieldNode, Message, RecordBatch as BatchHeader } from 'apache-arrow/ipc/metadata/message';
import { invariant } from '../errors/invariant.ts';

/** "ARROW1": the IPC file format's leading and trailing magic. */
export const MAGIC = Uint8Array.from('ARROW1', (c) => c.charCodeAt(0));
export const pad8 = (x: number) => (x + 7) & ~7;

/** A framed IPC message: continuation marker, metadata length, flatbuffer, zero padding to 8 bytes. */
export interface Framed {
  readonly flatbuffer: Uint8Array;
  /** Framed metadata bytes (a multiple of 8): the file block's metaDataLength. */
  readonly length: number;
  readonly bodyLength: number;
}

export function framed(message: Message, bodyLength: number): Framed {
  const flatbuffer = Message.encode(message);
  return { flatbuffer, length: pad8(flatbuffer.length + 8), bodyLength };
}

/** Writes a framed message's metadata at `pos`; returns where its body starts. */
export function writeFramed(bytes: Uint8Array, dv: DataView, m: Framed, pos: number): number {
  dv.setInt32(pos, -1, true);
  dv.setInt32(pos + 4, m.length - 8, true);
  bytes.set(m.flatbuffer, pos + 8);
  return pos + m.length;
}

/** Bytes per row of a field's values: Int32, Float64, FixedSizeBinary, or a FixedSizeList of Int32 or Float64. */
function rowBytes(type: arrow.DataType): number {
  if (type instanceof arrow.Int32) return 4;
  if (type instanceof arrow.Float64) return 8;
  if (type instanceof arrow.FixedSizeBinary) return type.byteWidth;
  if (type instanceof arrow.FixedSizeList) return type.listSize * rowBytes(type.children[0]!.type);
  throw new TypeError(`no fixed-width IPC layout for ${type}`);
}

/** A buffer reused for the files laid out one after another (each is written out before the next is laid out). */
export class IpcScratch {
  private buffer = new ArrayBuffer(0);

  /** `size` zeroed bytes at the start of the buffer, valid until the next call. */
  take(size: number): Uint8Array {
    if (size > this.buffer.byteLength) this.buffer = new ArrayBuffer(Math.max(size, 2 * this.buffer.byteLength));
    return new Uint8Array(this.buffer, 0, size).fill(0);
  }
}

/**
 * An uncompressed Arrow IPC file of one record batch of fixed-width columns
 * without nulls (Int32, Float64, FixedSizeBinary, FixedSizeList of either
 * number type), laid out before it is filled: the file is sized once from the
 * row count, its messages and footer are written, and each column's values
 * are left for the caller to write in place through `column`. Byte for byte
 * what Arrow JS's `tableToIPC(table, 'file')` writes for the same columns
 * (tested), without building the table or copying its buffers again.
 *
 * Layout: magic and 2 bytes of padding; the record batch (message, then each
 * column's values, every buffer padded to 8 bytes); an end-of-stream marker;
 * the footer (schema and the batch's block), its length, the magic.
 */
export class IpcFileLayout {
  readonly bytes: Uint8Array;
  /** Byte offset in `bytes` of each field's values (a list's: its child's). */
  private readonly values: number[] = [];

  /** With `scratch`, the bytes are a view of its buffer, valid until its next use; else a buffer of their own. */
  constructor(readonly fields: readonly arrow.Field[], readonly n: number, scratch?: IpcScratch) {
    const nodes: FieldNode[] = [];
    const regions: BufferRegion[] = [];
    const valuesAt: number[] = [];
    let body = 0;
    for (const f of fields) {
      const bytes = rowBytes(f.type) * n;
      nodes.push(new FieldNode(n, 0));
      regions.push(new BufferRegion(body, 0));
      // A list: its node and (empty) validity, then its child's.
      if (f.type instanceof arrow.FixedSizeList) {
        nodes.push(new FieldNode(n * f.type.listSize, 0));
        regions.push(new BufferRegion(body, 0));
      }
      regions.push(new BufferRegion(body, pad8(bytes)));
      valuesAt.push(body);
      body += pad8(bytes);
    }
    const batch = framed(Message.from(new BatchHeader(n, nodes, regions, null, []), body), body);
    const footer = Footer.encode(new Footer(new arrow.Schema([...fields]), MetadataVersion.V5, [new FileBlock(batch.length, body, 8)], []));
    const eos = 8 + batch.length + body;
    const size = eos + 8 + footer.length + 4 + MAGIC.length;
    this.bytes = scratch ? scratch.take(size) : new Uint8Array(size);
    const dv = new DataView(this.bytes.buffer, this.bytes.byteOffset, size);
    this.bytes.set(MAGIC, 0);
    const bodyAt = writeFramed(this.bytes, dv, batch, 8);
    for (const v of valuesAt) this.values.push(bodyAt + v);
    dv.setInt32(eos, -1, true);
    dv.setInt32(eos + 4, 0, true);
    this.bytes.set(footer, eos + 8);
    dv.setInt32(eos + 8 + footer.length, footer.length, true);
    this.bytes.set(MAGIC, eos + 12 + footer.length);
  }

  /** Field k's values, to be written in place: Int32Array or Float64Array by its (child) type, Uint8Array for binary. */
  column(k: number): Int32Array | Float64Array | Uint8Array {
    const f = this.fields[k];
    invariant(f !== undefined, `IPC layout: no field ${k} of ${this.fields.length}`);
    const type = f.type instanceof arrow.FixedSizeList ? f.type.children[0]!.type : f.type;
    const count = (rowBytes(f.type) * this.n) / (type instanceof arrow.Float64 ? 8 : type instanceof arrow.Int32 ? 4 : 1);
    const at = this.values[k]!;
    const b = this.bytes.buffer, o = this.bytes.byteOffset + at;
    if (type instanceof arrow.Float64) return new Float64Array(b, o, count);
    if (type instanceof arrow.Int32) return new Int32Array(b, o, count);
    return new Uint8Array(b, o, count);
  }
}
