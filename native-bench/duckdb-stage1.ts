/**
 * SPEC §3's stage-1 numbers in DuckDB SQL over the Parquet lake (the anchor of
 * the stage-1 benchmarks): the same window, cutoff, private filter, dedupe,
 * alias hop, orders and local-time histograms as the engine. Results land in
 * temp tables r_users, r_top_tracks, r_artists, r_albums, r_genres, r_months,
 * r_month_top, r_hours. Run statement by statement (split on ';').
 */
export const stage1Sql = (lake: string, YEAR: number): string => `
CREATE OR REPLACE TEMP TABLE tracks AS SELECT t.track_id, t.artist_id, t.album_id, a.primary_genre AS genre FROM '${lake}/catalog/tracks.parquet' t JOIN '${lake}/catalog/artists.parquet' a USING (artist_id);
CREATE OR REPLACE TEMP TABLE counted AS
WITH raw AS (
  SELECT user_id, track_id, ts, ms_played, private_session, make_date(year::BIGINT, month::BIGINT, day::BIGINT) AS arrival
  FROM read_parquet('${lake}/plays/*/*/*/*.parquet', hive_partitioning = true)
  WHERE user_id IS NOT NULL AND track_id IS NOT NULL AND artist_id IS NOT NULL AND album_id IS NOT NULL AND ts IS NOT NULL
    AND ms_played IS NOT NULL AND source IS NOT NULL AND private_session IS NOT NULL AND device_class IS NOT NULL AND country IS NOT NULL
    AND regexp_full_match(user_id, '[0-9a-f]{32}') AND regexp_full_match(track_id, '[0-9A-Za-z]{22}')
    AND regexp_full_match(artist_id, '[0-9A-Za-z]{22}') AND regexp_full_match(album_id, '[0-9A-Za-z]{22}')
    AND ms_played BETWEEN 0 AND 86400000 AND source IN ('playlist','search','radio','library','autoplay','share','other')
), kept AS (
  SELECT DISTINCT user_id, track_id, ts, ms_played FROM raw
  WHERE ts >= TIMESTAMPTZ '${YEAR}-01-01 00:00:00+00' AND ts < TIMESTAMPTZ '${YEAR}-12-01 00:00:00+00'
    AND arrival < DATE '${YEAR}-12-08' AND NOT private_session
)
SELECT k.user_id, t.track_id, t.artist_id, t.album_id, t.genre, k.ts, k.ms_played AS ms, (k.ms_played >= 30000)::INT AS stream,
       epoch_ms(k.ts) + 60000 * coalesce(u.utc_offset_minutes, 0) AS local_ms
FROM kept k
LEFT JOIN '${lake}/catalog/track_id_aliases.parquet' al ON k.track_id = al.old_track_id
JOIN tracks t ON t.track_id = coalesce(al.track_id, k.track_id)
LEFT JOIN '${lake}/users.parquet' u ON u.user_id = k.user_id;
CREATE OR REPLACE TEMP TABLE r_users AS SELECT user_id, count(*) AS plays, sum(stream) AS streams, sum(ms) AS total_ms,
  count(DISTINCT track_id) AS unique_tracks, count(DISTINCT artist_id) AS unique_artists, count(DISTINCT genre) AS genre_count FROM counted GROUP BY user_id;
CREATE OR REPLACE TEMP TABLE r_top_tracks AS SELECT * FROM (SELECT user_id, track_id, sum(stream) AS streams, sum(ms) AS ms,
  row_number() OVER (PARTITION BY user_id ORDER BY sum(stream) DESC, sum(ms) DESC, track_id) AS rk FROM counted GROUP BY user_id, track_id HAVING sum(stream) > 0) WHERE rk <= 100;
CREATE OR REPLACE TEMP TABLE r_artists AS SELECT user_id, artist_id, count(*) AS plays, sum(stream) AS streams, sum(ms) AS ms,
  min(CASE WHEN stream = 1 THEN ts END) AS first_stream, row_number() OVER (PARTITION BY user_id ORDER BY sum(ms) DESC, sum(stream) DESC, artist_id) AS rk FROM counted GROUP BY user_id, artist_id;
CREATE OR REPLACE TEMP TABLE r_albums AS SELECT * FROM (SELECT user_id, album_id, sum(stream) AS streams, sum(ms) AS ms,
  row_number() OVER (PARTITION BY user_id ORDER BY sum(ms) DESC, sum(stream) DESC, album_id) AS rk FROM counted GROUP BY user_id, album_id) WHERE rk <= 5;
CREATE OR REPLACE TEMP TABLE r_genres AS SELECT user_id, genre, sum(ms) AS ms, row_number() OVER (PARTITION BY user_id ORDER BY sum(ms) DESC, genre) AS rk FROM counted GROUP BY user_id, genre;
CREATE OR REPLACE TEMP TABLE r_months AS SELECT user_id, m, count(*) AS plays, sum(ms) AS ms FROM (
  SELECT user_id, ms, CASE WHEN local_ms < epoch_ms(TIMESTAMPTZ '${YEAR}-01-01 00:00:00+00') THEN 1 ELSE month(make_timestamp(local_ms * 1000)) END AS m FROM counted) GROUP BY user_id, m;
CREATE OR REPLACE TEMP TABLE r_month_top AS SELECT * FROM (SELECT user_id, m, artist_id, row_number() OVER (PARTITION BY user_id, m ORDER BY sum(ms) DESC, sum(stream) DESC, artist_id) AS rk FROM (
  SELECT user_id, artist_id, ms, stream, CASE WHEN local_ms < epoch_ms(TIMESTAMPTZ '${YEAR}-01-01 00:00:00+00') THEN 1 ELSE month(make_timestamp(local_ms * 1000)) END AS m FROM counted) GROUP BY user_id, m, artist_id) WHERE rk = 1;
CREATE OR REPLACE TEMP TABLE r_hours AS SELECT user_id, hour(make_timestamp(local_ms * 1000)) AS h, sum(ms) AS ms FROM counted GROUP BY user_id, h;
`;
