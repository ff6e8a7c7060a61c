import * as fs from 'node:fs';
import * as path from 'node:path';

let probes = 0;

/**
 * What creating a file costs in `dir`'s filesystem right now, in ms per file
 * (the mean over `files` empty files, created and closed one by one).
 *
 * Benchmarks report it beside stages that create many files (bucketing ~10 a
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
