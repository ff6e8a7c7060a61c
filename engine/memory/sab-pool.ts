import * as fs from 'node:fs';
import { describeCause, wrappedError } from '../errors/registry.ts';

/**
 * Reusable SharedArrayBuffers for bucket bytes. Touching fresh memory is slow
 * on these machines (~2 s per GiB), so buffers are kept and handed out again;
 * sizes round up to a power of two so they fit the next bucket too.
 *
 * This is the pure-JS mapping path: files are read into shared memory with
 * readSync (one copy from the page cache). The mmap addon (`mmap-file.ts`)
 * wraps the page cache itself instead; docs/benchmarks.md measures both.
 */
export class SabPool {
  private readonly free: SharedArrayBuffer[] = [];
  bytesMapped = 0;

  take(bytes: number): SharedArrayBuffer {
    const i = this.free.findIndex((b) => b.byteLength >= bytes);
    if (i >= 0) return this.free.splice(i, 1)[0]!;
    let size = 1 << 20;
    while (size < bytes) size *= 2;
    return new SharedArrayBuffer(size);
  }

  give(sab: SharedArrayBuffer): void {
    this.free.push(sab);
  }
}

/** Reads files back to back into one shared buffer (each start 8-byte aligned). */
export function readFilesInto(pool: SabPool, files: readonly string[]): { sab: SharedArrayBuffer; offsets: number[]; lengths: number[] } {
  const lengths = files.map((f) => {
    try {
      return fs.statSync(f).size;
    } catch (e) {
      throw wrappedError('ERR_IO', { op: 'reading', path: f, cause: describeCause(e) }, e);
    }
  });
  const offsets: number[] = [];
  let total = 0;
  for (const n of lengths) {
    offsets.push(total);
    total += (n + 7) & ~7;
  }
  const sab = pool.take(total);
  files.forEach((f, i) => {
    const fd = fs.openSync(f, 'r');
    try {
      const view = new Uint8Array(sab, offsets[i]!, lengths[i]!);
      let at = 0;
      while (at < view.length) {
        const got = fs.readSync(fd, view, at, view.length - at, at);
        if (got === 0) throw wrappedError('ERR_IO', { op: 'reading', path: f, cause: `file shorter than its ${lengths[i]} bytes` });
        at += got;
      }
    } finally {
      fs.closeSync(fd);
    }
  });
  pool.bytesMapped += total;
  return { sab, offsets, lengths };
}
