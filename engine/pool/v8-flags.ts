import * as v8 from 'node:v8';
import { wrappedError } from '../errors/registry.ts';

/**
 * V8 settings Wrapped runs with. V8's flags are per process: set here, they
 * hold for the main thread and for every worker started afterwards (a worker
 * cannot take V8 flags of its own).
 *
 * `--max-inlined-bytecode-size-cumulative` (V8's default 920) caps how much
 * bytecode TurboFan inlines into one function. Each worker is its own isolate
 * and compiles everything again, in background threads that share the same
 * cores as the workers: in a bucketing run on two cores, TurboFan took ~22% of
 * all CPU (perf), much of it on large glue functions (reading a Parquet file,
 * encoding a bucket file) that inline Arrow's code and are compiled again
 * after each deopt. With 150 the whole run was 1.04× as fast in the harness's
 * comparison (4–7% in alternating runs) and stage 1's kernel used the same
 * task CPU (docs/benchmarks.md, session 11).
 */
export const V8_FLAGS: readonly string[] = ['--max-inlined-bytecode-size-cumulative=150'];

/**
 * The environment variable that replaces V8_FLAGS (space-separated; empty:
 * V8's defaults). Only flags V8 reads when it compiles can change in a running
 * process: a garbage-collector flag set this way crashed V8 here
 * (`--single-threaded-gc`: a failed check in its marker at the next full
 * collection), so such flags are refused with a pointer to the node command line.
 */
export const V8_FLAGS_ENV = 'WRAPPED_V8_FLAGS';

let applied: readonly string[] | null = null;

/** The flag's name: `--name=value` → `--name`. */
const flagName = (f: string) => f.split('=')[0]!;

/** Flags about the heap, its collectors or V8's threads (by name): only the node command line can give them. */
const MEMORY_FLAG = /gc|heap|mark|sweep|scaveng|compact|space|minor-mc|concurrent|parallel/;

/**
 * The flags to set: V8_FLAGS, or $WRAPPED_V8_FLAGS when set, less any flag
 * the node command line already gives (`node --max-inlined-…=500 …` wins).
 */
export function v8FlagsToApply(env: NodeJS.ProcessEnv = process.env, execArgv: readonly string[] = process.execArgv): string[] {
  const wanted = env[V8_FLAGS_ENV] !== undefined ? env[V8_FLAGS_ENV]!.split(/\s+/).filter(Boolean) : [...V8_FLAGS];
  for (const f of wanted) if (MEMORY_FLAG.test(flagName(f).replaceAll('_', '-'))) throw wrappedError('ERR_V8_FLAG_NOT_SETTABLE', { variable: V8_FLAGS_ENV, flag: f });
  const given = new Set(execArgv.map((a) => flagName(a).replaceAll('_', '-')));
  return wanted.filter((f) => !given.has(flagName(f).replaceAll('_', '-')));
}

/** The flags `applyV8Flags` set in this process, or null before it ran. */
export function appliedV8Flags(): readonly string[] | null {
  return applied;
}

/**
 * Sets Wrapped's V8 flags, once per process. The CLI calls it before running
 * a command; the worker pool calls it before starting workers (for library
 * users and benchmarks). Returns the flags set.
 */
export function applyV8Flags(): readonly string[] {
  if (applied) return applied;
  applied = v8FlagsToApply();
  for (const f of applied) v8.setFlagsFromString(f);
  return applied;
}
