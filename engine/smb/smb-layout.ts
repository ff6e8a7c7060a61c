import * as fs from 'node:fs';
import * as path from 'node:path';
import { wrappedError } from '../errors/registry.ts';
import { METADATA_FILE } from './filename-policy.ts';
import { readMetadata, type BucketMetadata } from './metadata.ts';

/**
 * The complete SMB partitions under `<smb>/plays` whose arrival days overlap
 * [from, to] (epoch days), in arrival order. Incomplete ones (no metadata.json)
 * are not listed: they are not data yet.
 */
export function listSmbPartitions(smb: string, from = -Infinity, to = Infinity): Array<{ dir: string; metadata: BucketMetadata }> {
  const root = path.join(smb, 'plays');
  if (!fs.existsSync(root)) throw wrappedError('ERR_SMB_NOT_A_PARTITION', { dir: root });
  const out: Array<{ dir: string; metadata: BucketMetadata }> = [];
  const walk = (d: string, depth: number) => {
    for (const e of fs.readdirSync(d, { withFileTypes: true }).filter((x) => x.isDirectory()).map((x) => x.name).sort()) {
      const p = path.join(d, e);
      if (depth === 2) {
        if (!fs.existsSync(path.join(p, METADATA_FILE))) continue;
        const m = readMetadata(p);
        if (m.arrivalDays.last >= from && m.arrivalDays.first <= to) out.push({ dir: p, metadata: m });
      } else walk(p, depth + 1);
    }
  };
  walk(root, 0);
  return out.sort((a, b) => a.metadata.arrivalDays.first - b.metadata.arrivalDays.first);
}
