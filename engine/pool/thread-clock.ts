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
  threadCpuNs(): number;
}

const SPEC: AddonSpec = { dir: fileURLToPath(new URL('./thread-clock/', import.meta.url)), target: 'wrapped_thread_clock', version: 1, sources: ['thread-clock.cc'] };
let cached: Loaded<ThreadClockAddon> | null = null;

/** This thread's CPU time in milliseconds, or null without the addon. */
export function threadCpuMs(): number | null {
  const addon = (cached ??= loadAddon<ThreadClockAddon>(SPEC)).addon;
  if (!addon) return null;
  const ns = addon.threadCpuNs();
  return ns < 0 ? null : ns / 1e6;
}

export function threadClockUnavailableReason(): string {
  return cached?.why ?? 'not tried yet';
}
