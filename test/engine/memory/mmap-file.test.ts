import * as fs from 'node:fs';
import * as path from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { mmapAddon, mmapUnavailableReason } from '../../../engine/memory/mmap-file.ts';
import { tempDir } from '../../helpers/tmp.ts';

describe('mmap addon', () => {
  const tmp = tempDir('mmap');
  afterAll(() => tmp.cleanup());

  it('builds and loads on this machine kind (node-gyp and Node headers are part of it)', () => {
    expect(mmapAddon(), mmapUnavailableReason()).not.toBeNull();
  });

  it('maps a file as a SharedArrayBuffer holding exactly its bytes, shared with a worker', async () => {
    const file = path.join(tmp.dir, 'data.bin');
    const bytes = Uint8Array.from({ length: 100_003 }, (_, i) => (i * 31) & 255);
    fs.writeFileSync(file, bytes);
    const sab = mmapAddon()!.mapFile(file);
    expect(sab).toBeInstanceOf(SharedArrayBuffer);
    expect(new Uint8Array(sab)).toEqual(bytes);
    // A worker sees the same pages (the backing store is shared, not copied).
    const { Worker } = await import('node:worker_threads');
    const sum = await new Promise<number>((resolve, reject) => {
      const w = new Worker('const { parentPort, workerData } = require("node:worker_threads"); let s = 0; for (const b of new Uint8Array(workerData)) s += b; parentPort.postMessage(s);', { eval: true, workerData: sab });
      w.once('message', (m: number) => resolve(m));
      w.once('error', reject);
    });
    expect(sum).toBe(bytes.reduce((s, b) => s + b, 0));
  });

  it('maps an empty file, and names the file it cannot open', () => {
    const empty = path.join(tmp.dir, 'empty.bin');
    fs.writeFileSync(empty, '');
    expect(mmapAddon()!.mapFile(empty).byteLength).toBe(0);
    const missing = path.join(tmp.dir, 'missing.bin');
    expect(() => mmapAddon()!.mapFile(missing)).toThrow(`open ${missing}: No such file or directory`);
  });
});
