/**
 * An independent, naive implementation of SPEC §3 for tests: strings, Maps
 * and Date objects, read straight from the Parquet lake (not from SMB), written
 * from the SPEC's text without the engine's code. Slow on purpose: obvious.
 */
import * as path from 'node:path';
import { listPlayPartitions } from '../../engine/lake/lake-layout.ts';
import { readParquetFile } from '../../engine/lake/parquet-io.ts';
import { readPlayFile } from '../../engine/lake/play-file.ts';

export interface RefCatalog {
  readonly trackArtist: ReadonlyMap<string, string>;
  readonly trackAlbum: ReadonlyMap<string, string>;
  readonly artistGenre: ReadonlyMap<string, string>;
  readonly alias: ReadonlyMap<string, string>;
  /** Release year per track id (absent or 0: unknown). */
  readonly trackYear?: ReadonlyMap<string, number>;
  /** Audio features per track id: tempo, energy, valence, danceability, acousticness (absent: none). */
  readonly trackFeatures?: ReadonlyMap<string, readonly number[]>;
}

/** One stored play as the reference sees it. */
export interface RefPlay {
  readonly track: string;
  readonly ts: number;
  readonly ms: number;
  readonly arrivalDay: number;
  readonly priv: boolean;
}

export interface RefUser {
  plays: number;
  streams: number;
  totalMs: number;
  uniqueTracks: number;
  uniqueArtists: number;
  genreCount: number;
  eligible: boolean;
  monthPlays: number[];
  monthMs: number[];
  monthTopArtist: Array<string | null>;
  hours: number[];
  topTracks: Array<{ id: string; streams: number; ms: number }>;
  artists: Array<{ id: string; plays: number; streams: number; ms: number; firstStream: number }>;
  topAlbums: Array<{ id: string; streams: number; ms: number }>;
  genres: Array<{ genre: string; ms: number }>;
  /** Σ ms over plays of dated tracks, Σ ms × year, Σ ms on tracks from year − 10 or before, Σ ms of tracks with features, Σ ms × round(feature × scale). */
  datedMs: number;
  yearMs: number;
  timelessMs: number;
  featuredMs: number;
  featureMs: number[];
}

/** Quantization of the audio features (tempo in 0.1 bpm, the rest in thousandths), as docs/stage-outputs.md states. */
const SCALE = [10, 1000, 1000, 1000, 1000];

const cmpStr = (a: string, b: string) => (a < b ? -1 : a > b ? 1 : 0);

export function loadRefCatalog(lake: string): RefCatalog {
  const t = readParquetFile(path.join(lake, 'catalog/tracks.parquet'));
  const ids = t.getChild('track_id')!.toArray() as string[];
  const ar = t.getChild('artist_id')!.toArray() as string[];
  const al = t.getChild('album_id')!.toArray() as string[];
  const a = readParquetFile(path.join(lake, 'catalog/artists.parquet'));
  const aIds = a.getChild('artist_id')!.toArray() as string[];
  const aGen = a.getChild('primary_genre')!.toArray() as string[];
  const x = readParquetFile(path.join(lake, 'catalog/track_id_aliases.parquet'));
  const old = x.getChild('old_track_id')!.toArray() as string[];
  const nu = x.getChild('track_id')!.toArray() as string[];
  const num = (c: string) => Array.from(t.getChild(c)!.toArray() as ArrayLike<number | null>, (v) => (v === null ? null : Number(v)));
  const years = num('release_year');
  const feats = ['tempo', 'energy', 'valence', 'danceability', 'acousticness'].map(num);
  return {
    trackYear: new Map(ids.map((id, i) => [id, years[i] ?? 0])),
    trackFeatures: new Map(ids.flatMap((id, i) => (feats.every((f) => f[i] !== null && f[i]! >= 0) ? [[id, feats.map((f) => f[i]!)] as [string, number[]]] : []))),
    trackArtist: new Map(ids.map((id, i) => [id, ar[i]!])),
    trackAlbum: new Map(ids.map((id, i) => [id, al[i]!])),
    artistGenre: new Map(aIds.map((id, i) => [id, aGen[i]!])),
    alias: new Map(old.map((o, i) => [o, nu[i]!])),
  };
}

