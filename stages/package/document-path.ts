import * as path from 'node:path';
import { hexToKey, KEY_BYTES } from '../../engine/smb/key.ts';
import { murmur3_32 } from '../../engine/smb/murmur3.ts';

/**
 * SPEC §5's layout: `wrapped/Y/user_id=<hash_prefix>/<user_id>.json`, with 256
 * prefix directories. The prefix is the high byte of murmur3_32 of the user's
 * 16 key bytes (the SMB hash; buckets use its low bits, so a bucket's users
 * spread over every prefix directory), as two lowercase hex digits.
 */
export function hashPrefix(userId: string): string {
  const h = murmur3_32(hexToKey(userId), 0, KEY_BYTES, 0);
  return (h >>> 24).toString(16).padStart(2, '0');
}

/** Directory of a user's files, relative to the run directory. */
export function userDir(year: number, userId: string): string {
  return path.join('wrapped', String(year), `user_id=${hashPrefix(userId)}`);
}

export const documentPath = (year: number, userId: string) => path.join(userDir(year, userId), `${userId}.json`);
/** Card files live in a directory named after the user, beside the document. */
export const cardPath = (year: number, userId: string, file: 'story.png' | 'story.json') => path.join(userDir(year, userId), userId, file);
