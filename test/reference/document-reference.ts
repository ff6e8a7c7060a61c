/**
 * An independent, naive reference for the published document (SPEC §3–5 and
 * the formulas docs/stage-outputs.md states): built from the stage-1 reference
 * (which reads the Parquet lake) and the catalog files read directly, with
 * Maps and strings, and global ranks by counting every listener. Slow on
 * purpose. Only the shipped model file (axis cuts, centroids) is shared with
 * the engine: it is an input, like the catalog.
 */
import * as fs from 'node:fs';
import * as path from 'node:path';
import { readParquetFile } from '../../engine/lake/parquet-io.ts';
import type { RefUser } from './stage1-reference.ts';

const strings = (file: string, col: string): string[] => Array.from(readParquetFile(file, [col]).getChild(col)!.toArray() as ArrayLike<string | null>, (x) => x ?? '');

interface Model {
  axis_cuts: Record<string, number>;
  feature_mean: number[];
  feature_std: number[];
  centroids: Array<{ name: string; center: number[] }>;
}
const model = JSON.parse(fs.readFileSync(new URL('../../stages/enrich/model/personality-v2.json', import.meta.url), 'utf8')) as Model;

export interface RefStatement {
  kind: 'top_listener' | 'early_fan';
  artist_id: string;
  threshold_pct: number;
}

export interface RefDocument {
  eligible: boolean;
  fields: Record<string, unknown>;
  statements: RefStatement[];
  axes: Record<string, number> | null;
  code: string | null;
  audio: string | null;
}

