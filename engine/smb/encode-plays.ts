import { BASE62_ID_LENGTH, isBase62IdBytes, USER_ID_LENGTH } from '../lake/id-format.ts';
import type { PlayFile, StringCodes } from '../lake/play-file.ts';
import { MAX_MS_PLAYED, PLAY_SOURCES, type RejectReason } from '../lake/play-schema.ts';
import type { IdDictionary } from './dictionary.ts';
import { decodeHexKey, KEY_BYTES, keyHash } from './key.ts';
import { RowBlock } from './row-block.ts';

/** A skipped row, kept with its values as strings for the rejects table. */
export interface RejectedRow {
  readonly reason: RejectReason;
  readonly file: string;
  readonly row: number;
  readonly values: Readonly<Record<string, string | null>>;
}

/** Ids not in the dictionaries get negative codes -(i + 1) into these per-partition lists. */
export class Overflow {
  readonly track: string[] = [];
  readonly artist: string[] = [];
  readonly album: string[] = [];
  private readonly index = { track: new Map<string, number>(), artist: new Map<string, number>(), album: new Map<string, number>() };

  code(col: 'track' | 'artist' | 'album', id: string): number {
    return -(RowBlock.intern(this[col], this.index[col], id) + 1);
  }
}

export interface Dictionaries {
  readonly track: IdDictionary;
  readonly artist: IdDictionary;
  readonly album: IdDictionary;
}

const SOURCE_CODE = new Map<string, number>(PLAY_SOURCES.map((s, i) => [s, i]));
const INVALID = -2147483648;

/**
 * Per file-dictionary entry: the global code, or INVALID when the id is
 * malformed. Read from the dictionary's UTF-8 bytes: an id the index holds is
 * of the SPEC's form (the index holds no other), so only the others are
 * validated, and a string is decoded only for a valid id the dictionary lacks
 * (an overflow id, rare).
 */
function idCodes(c: StringCodes, dict: IdDictionary, overflow: Overflow, col: 'track' | 'artist' | 'album'): Int32Array {
  const { bytes, offsets } = c.table;
  const index = dict.byteIndex;
  const out = new Int32Array(offsets.length - 1);
  for (let k = 0; k < out.length; k++) {
    const s = offsets[k]!, e = offsets[k + 1]!;
    const code = e - s === BASE62_ID_LENGTH ? index.get(bytes, s) : -1;
    if (code >= 0) out[k] = code;
    else out[k] = isBase62IdBytes(bytes, s, e) ? overflow.code(col, c.valueAt(k)) : INVALID;
  }
  return out;
}

/** A file's dictionaries, validated and mapped to block codes once; rows are then array lookups. */
export interface PreparedFile {
  readonly f: PlayFile;
  readonly userOf: Int32Array;
  readonly trackOf: Int32Array;
  readonly artistOf: Int32Array;
  readonly albumOf: Int32Array;
  readonly sourceOf: Int32Array;
  readonly deviceOf: Int32Array;
  readonly countryOf: Int32Array;
}

/** Validates each distinct value of a file's string columns once and maps it to the block's codes. */
export function prepareFile(f: PlayFile, dicts: Dictionaries, block: RowBlock, overflow: Overflow): PreparedFile {
  const { bytes, offsets } = f.user_id.table;
  const userOf = new Int32Array(offsets.length - 1);
  const key = new Uint8Array(KEY_BYTES);
  for (let k = 0; k < userOf.length; k++) {
    const s = offsets[k]!;
    userOf[k] = offsets[k + 1]! - s === USER_ID_LENGTH && decodeHexKey(bytes, s, key, 0)
      ? block.internUser(key, 0, keyHash(key, 0))
      : INVALID;
  }
  return {
    f, userOf,
    trackOf: idCodes(f.track_id, dicts.track, overflow, 'track'),
    artistOf: idCodes(f.artist_id, dicts.artist, overflow, 'artist'),
    albumOf: idCodes(f.album_id, dicts.album, overflow, 'album'),
    sourceOf: Int32Array.from(f.source.dictionary, (s) => SOURCE_CODE.get(s) ?? INVALID),
    deviceOf: Int32Array.from(f.device_class.dictionary, (s) => RowBlock.intern(block.devices, block.deviceIndex, s)),
    countryOf: Int32Array.from(f.country.dictionary, (s) => RowBlock.intern(block.countries, block.countryIndex, s)),
  };
}

