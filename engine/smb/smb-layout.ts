import * as fs from 'node:fs';
import * as path from 'node:path';
import { wrappedError } from '../errors/registry.ts';
import { METADATA_FILE } from './filename-policy.ts';
import { readMetadata, type BucketMetadata } from './metadata.ts';

/** The complete partition directories under `<smb>/plays` (those with metadata.json), in path order (= arrival-day order). */
function completePartitionDirs(smb: string): string[] {
  const root = path.join(smb, 'plays');
  if (!fs.existsSync(root)) throw wrappedError('ERR_SMB_NOT_A_PARTITION', { dir: root });
  const out: string[] = [];
  const walk = (d: string, depth: number) => {
    for (const e of fs.readdirSync(d, { withFileTypes: true }).filter((x) => x.isDirectory()).map((x) => x.name).sort()) {
      const p = path.join(d, e);
      if (depth < 2) walk(p, depth + 1);
      else if (fs.existsSync(path.join(p, METADATA_FILE))) out.push(p);
    }
  };
  walk(root, 0);
  return out;
}

/**
 * The complete SMB partitions under `<smb>/plays` whose arrival days overlap
 * [from, to] (epoch days), in arrival order. Incomplete ones (no metadata.json)
 * are not listed: they are not data yet.
 */
export function listSmbPartitions(smb: string, from = -Infinity, to = Infinity): Array<{ dir: string; metadata: BucketMetadata }> {
  return completePartitionDirs(smb)
    .map((dir) => ({ dir, metadata: readMetadata(dir) }))
    .filter(({ metadata: m }) => m.arrivalDays.last >= from && m.arrivalDays.first <= to)
    .sort((a, b) => a.metadata.arrivalDays.first - b.metadata.arrivalDays.first);
}

/** The metadata of the latest complete partition (by path: year/month/day), reading no other; null when there is none. */
export function latestSmbPartition(smb: string): BucketMetadata | null {
  if (!fs.existsSync(path.join(smb, 'plays'))) return null;
  const last = completePartitionDirs(smb).at(-1);
  return last === undefined ? null : readMetadata(last);
}
