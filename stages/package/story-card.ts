/**
 * A share card's content (story.json): what the PNG shows, as data, so a client
 * can draw its own. Built from the published document only.
 */
export interface StoryCard {
  readonly version: 1;
  readonly user_id: string;
  readonly year: number;
  /** Background hues in degrees, from the top genre's catalog hue (or the user id when it has none). */
  readonly hue: number;
  readonly minutes: number;
  readonly top_artists: readonly string[];
  readonly top_tracks: ReadonlyArray<{ readonly title: string; readonly artist: string }>;
  readonly top_genre: string | null;
  readonly personality: string | null;
  readonly headline_blurb: string | null;
}

type Doc = Record<string, unknown>;

export function storyCard(doc: Doc, genreHues: Readonly<Record<string, number>> = {}): StoryCard {
  const user = doc['user_id'] as string;
  const genres = (doc['top_genres'] as Array<{ genre: string }> | undefined) ?? [];
  const topGenre = genres[0]?.genre ?? null;
  const hue = topGenre !== null && (genreHues[topGenre] ?? -1) >= 0 ? genreHues[topGenre]! : parseInt(user.slice(0, 4), 16) % 360;
  const blurbs = [...((doc['global_rank_blurbs'] as Array<{ text: string; threshold_pct: number }>) ?? []), ...((doc['early_fan_blurbs'] as Array<{ text: string; threshold_pct: number }>) ?? [])];
  blurbs.sort((a, b) => a.threshold_pct - b.threshold_pct);
  return {
    version: 1, user_id: user, year: doc['year'] as number, hue,
    minutes: doc['total_minutes'] as number,
    top_artists: ((doc['top_artists'] as Array<{ name: string }>) ?? []).slice(0, 5).map((a) => a.name),
    top_tracks: ((doc['top_tracks'] as Array<{ title: string; artist_name: string }>) ?? []).slice(0, 5).map((t) => ({ title: t.title, artist: t.artist_name })),
    top_genre: topGenre,
    personality: (doc['music_personality'] as { label?: string } | undefined)?.label ?? null,
    headline_blurb: blurbs[0]?.text ?? null,
  };
}
