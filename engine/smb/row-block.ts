import { grown, intern } from '../columns/growable.ts';
import { FixedKeyTable } from '../kernels/fixed-key-table.ts';
import { KEY_BYTES } from './key.ts';

/**
 * A partition's valid rows, encoded and columnar, before sorting. Users are
 * held once (`userKeys`, `userHash`) and rows point at them; device and
 * country are codes into partition-level string lists. Grows by doubling.
 */
export class RowBlock {
  n = 0;
  user = new Int32Array(1024);
  ts = new Float64Array(1024);
  track = new Int32Array(1024);
  artist = new Int32Array(1024);
  album = new Int32Array(1024);
  ms = new Int32Array(1024);
  arrival = new Int32Array(1024);
  source = new Int8Array(1024);
  priv = new Uint8Array(1024);
  device = new Int32Array(1024);
  country = new Int32Array(1024);

  /** Distinct users of the partition, by key bytes: user u's key is userKeys[16u, 16u + 16), its murmur3 hash userHash[u]. */
  private readonly users = new FixedKeyTable(KEY_BYTES, 1024);
  get userCount(): number { return this.users.size; }
  get userKeys(): Uint8Array { return this.users.keys; }
  get userHash(): Uint32Array { return this.users.hashes; }
  readonly devices: string[] = [];
  readonly deviceIndex = new Map<string, number>();
  readonly countries: string[] = [];
  readonly countryIndex = new Map<string, number>();

  reserve(extra: number): void {
    const need = this.n + extra;
    if (need <= this.user.length) return;
    const cap = Math.max(need, this.user.length * 2);
    const n = this.n;
    this.user = grown(this.user, n, cap);
    this.ts = grown(this.ts, n, cap);
    this.track = grown(this.track, n, cap);
    this.artist = grown(this.artist, n, cap);
    this.album = grown(this.album, n, cap);
    this.ms = grown(this.ms, n, cap);
    this.arrival = grown(this.arrival, n, cap);
    this.source = grown(this.source, n, cap);
    this.priv = grown(this.priv, n, cap);
    this.device = grown(this.device, n, cap);
    this.country = grown(this.country, n, cap);
  }

  /** The index of the user whose key is key[at, at + 16), adding it with its hash when new. */
  internUser(key: Uint8Array, at: number, hash: number): number {
    return this.users.add(key, at, hash);
  }

  static readonly intern = intern;

  /** Approximate bytes held per row, for the memory budget. */
  static readonly BYTES_PER_ROW = 8 + 4 * 8 + 2;
}
