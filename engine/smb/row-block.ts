import { grown, intern } from '../columns/growable.ts';
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

  /** Distinct users of the partition: 16 key bytes each, and their murmur3 hash. */
  userCount = 0;
  userKeys = new Uint8Array(1024 * KEY_BYTES);
  userHash = new Uint32Array(1024);
  readonly userIndex = new Map<string, number>();
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

  /** The index of a user id (hex), adding it with its key and hash when new. */
  internUser(hex: string, key: Uint8Array, hash: number): number {
    let u = this.userIndex.get(hex);
    if (u !== undefined) return u;
    u = this.userCount++;
    if (u * KEY_BYTES >= this.userKeys.length) {
      const k = new Uint8Array(this.userKeys.length * 2);
      k.set(this.userKeys);
      this.userKeys = k;
      const h = new Uint32Array(this.userHash.length * 2);
      h.set(this.userHash);
      this.userHash = h;
    }
    this.userKeys.set(key, u * KEY_BYTES);
    this.userHash[u] = hash;
    this.userIndex.set(hex, u);
    return u;
  }

  static readonly intern = intern;

  /** Approximate bytes held per row, for the memory budget. */
  static readonly BYTES_PER_ROW = 8 + 4 * 8 + 2;
}