/** SPEC §3 for one user's stored plays. Null when nothing counts. */
export function referenceUser(plays: readonly RefPlay[], offsetMinutes: number, cat: RefCatalog, year: number, freezeMs = Date.UTC(year, 11, 1), lateDays = 7): RefUser | null {
  const start = Date.UTC(year, 0, 1);
  const cutoff = Math.floor(freezeMs / 86_400_000) + lateDays;
  const seen = new Set<string>();
  const counted: Array<{ track: string; ts: number; ms: number }> = [];
  for (const p of plays) {
    if (!(p.ts >= start && p.ts < freezeMs) || p.arrivalDay >= cutoff || p.priv) continue;
    const key = `${p.track}|${p.ts}|${p.ms}`;
    if (seen.has(key)) continue;
    seen.add(key);
    const track = cat.trackArtist.has(p.track) ? p.track : cat.alias.get(p.track);
    if (track === undefined || !cat.trackArtist.has(track)) continue;
    counted.push({ track, ts: p.ts, ms: p.ms });
  }
  if (counted.length === 0) return null;
  const tracks = new Map<string, { plays: number; streams: number; ms: number }>();
  const artists = new Map<string, { plays: number; streams: number; ms: number; firstStream: number }>();
  const albums = new Map<string, { streams: number; ms: number }>();
  const genres = new Map<string, number>();
  const monthArtists = Array.from({ length: 12 }, () => new Map<string, { ms: number; streams: number }>());
  const u: RefUser = {
    plays: 0, streams: 0, totalMs: 0, uniqueTracks: 0, uniqueArtists: 0, genreCount: 0, eligible: false,
    monthPlays: new Array(12).fill(0), monthMs: new Array(12).fill(0), monthTopArtist: new Array(12).fill(null), hours: new Array(24).fill(0),
    topTracks: [], artists: [], topAlbums: [], genres: [],
    datedMs: 0, yearMs: 0, timelessMs: 0, featuredMs: 0, featureMs: [0, 0, 0, 0, 0],
  };
  for (const c of counted) {
    const stream = c.ms >= 30_000;
    u.plays++;
    if (stream) u.streams++;
    u.totalMs += c.ms;
    const t = tracks.get(c.track) ?? { plays: 0, streams: 0, ms: 0 };
    t.plays++;
    t.streams += stream ? 1 : 0;
    t.ms += c.ms;
    tracks.set(c.track, t);
    const y = cat.trackYear?.get(c.track) ?? 0;
    if (y > 0) {
      u.datedMs += c.ms;
      u.yearMs += c.ms * y;
      if (y <= year - 10) u.timelessMs += c.ms;
    }
    const f = cat.trackFeatures?.get(c.track);
    if (f) {
      u.featuredMs += c.ms;
      f.forEach((v, k) => (u.featureMs[k] += c.ms * Math.round(v * SCALE[k]!)));
    }
    const artist = cat.trackArtist.get(c.track)!;
    const a = artists.get(artist) ?? { plays: 0, streams: 0, ms: 0, firstStream: Infinity };
    a.plays++;
    a.streams += stream ? 1 : 0;
    a.ms += c.ms;
    if (stream) a.firstStream = Math.min(a.firstStream, c.ts);
    artists.set(artist, a);
    const album = cat.trackAlbum.get(c.track)!;
    const al = albums.get(album) ?? { streams: 0, ms: 0 };
    al.streams += stream ? 1 : 0;
    al.ms += c.ms;
    albums.set(album, al);
    const g = cat.artistGenre.get(artist)!;
    genres.set(g, (genres.get(g) ?? 0) + c.ms);
    const local = new Date(c.ts + offsetMinutes * 60_000);
    const month = local.getUTCFullYear() < year ? 0 : local.getUTCMonth();
    u.monthPlays[month]++;
    u.monthMs[month] += c.ms;
    u.hours[local.getUTCHours()] += c.ms;
    const ma = monthArtists[month]!.get(artist) ?? { ms: 0, streams: 0 };
    ma.ms += c.ms;
    ma.streams += stream ? 1 : 0;
    monthArtists[month]!.set(artist, ma);
  }
  u.uniqueTracks = tracks.size;
  u.uniqueArtists = artists.size;
  u.genreCount = genres.size;
  u.eligible = u.streams >= 30 && [...artists.values()].filter((a) => a.streams > 0).length >= 5;
  u.topTracks = [...tracks].filter(([, t]) => t.streams > 0)
    .sort(([ia, a], [ib, b]) => b.streams - a.streams || b.ms - a.ms || cmpStr(ia, ib)).slice(0, 100)
    .map(([id, t]) => ({ id, streams: t.streams, ms: t.ms }));
  u.artists = [...artists].sort(([ia, a], [ib, b]) => b.ms - a.ms || b.streams - a.streams || cmpStr(ia, ib)).map(([id, a]) => ({ id, ...a }));
  u.topAlbums = [...albums].sort(([ia, a], [ib, b]) => b.ms - a.ms || b.streams - a.streams || cmpStr(ia, ib)).slice(0, 5).map(([id, a]) => ({ id, ...a }));
  u.genres = [...genres].sort(([ga, a], [gb, b]) => b - a || cmpStr(ga, gb)).map(([genre, ms]) => ({ genre, ms }));
  u.monthTopArtist = monthArtists.map((m) => ([...m].sort(([ia, a], [ib, b]) => b.ms - a.ms || b.streams - a.streams || cmpStr(ia, ib))[0]?.[0] ?? null));
  return u;
}

