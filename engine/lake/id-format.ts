/**
 * The id formats of SPEC §2, checked over raw UTF-8 bytes so a validator never
 * builds a string per row: user_id is 32 lowercase hex characters; track_id,
 * artist_id and album_id are 22 base62 characters [0-9A-Za-z].
 */

export const USER_ID_LENGTH = 32;
export const BASE62_ID_LENGTH = 22;
export const BASE62_ALPHABET = '0123456789ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz';
export const HEX_ALPHABET = '0123456789abcdef';

/** 1 for bytes of [0-9a-f]. */
const IS_HEX = new Uint8Array(256);
/** 1 for bytes of [0-9A-Za-z]. */
const IS_BASE62 = new Uint8Array(256);
for (const ch of HEX_ALPHABET) IS_HEX[ch.charCodeAt(0)] = 1;
for (const ch of BASE62_ALPHABET) IS_BASE62[ch.charCodeAt(0)] = 1;

/** True when bytes[start, end) is a valid user_id. */
export function isUserIdBytes(bytes: Uint8Array, start: number, end: number): boolean {
  if (end - start !== USER_ID_LENGTH) return false;
  for (let i = start; i < end; i++) if (IS_HEX[bytes[i]!] === 0) return false;
  return true;
}

/** True when bytes[start, end) is a valid track, artist or album id. */
export function isBase62IdBytes(bytes: Uint8Array, start: number, end: number): boolean {
  if (end - start !== BASE62_ID_LENGTH) return false;
  for (let i = start; i < end; i++) if (IS_BASE62[bytes[i]!] === 0) return false;
  return true;
}

export function isUserId(s: string): boolean {
  if (s.length !== USER_ID_LENGTH) return false;
  for (let i = 0; i < s.length; i++) if (s.charCodeAt(i) > 255 || IS_HEX[s.charCodeAt(i)] === 0) return false;
  return true;
}

export function isBase62Id(s: string): boolean {
  if (s.length !== BASE62_ID_LENGTH) return false;
  for (let i = 0; i < s.length; i++) if (s.charCodeAt(i) > 255 || IS_BASE62[s.charCodeAt(i)] === 0) return false;
  return true;
}
