import type { CatalogText } from '../../engine/catalog/catalog-text.ts';
import { textAt } from '../../engine/columns/string-table.ts';
import { FEATURES } from '../../engine/catalog/features.ts';
import { TOP_ARTISTS, TOP_GENRES, type UserSummary } from '../aggregate/user-accumulator.ts';
import { audioFeatures, listeningAge, personalityAxes } from './axes.ts';
import { nearestCentroid, personalityOf, type PersonalityModel } from './personality-model.ts';

/** What the user's previous year gives (read from the previous year's stage-1 tables). */
export interface LastYear {
  readonly totalMs: number;
  /** Every artist with a counted play last year, as this year's catalog indexes. */
  readonly artists: ReadonlySet<number>;
  /** Last year's top artists, as this year's catalog indexes (-1 for an artist gone from the catalog). */
  readonly topArtists: readonly number[];
}

export interface EnrichContext {
  readonly year: number;
  /** Last day of the counting window, YYYY-MM-DD. */
  readonly through: string;
  readonly text: CatalogText;
  readonly popularity: Float64Array;
  readonly model: PersonalityModel;
  /** True when a previous year's run exists (vs_last_year is then computed, else null). */
  readonly hasPreviousYear: boolean;
}

const share = (ms: number, total: number) => (total > 0 ? Math.round((ms / total) * 10_000) / 10_000 : 0);

/**
 * The document of SPEC §5 for one user, up to what stage 2 knows: every field
 * in the contract's order except the rank statements and card URLs, which
 * stage 4 adds. Ineligible users get only user_id, year and eligible.
 */
export function enrichedDocument(user: string, s: UserSummary, ctx: EnrichContext, last: LastYear | null): Record<string, unknown> {
  if (!s.eligible) return { user_id: user, year: ctx.year, eligible: false };
  const t = ctx.text;
  const artistName = (a: number) => textAt(t.artistNames, a);
  const axes = personalityAxes(s, ctx.popularity, last ? last.artists : null);
  const features = audioFeatures(s);
  const cluster = features ? ctx.model.centroids[nearestCentroid(features, ctx.model)]! : null;
  const topArtists = Array.from(s.artists.subarray(0, TOP_ARTISTS));
  const genreParent = (g: number) => {
    const p = t.genreParent[g]!;
    return p < 0 ? null : textAt(t.genreNames, p);
  };
  return {
    user_id: user, year: ctx.year, eligible: true, through: ctx.through,
    total_ms: s.totalMs, total_minutes: Math.floor(s.totalMs / 60_000), plays: s.plays, streams: s.streams,
    unique_tracks: s.uniqueTracks, unique_artists: s.uniqueArtists,
    top_tracks: Array.from(s.topTracks, (tr, i) => {
      const a = t.trackArtist[tr]!;
      return { id: textAt(t.trackIds, tr), title: textAt(t.trackTitles, tr), artist_id: textAt(t.artistIds, a), artist_name: artistName(a), plays: s.topTrackStreams[i]!, ms: s.topTrackMs[i]! };
    }),
    top_artists: topArtists.map((a, i) => ({ id: textAt(t.artistIds, a), name: artistName(a), plays: s.artistStreams[i]!, ms: s.artistMs[i]! })),
    top_albums: Array.from(s.topAlbums, (al, i) => ({ id: textAt(t.albumIds, al), title: textAt(t.albumTitles, al), plays: s.topAlbumStreams[i]!, ms: s.topAlbumMs[i]! })),
    top_genres: Array.from(s.genres.subarray(0, TOP_GENRES), (g, i) => ({ genre: textAt(t.genreNames, g), parent: genreParent(g), ms: s.genreMs[i]!, share: share(s.genreMs[i]!, s.totalMs) })),
    genre_count: s.genreCount,
    monthly: Array.from({ length: 12 }, (_, m) => ({
      month: m + 1, plays: s.monthPlays[m]!, ms: s.monthMs[m]!, top_artist_id: s.monthTopArtist[m]! < 0 ? null : textAt(t.artistIds, s.monthTopArtist[m]!),
    })),
    hours: Array.from(s.hours),
    music_personality: {
      ...personalityOf(axes, ctx.model.axis_cuts), axes,
      audio_profile: cluster && features
        ? { name: cluster.name, description: cluster.description, model: ctx.model.version, features: Object.fromEntries(FEATURES.map((f, k) => [f, Math.round(features[k]! * 1000) / 1000])) }
        : null,
    },
    listening_age: listeningAge(s, ctx.year),
    vs_last_year: ctx.hasPreviousYear && last ? vsLastYear(s, last, t) : null,
  };
}

function vsLastYear(s: UserSummary, last: LastYear, t: CatalogText): Record<string, unknown> {
  const before = new Set(last.topArtists);
  const top = Array.from(s.artists.subarray(0, TOP_ARTISTS));
  const entry = (a: number) => ({ id: textAt(t.artistIds, a), name: textAt(t.artistNames, a) });
  const minutes = Math.floor(s.totalMs / 60_000), prev = Math.floor(last.totalMs / 60_000);
  return {
    previous_total_minutes: prev,
    minutes_delta: minutes - prev,
    new_top_artists: top.filter((a) => !before.has(a)).map(entry),
    returning_top_artists: top.filter((a) => before.has(a)).map(entry),
  };
}
