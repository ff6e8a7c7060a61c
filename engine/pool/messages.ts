/**
 * The message between the coordinator and a pool worker: which module and
 * export to run, and its input (descriptors and small values, never rows).
 */
export interface WorkerTask<I> {
  /** A file: URL of the worker module. */
  readonly module: string;
  /** The exported function to call with `input`. */
  readonly fn: string;
  readonly input: I;
}