export function referenceDocuments(lake: string, year: number, users: ReadonlyMap<string, RefUser>, minListeners: number): Map<string, RefDocument> {
  const cat = (f: string) => path.join(lake, 'catalog', f);
  const trackIds = strings(cat('tracks.parquet'), 'track_id');
  const titles = strings(cat('tracks.parquet'), 'title');
  const trackArtists = strings(cat('tracks.parquet'), 'artist_id');
  const trackTitle = new Map(trackIds.map((id, i) => [id, titles[i]!]));
  const trackArtist = new Map(trackIds.map((id, i) => [id, trackArtists[i]!]));
  const artistIds = strings(cat('artists.parquet'), 'artist_id');
  const artistNames = strings(cat('artists.parquet'), 'name');
  const artistName = new Map(artistIds.map((id, i) => [id, artistNames[i]!]));
  const albumIds = strings(cat('albums.parquet'), 'album_id');
  const albumTitles = strings(cat('albums.parquet'), 'title');
  const albumTitle = new Map(albumIds.map((id, i) => [id, albumTitles[i]!]));
  const genres = strings(cat('genres.parquet'), 'genre');
  const parents = strings(cat('genres.parquet'), 'parent_genre');
  const parent = new Map(genres.map((g, i) => [g, parents[i] ? parents[i]! : null]));

  // Listeners of each artist: every user with a counted play of it, valued by ms and by first stream.
  const listeners = new Map<string, Array<{ user: string; ms: number; first: number }>>();
  for (const [user, u] of users) for (const a of u.artists) {
    let l = listeners.get(a.id);
    if (!l) listeners.set(a.id, (l = []));
    l.push({ user, ms: a.ms, first: a.firstStream });
  }
  // Popularity: share of all listener pairs on artists with fewer listeners, plus half of those with as many.
  const counts = [...listeners.values()].map((l) => l.length);
  const pairs = counts.reduce((s, x) => s + x, 0);
  const known = new Map<string, number>();
  const popularity = (a: string) => {
    let p = known.get(a);
    if (p === undefined) {
      const n = listeners.get(a)?.length ?? 0;
      p = (counts.filter((x) => x < n).reduce((s, x) => s + x, 0) + counts.filter((x) => x === n).reduce((s, x) => s + x, 0) / 2) / pairs;
      known.set(a, p);
    }
    return p;
  };
  // r / N <= t%, with t in tenths of a percent so the comparison is exact.
  const smallest = (r: number, n: number) => {
    const t = [1, 5, 10, 20, 50, 100].find((tenths) => r * 1000 <= tenths * n);
    return t === undefined ? null : t / 10;
  };

  const out = new Map<string, RefDocument>();
  for (const [user, u] of users) {
    if (!u.eligible) {
      out.set(user, { eligible: false, fields: { user_id: user, year, eligible: false }, statements: [], axes: null, code: null, audio: null });
      continue;
    }
    const top: RefStatement[] = [], early: RefStatement[] = [];
    for (const a of u.artists.slice(0, 5)) {
      const l = listeners.get(a.id)!;
      if (l.length < minListeners) continue;
      const rTop = 1 + l.filter((x) => x.ms > a.ms).length;
      const t1 = smallest(rTop, l.length);
      if (t1 !== null) top.push({ kind: 'top_listener', artist_id: a.id, threshold_pct: t1 });
      if (Number.isFinite(a.firstStream)) {
        const rEarly = l.filter((x) => x.first <= a.firstStream).length;
        const t2 = smallest(rEarly, l.length);
        if (t2 !== null) early.push({ kind: 'early_fan', artist_id: a.id, threshold_pct: t2 });
      }
    }
    // Documents list top-listener statements, then early-fan ones, each in top-artist order.
    const statements = [...top, ...early];
    const firstStream = Math.min(...u.artists.map((a) => a.firstStream));
    const sum = (xs: number[]) => xs.reduce((s, x) => s + x, 0);
    const r3 = (x: number) => Math.round(x * 1000) / 1000;
    const share = (a: number, b: number) => (b > 0 ? Math.min(1, Math.max(0, a / b)) : 0);
    let common = 0;
    for (const a of u.artists) common += a.ms * popularity(a.id);
    const axes = {
      discovery: r3(share(sum(u.artists.filter((a) => !(a.firstStream <= firstStream + 28 * 86_400_000)).map((a) => a.ms)), u.totalMs)),
      loyalty: r3(share(sum(u.artists.slice(0, 5).map((a) => a.ms)), u.totalMs)),
      timelessness: r3(share(u.timelessMs, u.datedMs)),
      commonality: r3(share(common, u.totalMs)),
    };
    const letters = [['E', 'F'], ['L', 'V'], ['T', 'N'], ['C', 'U']];
    const code = (['discovery', 'loyalty', 'timelessness', 'commonality'] as const).map((k, i) => letters[i]![axes[k] >= model.axis_cuts[k]! ? 0 : 1]).join('');
    let audio: string | null = null;
    if (u.featuredMs > 0) {
      const scale = [10, 1000, 1000, 1000, 1000];
      const z = u.featureMs.map((v, k) => (v / u.featuredMs / scale[k]! - model.feature_mean[k]!) / model.feature_std[k]!);
      const d = model.centroids.map((c) => sum(c.center.map((x, k) => (z[k]! - x) ** 2)));
      audio = model.centroids[d.indexOf(Math.min(...d))]!.name;
    }
    out.set(user, {
      eligible: true, statements, axes, code, audio,
      fields: {
        user_id: user, year, eligible: true, through: `${year}-11-30`,
        total_ms: u.totalMs, total_minutes: Math.floor(u.totalMs / 60_000), plays: u.plays, streams: u.streams,
        unique_tracks: u.uniqueTracks, unique_artists: u.uniqueArtists,
        top_tracks: u.topTracks.map((t) => ({ id: t.id, title: trackTitle.get(t.id), artist_id: trackArtist.get(t.id), artist_name: artistName.get(trackArtist.get(t.id)!), plays: t.streams, ms: t.ms })),
        top_artists: u.artists.slice(0, 10).map((a) => ({ id: a.id, name: artistName.get(a.id), plays: a.streams, ms: a.ms })),
        top_albums: u.topAlbums.map((a) => ({ id: a.id, title: albumTitle.get(a.id), plays: a.streams, ms: a.ms })),
        top_genres: u.genres.slice(0, 5).map((g) => ({ genre: g.genre, parent: parent.get(g.genre) ?? null, ms: g.ms, share: Math.round((g.ms / u.totalMs) * 10_000) / 10_000 })),
        genre_count: u.genreCount,
        monthly: u.monthPlays.map((p, m) => ({ month: m + 1, plays: p, ms: u.monthMs[m], top_artist_id: u.monthTopArtist[m] })),
        hours: u.hours,
        listening_age: u.datedMs > 0 ? Math.max(0, Math.round(year - u.yearMs / u.datedMs + 17)) : null,
      },
    });
  }
  return out;
}
