import { fileURLToPath } from 'node:url';
import { loadAddon, type AddonSpec, type Loaded } from '../native/native-addon.ts';

/**
 * The calling thread's CPU time, through a small addon
 * (engine/pool/thread-clock/thread-clock.cc, built on first use). A task's
 * wall time on a busy machine includes waiting for a core — on two cores,
 * two workers and the coordinator take turns — so per-task profiles report
 * both: the CPU time says how much work a task was, the wall time how long it
 * took. Null when the addon cannot be had (`threadClockUnavailableReason()`).
 */
interface ThreadClockAddon {
  /** Writes the time (ns, or -1) to out[0]: a Float64Array element is always a double to the JIT (see thread-clock.cc). */
  threadCpuNs(out: Float64Array): void;
}

const SPEC: AddonSpec = { dir: fileURLToPath(new URL('./thread-clock/', import.meta.url)), target: 'wrapped_thread_clock', version: 2, sources: ['thread-clock.cc'] };
let cached: Loaded<ThreadClockAddon> | null = null;
const out = new Float64Array(1);

/** This thread's CPU time in milliseconds, or null without the addon. */
export function threadCpuMs(): number | null {
  const addon = (cached ??= loadAddon<ThreadClockAddon>(SPEC)).addon;
  if (!addon) return null;
  addon.threadCpuNs(out);
  const ns = out[0]!;
  return ns < 0 ? null : ns / 1e6;
}

export function threadClockUnavailableReason(): string {
  return cached?.why ?? 'not tried yet';
}
