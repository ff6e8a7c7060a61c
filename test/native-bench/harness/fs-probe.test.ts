import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { fileCreateMs, inodesUnder } from '../../../native-bench/harness/fs-probe.ts';

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
});
