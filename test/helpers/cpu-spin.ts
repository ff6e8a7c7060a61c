import { threadCpuMs } from '../../engine/pool/thread-clock.ts';

/** Pool task for the thread-clock test: spins until this thread's CPU clock has advanced `ms`, then says how far each clock moved. */
export function spin(ms: number): { cpu: number; wall: number } {
  const c0 = threadCpuMs()!, w0 = performance.now();
  while (threadCpuMs()! - c0 < ms);
  return { cpu: threadCpuMs()! - c0, wall: performance.now() - w0 };
}