const SOURCES = new Set(['playlist', 'search', 'radio', 'library', 'autoplay', 'share', 'other']);

/** SPEC §3 for every user of a lake: reads all partitions, skips malformed rows (SPEC §6), applies referenceUser. */
export function referenceLake(lake: string, year: number): Map<string, RefUser> {
  const cat = loadRefCatalog(lake);
  const users = readParquetFile(path.join(lake, 'users.parquet'));
  const uid = users.getChild('user_id')!.toArray() as string[];
  const off = users.getChild('utc_offset_minutes')!.toArray() as Int32Array;
  const offsets = new Map(uid.map((u, i) => [u, off[i]!]));
  const byUser = new Map<string, RefPlay[]>();
  for (const p of listPlayPartitions(lake)) {
    for (const file of p.files) {
      const f = readPlayFile(file);
      const s = (c: { codes: Int32Array; dictionary: readonly string[] }, i: number) => (c.codes[i]! < 0 ? null : c.dictionary[c.codes[i]!]!);
      for (let i = 0; i < f.n; i++) {
        const user = s(f.user_id, i), track = s(f.track_id, i), artist = s(f.artist_id, i), album = s(f.album_id, i), source = s(f.source, i);
        const ok = user !== null && track !== null && artist !== null && album !== null && source !== null && s(f.device_class, i) !== null && s(f.country, i) !== null
          && !Number.isNaN(f.ts[i]) && f.msValid[i] === 1 && f.private_session[i] !== 255
          && /^[0-9a-f]{32}$/.test(user) && [track, artist, album].every((x) => /^[0-9A-Za-z]{22}$/.test(x))
          && f.ms_played[i]! >= 0 && f.ms_played[i]! <= 86_400_000 && SOURCES.has(source);
        if (!ok) continue;
        let list = byUser.get(user!);
        if (!list) byUser.set(user!, (list = []));
        list.push({ track: track!, ts: f.ts[i]!, ms: f.ms_played[i]!, arrivalDay: p.day, priv: f.private_session[i] === 1 });
      }
    }
  }
  const out = new Map<string, RefUser>();
  for (const [user, plays] of byUser) {
    const r = referenceUser(plays, offsets.get(user) ?? 0, cat, year);
    if (r) out.set(user, r);
  }
  return out;
}
