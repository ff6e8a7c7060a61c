import * as fs from 'node:fs';
import * as path from 'node:path';
import { describeCause, wrappedError } from '../errors/registry.ts';

/*
 * Its own module, not parquet-io's: a worker that only writes files (enrich,
 * rank, package, roll-up) would otherwise load parquet-wasm with it: ~35 ms per
 * worker start (measured) for a 5 MB WebAssembly module it never calls.
 */

/** Writes bytes to `file` through a temporary file and a rename. */
export function writeFileAtomic(file: string, bytes: Uint8Array | string): void {
  const tmp = path.join(path.dirname(file), `.${path.basename(file)}.${process.pid}.tmp`);
  try {
    fs.mkdirSync(path.dirname(file), { recursive: true });
    fs.writeFileSync(tmp, bytes);
    fs.renameSync(tmp, file);
  } catch (e) {
    fs.rmSync(tmp, { force: true });
    throw wrappedError('ERR_IO', { op: 'writing', path: file, cause: describeCause(e) }, e);
  }
}
