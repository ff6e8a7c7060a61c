import * as path from 'node:path';
import { wrappedError } from '../errors/registry.ts';
import { readBucketFile, type BucketColumns, type BucketViews } from './bucket-file.ts';
import type { BufferIndex } from './metadata.ts';
import { checkDictionaryRef, DICTIONARY_COLUMNS } from './dictionary.ts';
import { checkCompatible, readMetadata, type BucketMetadata } from './metadata.ts';

/**
 * How sources with different bucket counts are read together (all counts are
 * powers of two, so they divide each other):
 * - `min`: logical buckets = the smallest count; logical bucket j of a source
 *   with n buckets is its physical buckets j, j + N, j + 2N, … (all rows).
 * - `max`: logical buckets = the largest count; a source with n < N buckets
 *   contributes physical bucket j mod n, keeping only rows whose key hashes to
 *   j among N (the rehash rule: no key is emitted twice).
 * - `auto`: `max` when the counts differ by at most 4× (more parallelism for
 *   little re-reading), else `min`.
 */
export type Strategy = 'min' | 'max' | 'auto';
export const STRATEGIES: readonly Strategy[] = ['min', 'max', 'auto'];

export interface SmbPartition {
  readonly dir: string;
  readonly metadata: BucketMetadata;
}

/** One input of a logical bucket: a bucket file's columns and the rehash filter that applies to it. */
export interface BucketInput<C extends BucketViews = BucketColumns> {
  readonly partition: number;
  readonly columns: C;
  /** The bucket file it was read from (for errors naming it). */
  readonly file?: string;
  /** When > 0, keep only keys with hash & (filterBuckets - 1) === filterBucket. */
  readonly filterBuckets: number;
  readonly filterBucket: number;
}

export class SmbSource {
  readonly numBuckets: number;
  readonly strategy: Exclude<Strategy, 'auto'>;

  private constructor(readonly partitions: readonly SmbPartition[], strategy: Strategy) {
    const counts = partitions.map((p) => p.metadata.numBuckets);
    const min = Math.min(...counts);
    const max = Math.max(...counts);
    this.strategy = strategy === 'auto' ? (max / min <= 4 ? 'max' : 'min') : strategy;
    this.numBuckets = this.strategy === 'min' ? min : max;
  }

  /**
   * Opens partition directories (in the order given: arrival order) and checks
   * that they can be merged. With `smb`, also checks each partition's id
   * dictionaries against that store. Reads only metadata.json here.
   */
  static open(dirs: readonly string[], options: { strategy?: Strategy; smb?: string } = {}): SmbSource {
    const strategy = options.strategy ?? 'auto';
    if (!STRATEGIES.includes(strategy)) throw wrappedError('ERR_SMB_BAD_OPTION', { option: 'strategy', expected: 'min, max or auto', actual: String(strategy) });
    if (dirs.length === 0) throw wrappedError('ERR_SMB_BAD_OPTION', { option: 'sources', expected: 'at least one SMB partition directory', actual: 'none' });
    const partitions = dirs.map((dir) => ({ dir, metadata: readMetadata(dir) }));
    const first = partitions[0]!;
    for (const p of partitions.slice(1)) checkCompatible(first.metadata, first.dir, p.metadata, p.dir);
    if (options.smb) {
      for (const p of partitions) for (const c of DICTIONARY_COLUMNS) checkDictionaryRef(options.smb, c, p.metadata.dictionaries[c], p.dir);
    }
    return new SmbSource(partitions, strategy);
  }

  /** Total rows over all partitions. */
  get rows(): number {
    return this.partitions.reduce((s, p) => s + p.metadata.rows, 0);
  }

  /** The physical bucket files that make up logical bucket j, with their filters. Files are not read. */
  plan(j: number): Array<{ partition: number; file: string; rows: number; bytes: number; buffers?: BufferIndex; filterBuckets: number; filterBucket: number }> {
    const out: Array<{ partition: number; file: string; rows: number; bytes: number; buffers?: BufferIndex; filterBuckets: number; filterBucket: number }> = [];
    const N = this.numBuckets;
    this.partitions.forEach((p, pi) => {
      const n = p.metadata.numBuckets;
      const physical: number[] = [];
      if (n >= N) for (let b = j; b < n; b += N) physical.push(b);
      else physical.push(j & (n - 1));
      const filterBuckets = n < N ? N : 0;
      for (const f of p.metadata.files) {
        if (physical.includes(f.bucket)) out.push({ partition: pi, file: path.join(p.dir, f.name), rows: f.rows, bytes: f.bytes, buffers: f.buffers, filterBuckets, filterBucket: j });
      }
    });
    return out;
  }

  /**
   * Reads logical bucket j: every contributing file, read whole and closed
   * (a reader never holds files open, however many partitions there are).
   * Memory is one logical bucket across all partitions.
   */
  readBucket(j: number): BucketInput[] {
    return this.plan(j).map((x) => ({ partition: x.partition, file: x.file, columns: readBucketFile(x.file, x.rows), filterBuckets: x.filterBuckets, filterBucket: x.filterBucket }));
  }
}
