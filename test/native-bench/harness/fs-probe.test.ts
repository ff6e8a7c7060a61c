import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { fileCreateMs, inodesUnder, settleFileCreation, SLOW_CREATE_MS } from '../../../native-bench/harness/fs-probe.ts';

describe('fs-probe', () => {
  const dirs: string[] = [];
  const scratch = () => {
    const d = fs.mkdtempSync(path.join(os.tmpdir(), 'wrapped-fs-probe-test-'));
    dirs.push(d);
    return d;
  };
  afterEach(() => {
    for (const d of dirs.splice(0)) fs.rmSync(d, { recursive: true, force: true });
  });

  it('times creating the files it says, and leaves them in one hidden directory per probe', () => {
    const d = scratch();
    const a = fileCreateMs(d, 50), b = fileCreateMs(d, 30);
    for (const ms of [a, b]) {
      expect(Number.isFinite(ms)).toBe(true);
      expect(ms).toBeGreaterThan(0);
    }
    const probes = fs.readdirSync(d);
    expect(probes).toHaveLength(2);
    expect(probes.every((p) => p.startsWith('.fs-probe-'))).toBe(true);
    expect(probes.map((p) => fs.readdirSync(path.join(d, p)).length).sort((x, y) => x - y)).toEqual([30, 50]);
  });

  it('counts the files and directories under a directory, at any depth', () => {
    const d = scratch();
    fs.mkdirSync(path.join(d, 'a', 'b'), { recursive: true });
    fs.writeFileSync(path.join(d, 'a', 'b', 'x'), '');
    fs.writeFileSync(path.join(d, 'y'), '');
    expect(inodesUnder(d)).toBe(4);
    expect(inodesUnder(path.join(d, 'a'))).toBe(2);
  });

  it('waits while creating a file is slow, and gives up after its limit', async () => {
    const slow = SLOW_CREATE_MS * 5, fast = SLOW_CREATE_MS / 5;
    const seq = (xs: number[]) => () => xs.shift() ?? fast;
    const logs: string[] = [];
    // everyS = 0.01: three probes, two waits, then cheap.
    const r = await settleFileCreation('unused', 60, (s) => logs.push(s), 0.01, seq([slow, slow, fast]));
    expect(r.ms).toBe(fast);
    expect(logs).toHaveLength(2);
    expect(logs[0]).toContain('waiting');
    // A limit shorter than one wait: no wait, the slow probe is what it returns.
    const g = await settleFileCreation('unused', 0, () => {}, 0.01, seq([slow, fast]));
    expect(g.ms).toBe(slow);
    // Already cheap: one probe, no log.
    const n: string[] = [];
    expect((await settleFileCreation('unused', 60, (s) => n.push(s), 0.01, seq([fast]))).ms).toBe(fast);
    expect(n).toEqual([]);
  });
});
