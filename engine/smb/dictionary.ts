import * as fs from 'node:fs';
import * as path from 'node:path';
import * as arrow from 'apache-arrow';
import { sha256 } from 'hash-wasm';
import { describeCause, wrappedError } from '../errors/registry.ts';
import { writeFileAtomic } from '../lake/atomic-file.ts';
import type { DictionaryRef } from './metadata.ts';
import { utf8Strings } from '../columns/utf8-strings.ts';
import { tableOf, utf8Column } from '../columns/dictionary-column.ts';
import { stringTable } from '../columns/string-table.ts';
import { IdByteIndex } from './id-byte-index.ts';

/**
 * Append-only, versioned id dictionaries, one per id column (track, artist,
 * album), kept beside the data in `<smb>/_dictionaries/<column>/`:
 *
 *   v000001.arrow   Arrow IPC file, one Utf8 column `id`: code i is row i
 *   versions.json   [{ version, count, sha256 }] — oldest first
 *
 * A new version only appends ids, so a code written under any version means
 * the same under every later one: a year of partitions merges by code without
 * re-mapping. sha256 is over the ids joined by "\n" and pins a version's content.
 *
 * Limitation: versions are written by one process (the bucketing coordinator)
 * before workers start; concurrent writers are not coordinated.
 */
export type DictionaryColumn = 'track' | 'artist' | 'album';
export const DICTIONARY_COLUMNS: readonly DictionaryColumn[] = ['track', 'artist', 'album'];

export interface IdDictionary {
  readonly column: DictionaryColumn;
  readonly ref: DictionaryRef;
  readonly ids: readonly string[];
  /** id → code. Built once per process and version, on first use. */
  readonly index: ReadonlyMap<string, number>;
  /** The same, looked up by UTF-8 bytes (ids of the SPEC's form only). Built on first use. */
  readonly byteIndex: IdByteIndex;
}

/** A dictionary whose lookups are built on first use (bucketing needs them; stage 1 only reads ids). */
function dictionaryOf(column: DictionaryColumn, ref: DictionaryRef, ids: readonly string[]): IdDictionary {
  let index: Map<string, number> | undefined;
  let byteIndex: IdByteIndex | undefined;
  return {
    column, ref, ids,
    get index() { return (index ??= new Map(ids.map((id, i) => [id, i]))); },
    get byteIndex() { return (byteIndex ??= IdByteIndex.of(ids)); },
  };
}

const dirOf = (smb: string, column: DictionaryColumn) => path.join(smb, '_dictionaries', column);
const versionFile = (v: number) => `v${String(v).padStart(6, '0')}.arrow`;

function readVersions(smb: string, column: DictionaryColumn): DictionaryRef[] {
  const file = path.join(dirOf(smb, column), 'versions.json');
  if (!fs.existsSync(file)) return [];
  try {
    return JSON.parse(fs.readFileSync(file, 'utf8')) as DictionaryRef[];
  } catch (e) {
    throw wrappedError('ERR_SMB_BAD_METADATA', { file, problem: `expected a JSON list of versions, ${describeCause(e)}` }, e);
  }
}

const cache = new Map<string, IdDictionary>();

function load(smb: string, column: DictionaryColumn, ref: DictionaryRef): IdDictionary {
  const file = path.join(dirOf(smb, column), versionFile(ref.version));
  const key = `${path.resolve(file)}#${ref.sha256}`;
  const hit = cache.get(key);
  if (hit) return hit;
  let ids: string[];
  try {
    ids = utf8Strings(arrow.tableFromIPC(fs.readFileSync(file)).getChild('id')!) as string[];
  } catch (e) {
    throw wrappedError('ERR_SMB_CORRUPT_BUCKET', { file, problem: `expected an Arrow IPC file with an 'id' column, ${describeCause(e)}` }, e);
  }
  if (ids.length !== ref.count) throw wrappedError('ERR_SMB_CORRUPT_BUCKET', { file, problem: `expected ${ref.count} ids, found ${ids.length}` });
  const d = dictionaryOf(column, ref, ids);
  cache.set(key, d);
  return d;
}

/** The latest version's reference (count and sha256) without reading its ids; version 0 when there is none. */
export function latestDictionaryRef(smb: string, column: DictionaryColumn): DictionaryRef {
  return readVersions(smb, column).at(-1) ?? { version: 0, count: 0, sha256: '' };
}

/** The latest version of a column's dictionary, or an empty version-0 dictionary. */
export function latestDictionary(smb: string, column: DictionaryColumn): IdDictionary {
  const ref = latestDictionaryRef(smb, column);
  return ref.version === 0 ? dictionaryOf(column, ref, []) : load(smb, column, ref);
}

/**
 * Appends the ids not yet present (in the order given, first occurrence) as a
 * new version; returns the dictionary unchanged when nothing is new.
 */
export async function extendDictionary(smb: string, column: DictionaryColumn, candidates: Iterable<string>): Promise<IdDictionary> {
  const cur = latestDictionary(smb, column);
  const added: string[] = [];
  const seen = new Set<string>();
  for (const id of candidates) {
    if (cur.index.has(id) || seen.has(id)) continue;
    seen.add(id);
    added.push(id);
  }
  if (added.length === 0) return cur;
  const ids = [...cur.ids, ...added];
  const ref: DictionaryRef = { version: cur.ref.version + 1, count: ids.length, sha256: await sha256(ids.join('\n')) };
  const dir = dirOf(smb, column);
  writeFileAtomic(path.join(dir, versionFile(ref.version)), arrow.tableToIPC(tableOf([['id', utf8Column(stringTable(ids))]]), 'file'));
  writeFileAtomic(path.join(dir, 'versions.json'), JSON.stringify([...readVersions(smb, column), ref], null, 2) + '\n');
  return dictionaryOf(column, ref, ids);
}

/** Checks that a partition's dictionary reference is a version of this store, with the same content. */
export function checkDictionaryRef(smb: string, column: DictionaryColumn, ref: DictionaryRef, where: string): void {
  const v = readVersions(smb, column).find((x) => x.version === ref.version);
  if (!v || v.sha256 !== ref.sha256 || v.count !== ref.count) {
    throw wrappedError('ERR_SMB_INCOMPATIBLE_METADATA', {
      a: dirOf(smb, column), b: where, field: `dictionaries.${column}`,
      expected: v ? JSON.stringify(v) : `a version listed in versions.json`, actual: JSON.stringify(ref),
    });
  }
}
