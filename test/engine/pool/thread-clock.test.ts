import { afterAll, describe, expect, it } from 'vitest';
import { threadClockUnavailableReason, threadCpuMs } from '../../../engine/pool/thread-clock.ts';
import { WorkerPool } from '../../../engine/pool/worker-pool.ts';

describe('thread CPU clock', () => {
  const pools: WorkerPool[] = [];
  afterAll(async () => {
    for (const p of pools) await p.close();
  });

  it('builds and loads on this machine kind', () => {
    expect(threadCpuMs(), threadClockUnavailableReason()).not.toBeNull();
  });

  it('advances with work, not with waiting, and never faster than real time', () => {
    const c0 = threadCpuMs()!, w0 = performance.now();
    while (threadCpuMs()! - c0 < 20);
    const cpu = threadCpuMs()! - c0, wall = performance.now() - w0;
    expect(cpu).toBeGreaterThanOrEqual(20);
    expect(wall).toBeGreaterThanOrEqual(cpu - 0.5);
    // A thread blocked for 40 ms of real time uses next to no CPU.
    const c1 = threadCpuMs()!;
    Atomics.wait(new Int32Array(new SharedArrayBuffer(4)), 0, 0, 40);
    expect(threadCpuMs()! - c1).toBeLessThan(5);
  });

  it("counts each pool worker's own thread, not the process (the addon is context-aware)", async () => {
    const pool = new WorkerPool({ workers: 2 });
    pools.push(pool);
    const module = new URL('../../helpers/cpu-spin.ts', import.meta.url).href;
    const before = threadCpuMs()!;
    const runs = await Promise.all([60, 60, 60, 60].map((ms) => pool.run<number, { cpu: number; wall: number }>({ module, fn: 'spin', input: ms })));
    for (const r of runs) {
      expect(r.cpu).toBeGreaterThanOrEqual(60);
      expect(r.wall).toBeGreaterThanOrEqual(r.cpu - 0.5);
    }
    // The 240 ms of spinning were the workers', not this thread's.
    expect(threadCpuMs()! - before).toBeLessThan(200);
  });
});
