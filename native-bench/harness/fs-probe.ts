import * as fs from 'node:fs';
import * as path from 'node:path';

let probes = 0;

/**
 * What creating a file costs in `dir`'s filesystem right now, in ms per file
 * (the mean over `files` empty files, created and closed one by one).
 *
 * Benchmarks report it beside stages that create many files (bucketing ~11 a
 * day partition, package one document per user), because on some machines it
 * is not a constant: ext4 without a journal (these VMs) skips, when it
 * allocates an inode, every free inode of the group that was deleted in the
 * last minute (six while its inode-table block is unwritten), looking each up
 * in the buffer cache. After a run deletes thousands of files, every file
 * created in that group costs ~0.3–0.8 ms of system CPU instead of ~0.015 ms
 * until those deletions age out (measured on this machine with `perf`: the
 * time is in `recently_deleted`, called from `ext4_create`). A benchmark that
 * follows a deletion times it as its own work.
 *
 * The probe's files are left in a hidden directory under `dir` (deleting
 * them would add to what it measures); removing `dir` removes them.
 */
export function fileCreateMs(dir: string, files = 200): number {
  const at = path.join(dir, `.fs-probe-${process.pid}-${probes++}`);
  fs.mkdirSync(at, { recursive: true });
  const t = performance.now();
  for (let i = 0; i < files; i++) fs.closeSync(fs.openSync(path.join(at, `f${i}`), 'wx'));
  return (performance.now() - t) / files;
}

/** Files and directories under `dir`, itself excluded: the inodes a step that wrote `dir` created. */
export function inodesUnder(dir: string): number {
  return (fs.readdirSync(dir, { recursive: true }) as string[]).length;
}

/**
 * Creating a file costs ~0.015–0.02 ms here normally, 0.3–0.8 ms after mass
 * deletions: above this, a timing would include it. Bucketing the 2,000-user
 * year took 5.31 s after a probe of 0.021 ms, 6.41 s after 0.063 and 7.02 s
 * after 0.099 (docs/benchmarks.md, sessions 10–11), so the line sits at about
 * twice the usual cost (it was 0.1 ms, which let those last two through).
 */
export const SLOW_CREATE_MS = 0.04;

/**
 * Before a timed run that creates many files: probes `dir` (50 files) every
 * `everyS` seconds until creating a file costs at most SLOW_CREATE_MS or
 * `maxS` seconds have passed. Here a mass deletion aged out in ~6 minutes:
 * probes stayed at 0.05–0.2 ms for 5.5 minutes after one, then 0.016 (the
 * kernel counts a deletion as recent for 60 s, 360 s while the inode-table
 * block is unwritten, and creating files nearby keeps rewriting it).
 * Returns the last probe and how long it waited.
 */
export async function settleFileCreation(dir: string, maxS: number, log: (s: string) => void, everyS = 15, probe = () => fileCreateMs(dir, 50)): Promise<{ ms: number; waitedS: number }> {
  const t = performance.now();
  let ms = probe();
  while (ms > SLOW_CREATE_MS && (performance.now() - t) / 1000 + everyS <= maxS) {
    log(`  creating a file costs ${ms.toFixed(3)} ms here now (recent deletions): waiting for it to settle (up to ${maxS} s, --settle) …`);
    await new Promise((r) => setTimeout(r, everyS * 1000));
    ms = probe();
  }
  return { ms, waitedS: (performance.now() - t) / 1000 };
}
