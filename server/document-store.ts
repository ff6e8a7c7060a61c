import { createHash } from 'node:crypto';
import * as fs from 'node:fs';
import * as path from 'node:path';
import { wrappedError } from '../engine/errors/registry.ts';

/** One published document, from the year's `_index.tsv` (docs/stage-outputs.md). */
export interface IndexEntry {
  readonly prefix: string;
  readonly sha256: string;
  readonly bytes: number;
  readonly gzBytes: number;
  readonly eligible: boolean;
  readonly region: string;
}

interface Publication {
  readonly dir: string;
  readonly years: number[];
  readonly index: Map<number, Map<string, IndexEntry>>;
}

/** How often `<out>/current` is re-resolved: a new publish is picked up within this time, without a restart. */
export const REPOINT_CHECK_MS = 1000;

/**
 * The published documents under `<out>/current`. The symlink is resolved to a
 * run directory (re-checked at most every second, so a new publish is picked
 * up without a restart); each year's index is loaded once per run directory.
 * Files are addressed only through the index and validated ids: no request
 * path reaches the file system.
 */
export class DocumentStore {
  private pub: Publication | null = null;
  private checkedAt = 0;
  private readonly cardTags = new Map<string, string>();
  /** Document bodies held in memory by the warm-up, up to `cacheBytes` (immutable, so never stale within a publication). */
  private readonly bodies = new Map<string, Buffer>();
  private cachedBytes = 0;

  /** `cacheBytes`: memory the warm-up may use to hold document bodies (0: read files every time). */
  constructor(readonly out: string, readonly cacheBytes = 256 * 2 ** 20) {}

  private publication(): Publication {
    const now = Date.now();
    if (this.pub && now - this.checkedAt < REPOINT_CHECK_MS) return this.pub;
    this.checkedAt = now;
    let dir: string;
    try {
      dir = fs.realpathSync(path.join(this.out, 'current'));
    } catch {
      throw wrappedError('ERR_NO_PUBLISHED_RUN', { out: this.out });
    }
    if (this.pub?.dir === dir) return this.pub;
    const years = fs.readdirSync(path.join(dir, 'wrapped')).filter((y) => /^\d{4}$/.test(y)).map(Number).sort((a, b) => a - b);
    this.pub = { dir, years, index: new Map() };
    this.cardTags.clear();
    this.bodies.clear();
    this.cachedBytes = 0;
    return this.pub;
  }

  /** The years published, oldest first; the latest is the default. */
  years(): number[] {
    return this.publication().years;
  }

  latestYear(): number {
    const y = this.years();
    if (y.length === 0) throw wrappedError('ERR_NO_PUBLISHED_RUN', { out: this.out });
    return y[y.length - 1]!;
  }

  private yearIndex(year: number): Map<string, IndexEntry> | null {
    const pub = this.publication();
    if (!pub.years.includes(year)) return null;
    let idx = pub.index.get(year);
    if (!idx) {
      idx = new Map();
      const text = fs.readFileSync(path.join(pub.dir, 'wrapped', String(year), '_index.tsv'), 'utf8');
      for (const line of text.split('\n')) {
        if (!line || line.startsWith('#')) continue;
        const [user, prefix, sha, bytes, gz, eligible, region] = line.split('\t');
        idx.set(user!, { prefix: prefix!, sha256: sha!, bytes: Number(bytes), gzBytes: Number(gz), eligible: eligible === '1', region: region ?? '' });
      }
      pub.index.set(year, idx);
    }
    return idx;
  }

  entry(year: number, user: string): IndexEntry | null {
    return this.yearIndex(year)?.get(user) ?? null;
  }

  private userDir(year: number, e: IndexEntry): string {
    return path.join(this.publication().dir, 'wrapped', String(year), `user_id=${e.prefix}`);
  }

  async document(year: number, user: string, e: IndexEntry, gzip: boolean): Promise<Buffer> {
    const key = `${year}/${user}${gzip ? '.gz' : ''}`;
    const hit = this.bodies.get(key);
    if (hit) return hit;
    return fs.promises.readFile(path.join(this.userDir(year, e), `${user}.json${gzip ? '.gz' : ''}`));
  }

  /** A card file and its strong ETag (SHA-256, computed once per publication); null when the user has no card. */
  async card(year: number, user: string, e: IndexEntry, file: 'story.png' | 'story.json'): Promise<{ bytes: Buffer; etag: string } | null> {
    let bytes: Buffer;
    try {
      bytes = await fs.promises.readFile(path.join(this.userDir(year, e), user, file));
    } catch {
      return null;
    }
    const key = `${year}/${user}/${file}`;
    let etag = this.cardTags.get(key);
    if (!etag) this.cardTags.set(key, (etag = createHash('sha256').update(bytes).digest('hex')));
    return { bytes, etag };
  }

  /**
   * Warm-up before launch (the CDN pre-warm, at host scale): load every year's
   * index and read every document and gzip copy once, so they are in the page
   * cache before the first request, and keep bodies in memory while they fit
   * in `cacheBytes` (gzip copies first: what most clients ask for). Returns
   * the files and bytes touched and the bytes held.
   */
  async warm(): Promise<{ files: number; bytes: number; held: number }> {
    let files = 0, bytes = 0;
    for (const year of this.years()) {
      const idx = this.yearIndex(year)!;
      const users = [...idx.entries()];
      for (let i = 0; i < users.length; i += 64) {
        await Promise.all(users.slice(i, i + 64).map(async ([u, e]) => {
          for (const gz of [true, false]) {
            const b = await this.document(year, u, e, gz);
            files++;
            bytes += b.length;
            if (this.cachedBytes + b.length <= this.cacheBytes) {
              this.bodies.set(`${year}/${u}${gz ? '.gz' : ''}`, b);
              this.cachedBytes += b.length;
            }
          }
        }));
      }
    }
    return { files, bytes, held: this.cachedBytes };
  }
}
