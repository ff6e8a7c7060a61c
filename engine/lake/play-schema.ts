/**
 * The play event columns of SPEC §2, in the order the generator writes them.
 * Readers look columns up by name: other writers may order them differently
 * or add more.
 */
export const PLAY_COLUMNS = [
  'user_id', 'track_id', 'artist_id', 'album_id', 'ts', 'ms_played', 'source', 'device_class', 'country', 'private_session',
] as const;
export type PlayColumn = (typeof PLAY_COLUMNS)[number];

/** The values `source` may take; anything else is a malformed row. */
export const PLAY_SOURCES = ['playlist', 'search', 'radio', 'library', 'autoplay', 'share', 'other'] as const;

/** ms_played outside [0, MAX_MS_PLAYED] is a malformed row. */
export const MAX_MS_PLAYED = 86_400_000;

/** Why a row is skipped (SPEC §6), as counted in the run report and the rejects table. */
export const REJECT_REASONS = [
  'bad_user_id', 'bad_track_id', 'bad_artist_id', 'bad_album_id', 'null_field', 'ms_played_out_of_range', 'unknown_source',
] as const;
export type RejectReason = (typeof REJECT_REASONS)[number];
