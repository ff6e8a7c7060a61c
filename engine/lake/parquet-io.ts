import * as fs from 'node:fs';
import { createRequire } from 'node:module';
import * as arrow from 'apache-arrow';
import type * as ParquetWasm from 'parquet-wasm';
import { describeCause, wrappedError } from '../errors/registry.ts';
import { writeFileAtomic } from './atomic-file.ts';

/**
 * parquet-wasm's Node build is a CommonJS module. Imported from an ES module,
 * Node first scans its 100 KB of source for named exports (cjs-module-lexer),
 * and that scanner is hot enough to be compiled by TurboFan in every thread
 * that loads it: the main thread and each pool worker. `require` loads it
 * without the scan (measured in docs/benchmarks.md).
 */
const pw = createRequire(import.meta.url)('parquet-wasm') as typeof ParquetWasm;

/**
 * Parquet through parquet-wasm (arrow-rs compiled to WebAssembly): Arrow IPC in,
 * Parquet out, and back. Every failure names the file.
 */

export interface ParquetWriteOptions {
  /** Columns written without a dictionary (numeric columns: dictionary-encoding them costs time for little). */
  readonly plainColumns?: readonly string[];
  /** Columns written with DELTA_BINARY_PACKED (sorted-ish integers such as timestamps). */
  readonly deltaColumns?: readonly string[];
  readonly maxRowGroupSize?: number;
  /** Write chunk-level min/max statistics (off by default). */
  readonly statistics?: boolean;
}

function writerProperties(o: ParquetWriteOptions): ParquetWasm.WriterProperties {
  let b = new pw.WriterPropertiesBuilder()
    .setCompression(pw.Compression.SNAPPY)
    // Statistics cost ~20% of write time in parquet-wasm and nothing here reads them.
    .setStatisticsEnabled(o.statistics ? pw.EnabledStatistics.Chunk : pw.EnabledStatistics.None)
    .setCreatedBy('wrapped')
    .setMaxRowGroupSize(o.maxRowGroupSize ?? 262_144);
  for (const c of o.plainColumns ?? []) b = b.setColumnDictionaryEnabled(c, false);
  for (const c of o.deltaColumns ?? []) b = b.setColumnDictionaryEnabled(c, false).setColumnEncoding(c, pw.Encoding.DELTA_BINARY_PACKED);
  return b.build();
}

/** Encodes an Arrow table as Parquet bytes. */
export function encodeParquet(table: arrow.Table, options: ParquetWriteOptions = {}): Uint8Array {
  const wasmTable = pw.Table.fromIPCStream(arrow.tableToIPC(table, 'stream'));
  return pw.writeParquet(wasmTable, writerProperties(options));
}

/**
 * Writes a Parquet file atomically: to a temporary name in the same directory,
 * then renamed, so a reader never sees half a file.
 */
export function writeParquetFile(file: string, table: arrow.Table, options: ParquetWriteOptions = {}): number {
  let bytes: Uint8Array;
  try {
    bytes = encodeParquet(table, options);
  } catch (e) {
    throw wrappedError('ERR_PARQUET_WRITE', { file, cause: describeCause(e) }, e);
  }
  writeFileAtomic(file, bytes);
  return bytes.length;
}

/** Decodes Parquet bytes into an Arrow table (one batch per row group, at most `batchSize` rows). */
export function decodeParquet(file: string, bytes: Uint8Array, columns?: readonly string[]): arrow.Table {
  try {
    const t = pw.readParquet(bytes, { batchSize: 1 << 20, ...(columns ? { columns: [...columns] } : {}) });
    return arrow.tableFromIPC(t.intoIPCStream());
  } catch (e) {
    throw wrappedError('ERR_PARQUET_READ', { file, cause: `found ${describeCause(e)}` }, e);
  }
}

/** Reads a Parquet file into an Arrow table; an unreadable, corrupt or truncated file is an error naming it. */
export function readParquetFile(file: string, columns?: readonly string[]): arrow.Table {
  let bytes: Uint8Array;
  try {
    bytes = fs.readFileSync(file);
  } catch (e) {
    throw wrappedError('ERR_IO', { op: 'reading', path: file, cause: describeCause(e) }, e);
  }
  return decodeParquet(file, bytes, columns);
}

/** The row count of a Parquet file, from its footer only (the file is read in ranges, not whole). */
export async function parquetRowCount(file: string): Promise<number> {
  let f: ParquetWasm.ParquetFile | undefined;
  try {
    f = await pw.ParquetFile.fromFile(await fs.openAsBlob(file));
    return f.metadata().fileMetadata().numRows();
  } catch (e) {
    throw wrappedError('ERR_PARQUET_READ', { file, cause: `found ${describeCause(e)}` }, e);
  } finally {
    f?.free();
  }
}

/** Column names of a Parquet file, from its footer only. */
export function parquetColumnNames(file: string, bytes: Uint8Array): string[] {
  try {
    const schema = pw.readSchema(bytes);
    const t = arrow.tableFromIPC(schema.intoIPCStream());
    return t.schema.fields.map((f) => f.name);
  } catch (e) {
    throw wrappedError('ERR_PARQUET_READ', { file, cause: `found ${describeCause(e)}` }, e);
  }
}
