import type { StageCatalog } from '../../engine/catalog/stage-catalog.ts';
import type { SummaryChunk } from './summary-columns.ts';
import type { SkipCounts, UserPartial } from './user-accumulator.ts';
import type { YearWindow } from './year-window.ts';

/**
 * One bucket file mapped into shared memory, described by where each column's
 * values sit in the buffer (found once by the coordinator; workers build
 * typed-array views, they parse nothing).
 */
export interface InputDescriptor {
  readonly sab: SharedArrayBuffer;
  readonly rows: number;
  /** Byte offsets in `sab` of: ts (int64), track, ms_played, arrival_day (int32), private_session (uint8). */
  readonly ts: number;
  readonly track: number;
  readonly ms: number;
  readonly arrival: number;
  readonly priv: number;
  /** Read with the sorted kernel: rows in roll-up order, (user_key, track, ts) (bucket-schema.ts ROLLUP_SORT_KEYS), and that kernel on. */
  readonly trackSorted: boolean;
  /** Each user's rows sorted by ts (a day partition, SORT_KEYS): `addRows` then hashes only what comes out of order. */
  readonly tsSorted: boolean;
  /** Overflow index → a code shared by all partitions (negative), so equal ids dedupe across partitions. */
  readonly overflowCode: Int32Array;
  /** Overflow index → catalog track index, or -1. */
  readonly overflowTrack: Int32Array;
}

/**
 * A stage-1 task: users of one logical bucket, given as row ranges in the
 * inputs (never rows). With `partial`, the task holds one slice of a heavy
 * user and returns that slice's partial aggregate.
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
  readonly partial: boolean;
  /**
   * A time slice of a heavy user whose ranges could not all be cut by ts (a
   * roll-up range is in track order): [lo, hi), rows outside it are another
   * slice's. Null otherwise.
   */
  readonly sliceTs: Float64Array | null;
}

export interface AggregateTaskResult {
  readonly bucket: number;
  /** The summaries of the task's users with a counted play, packed as columns (empty when `partial`). */
  readonly chunk: SummaryChunk;
  /** When `partial`: the slice's partial aggregate. */
  readonly partials: readonly UserPartial[];
  readonly skips: SkipCounts;
  readonly rows: number;
  readonly ms: number;
  /** The task's CPU time on its worker thread (engine/pool/thread-clock.ts); null without the clock. */
  readonly cpuMs: number | null;
}
