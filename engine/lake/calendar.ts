/** Days as integers: days since 1970-01-01 (UTC), "epoch days". */

export const DAY_MS = 86_400_000;

export function epochDay(year: number, month = 1, day = 1): number {
  return Date.UTC(year, month - 1, day) / DAY_MS;
}

export function yearOfEpochDay(d: number): number {
  return new Date(d * DAY_MS).getUTCFullYear();
}

/** 'YYYY-MM-DD' of an epoch day. */
export function isoDate(d: number): string {
  return new Date(d * DAY_MS).toISOString().slice(0, 10);
}

export function epochDayOfIso(iso: string): number {
  return Date.parse(`${iso}T00:00:00Z`) / DAY_MS;
}

/** The arrival partition of an epoch day: year=YYYY/month=MM/day=DD. */
export function partitionPath(d: number): string {
  const s = isoDate(d);
  return `year=${s.slice(0, 4)}/month=${s.slice(5, 7)}/day=${s.slice(8, 10)}`;
}
