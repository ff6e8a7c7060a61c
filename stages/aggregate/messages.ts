import type { StageCatalog } from './catalog.ts';
import type { SkipCounts, UserPartial, UserSummary } from './user-accumulator.ts';
import type { YearWindow } from './year-window.ts';

/** One bucket file mapped into shared memory: where its bytes are, and how to read its track codes. */
export interface InputDescriptor {
  readonly sab: SharedArrayBuffer;
  readonly byteOffset: number;
  readonly byteLength: number;
  readonly rows: number;
  /** Overflow index → a code shared by all partitions (negative), so equal ids dedupe across partitions. */
  readonly overflowCode: Int32Array;
  /** Overflow index → catalog track index, or -1. */
  readonly overflowTrack: Int32Array;
}

/**
 * A stage-1 task: users of one logical bucket, given as row ranges in the
 * inputs (never rows). With `salt`, the task sees only the rows whose
 * duplicate-tuple hash falls in its slot, and returns partials.
 */
export interface AggregateTaskInput {
  readonly bucket: number;
  /** Identifies the catalog and window: a worker keeps its accumulator while this stays the same. */
  readonly runId: string;
  readonly catalog: StageCatalog;
  readonly window: YearWindow;
  readonly inputs: readonly InputDescriptor[];
  /** Users in key order: user u's ranges are triples [userRange[u], userRange[u + 1]). */
  readonly userRange: Int32Array;
  /** (input, start, end) triples. */
  readonly ranges: Int32Array;
  readonly offsets: Int16Array;
  readonly salt: { readonly count: number; readonly index: number } | null;
}

export interface AggregateTaskResult {
  readonly bucket: number;
  /** Per user of the task, in order: a summary (null when the user has no counted play), or a partial when salted. */
  readonly summaries: ReadonlyArray<UserSummary | null>;
  readonly partials: readonly UserPartial[];
  readonly skips: SkipCounts;
  readonly rows: number;
  readonly ms: number;
}
