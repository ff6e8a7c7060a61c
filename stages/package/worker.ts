import { createHash } from 'node:crypto';
import * as fs from 'node:fs';
import * as path from 'node:path';
import { gzipSync } from 'fflate';
import { writeFileAtomic } from '../../engine/lake/atomic-file.ts';
import { releaseRenderMemory, renderCard } from './card-render.ts';
import { storyCard } from './story-card.ts';
import { cardPath, documentPath, hashPrefix } from './document-path.ts';
import { cardUrls, finalDocument, type RankLine } from './final-document.ts';
import type { CardResult, CardTask, PackageResult, PackageTask } from './messages.ts';

const lines = (file: string) => {
  const text = fs.readFileSync(file, 'utf8');
  return text.length === 0 ? [] : text.trimEnd().split('\n');
};

/**
 * Index part columns, tab-separated, one line per document in user order:
 * user_id, hash prefix, sha256 of the JSON bytes (the server's ETag), JSON
 * bytes, gzip bytes, eligible (1/0).
 */
export function packageTask(t: PackageTask): PackageResult {
  const t0 = performance.now();
  const ranks = new Map<string, RankLine>();
  for (const l of lines(t.rankFile)) {
    const r = JSON.parse(l) as RankLine & { user_id: string };
    ranks.set(r.user_id, r);
  }
  const index: string[] = [];
  let eligible = 0, bytes = 0, gzBytes = 0;
  for (const l of lines(t.enrichFile)) {
    const enriched = JSON.parse(l) as Record<string, unknown>;
    const user = enriched['user_id'] as string;
    const ok = enriched['eligible'] === true;
    const doc = finalDocument(enriched, ranks.get(user), ok && t.cards ? cardUrls(user) : null);
    const json = Buffer.from(JSON.stringify(doc));
    // mtime 0: the gzip header must not carry the time of the run, or reruns would differ.
    const gz = gzipSync(json, { level: 6, mtime: 0 });
    const file = path.join(t.runDir, documentPath(t.year, user));
    fs.writeFileSync(file, json);
    fs.writeFileSync(file + '.gz', gz);
    const sha = createHash('sha256').update(json).digest('hex');
    index.push(`${user}\t${hashPrefix(user)}\t${sha}\t${json.length}\t${gz.length}\t${ok ? 1 : 0}`);
    if (ok) eligible++;
    bytes += json.length;
    gzBytes += gz.length;
  }
  writeFileAtomic(t.indexFile, index.length ? index.join('\n') + '\n' : '');
  return { documents: index.length, eligible, bytes, gzBytes, ms: performance.now() - t0 };
}

/** Renders story.png and story.json for every eligible user of a bucket's index part. */
export async function cardTask(t: CardTask): Promise<CardResult> {
  const t0 = performance.now();
  let cards = 0, pngBytes = 0;
  for (const l of lines(t.indexFile)) {
    const [user, , , , , eligible] = l.split('\t');
    if (eligible !== '1') continue;
    const doc = JSON.parse(fs.readFileSync(path.join(t.runDir, documentPath(t.year, user!)), 'utf8')) as Record<string, unknown>;
    const card = storyCard(doc, t.genreHues);
    const png = renderCard(card);
    const dir = path.dirname(path.join(t.runDir, cardPath(t.year, user!, 'story.png')));
    fs.mkdirSync(dir, { recursive: true });
    fs.writeFileSync(path.join(dir, 'story.png'), png);
    fs.writeFileSync(path.join(dir, 'story.json'), JSON.stringify(card));
    cards++;
    pngBytes += png.length;
    if (cards % 16 === 0) await releaseRenderMemory();
  }
  return { cards, pngBytes, ms: performance.now() - t0 };
}

export function warmup(): number {
  return 0;
}
