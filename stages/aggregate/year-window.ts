import { DAY_MS, epochDay } from '../../engine/lake/calendar.ts';

/**
 * The counting window of SPEC §3 for year Y, freeze F and late buffer L:
 * Y-01-01T00:00Z <= ts < F, arrival day < F + L (whole days). Month starts
 * are in local time (ts + utc offset): a local time before Y goes to January.
 */
export interface YearWindow {
  readonly year: number;
  /** ms of Y-01-01T00:00Z. */
  readonly startMs: number;
  /** ms of the freeze F (exclusive). */
  readonly freezeMs: number;
  /** First arrival day (epoch day) that no longer counts: day(F) + L. */
  readonly cutoffDay: number;
  /** Local month boundaries as ms: month m is [monthStart[m], monthStart[m + 1]). */
  readonly monthStart: Float64Array;
}

export function yearWindow(year: number, freeze?: string, lateDays = 7): YearWindow {
  const freezeMs = freeze ? Date.parse(freeze) : Date.UTC(year, 11, 1);
  const freezeDay = Math.floor(freezeMs / DAY_MS);
  return {
    year,
    startMs: epochDay(year) * DAY_MS,
    freezeMs,
    cutoffDay: freezeDay + lateDays,
    monthStart: Float64Array.from({ length: 13 }, (_, m) => Date.UTC(year, m, 1)),
  };
}

/** "through": the last day inside the window, YYYY-MM-DD. */
export function throughDate(w: YearWindow): string {
  return new Date(w.freezeMs - 1).toISOString().slice(0, 10);
}
