/** What stage 3 wrote for one user. */
export interface RankLine {
  readonly global_rank_blurbs: readonly unknown[];
  readonly early_fan_blurbs: readonly unknown[];
}

/**
 * The published document (SPEC §5): stage 2's fields in the contract's order,
 * with stage 3's statements and the card URLs put where the contract lists
 * them. Keys are inserted in a fixed order, so JSON.stringify gives the same
 * bytes for the same input. Ineligible users keep their three fields.
 */
export function finalDocument(enriched: Record<string, unknown>, rank: RankLine | undefined, cardUrls: Record<string, string> | null): Record<string, unknown> {
  if (enriched['eligible'] !== true) return enriched;
  const doc: Record<string, unknown> = {};
  for (const [k, v] of Object.entries(enriched)) if (k !== 'vs_last_year') doc[k] = v;
  doc['global_rank_blurbs'] = rank?.global_rank_blurbs ?? [];
  doc['early_fan_blurbs'] = rank?.early_fan_blurbs ?? [];
  doc['vs_last_year'] = enriched['vs_last_year'] ?? null;
  doc['shareable_card_urls'] = cardUrls ?? {};
  return doc;
}

/** URLs of a user's card as the server serves them (SPEC §5). */
export function cardUrls(userId: string): Record<string, string> {
  return { story_png: `/wrapped/${userId}/story.png`, story_json: `/wrapped/${userId}/story.json` };
}