/**
 * Counts a skipped row and keeps its values as strings. A function of its own
 * so that the loop above is not compiled against the shapes of these objects:
 * a reject's field first null where it had been a string changes them, and
 * that deoptimized `encodePlays` (--trace-deopt; docs/benchmarks.md, session 16).
 */
function reject(f: PlayFile, i: number, reason: RejectReason, rejects: RejectedRow[], rejectCounts: Partial<Record<RejectReason, number>>): void {
  rejectCounts[reason] = (rejectCounts[reason] ?? 0) + 1;
  const str = (col: StringCodes) => {
    const k = col.codes[i]!;
    return k < 0 ? null : col.valueAt(k);
  };
  const ts = f.ts[i]!;
  rejects.push({
    reason, file: f.file, row: i,
    values: {
      user_id: str(f.user_id), track_id: str(f.track_id), artist_id: str(f.artist_id), album_id: str(f.album_id),
      ts: ts === ts ? new Date(ts).toISOString() : null, ms_played: f.msValid[i] ? String(f.ms_played[i]) : null, source: str(f.source),
    },
  });
}

/**
 * Validates rows [from, to) of a prepared lake file (SPEC §6) and appends the
 * good ones to the block: per row, array lookups only. The first failing
 * check names the reason, in this order: null_field, bad_user_id,
 * bad_track_id, bad_artist_id, bad_album_id, ms_played_out_of_range, unknown_source.
 */
export function encodePlays(p: PreparedFile, from: number, to: number, arrivalDay: number, block: RowBlock, rejects: RejectedRow[], rejectCounts: Partial<Record<RejectReason, number>>): void {
  const { f, userOf, trackOf, artistOf, albumOf, sourceOf, deviceOf, countryOf } = p;
  block.reserve(to - from);
  const U = f.user_id.codes, T = f.track_id.codes, A = f.artist_id.codes, L = f.album_id.codes;
  const S = f.source.codes, D = f.device_class.codes, C = f.country.codes;
  const fts = f.ts, fms = f.ms_played, msValid = f.msValid, fpriv = f.private_session;
  // The block's columns in locals (reserve() above sized them): no property loads per row.
  const bUser = block.user, bTs = block.ts, bTrack = block.track, bArtist = block.artist, bAlbum = block.album, bMs = block.ms;
  const bArrival = block.arrival, bSource = block.source, bPriv = block.priv, bDevice = block.device, bCountry = block.country;
  let j = block.n;
  for (let i = from; i < to; i++) {
    const u = U[i]!, t = T[i]!, a = A[i]!, l = L[i]!, s = S[i]!, d = D[i]!, c = C[i]!;
    const ts = fts[i]!;
    const ms = fms[i]!;
    let reason: RejectReason | null = null;
    if ((u | t | a | l | s | d | c) < 0 || ts !== ts || msValid[i] === 0 || fpriv[i] === 255) reason = 'null_field';
    else if (userOf[u] === INVALID) reason = 'bad_user_id';
    else if (trackOf[t] === INVALID) reason = 'bad_track_id';
    else if (artistOf[a] === INVALID) reason = 'bad_artist_id';
    else if (albumOf[l] === INVALID) reason = 'bad_album_id';
    else if (ms < 0 || ms > MAX_MS_PLAYED) reason = 'ms_played_out_of_range';
    else if (sourceOf[s] === INVALID) reason = 'unknown_source';
    if (reason !== null) {
      reject(f, i, reason, rejects, rejectCounts);
      continue;
    }
    bUser[j] = userOf[u]!;
    bTs[j] = ts;
    bTrack[j] = trackOf[t]!;
    bArtist[j] = artistOf[a]!;
    bAlbum[j] = albumOf[l]!;
    bMs[j] = ms;
    bArrival[j] = arrivalDay;
    bSource[j] = sourceOf[s]!;
    bPriv[j] = fpriv[i]!;
    bDevice[j] = deviceOf[d]!;
    bCountry[j] = countryOf[c]!;
    j++;
  }
  block.n = j;
}
