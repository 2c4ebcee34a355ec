/**
 * Calendar arithmetic on `YYYY-MM-DD` strings. Matching is pure: every date arrives as data, nothing reads the clock.
 * Parsing works on char codes so the scoring hot loop allocates nothing.
 */

const digit = (s: string, i: number): number => s.charCodeAt(i) - 48;

/** Days since 1970-01-01 (proleptic Gregorian), Howard Hinnant's days_from_civil. */
export function epochDay(iso: string): number {
  let y = digit(iso, 0) * 1000 + digit(iso, 1) * 100 + digit(iso, 2) * 10 + digit(iso, 3);
  const m = digit(iso, 5) * 10 + digit(iso, 6);
  const d = digit(iso, 8) * 10 + digit(iso, 9);
  if (m <= 2) y -= 1;
  const era = Math.floor(y / 400);
  const yoe = y - era * 400;
  const doy = Math.floor((153 * (m + (m > 2 ? -3 : 9)) + 2) / 5) + d - 1;
  const doe = yoe * 365 + Math.floor(yoe / 4) - Math.floor(yoe / 100) + doy;
  return era * 146097 + doe - 719468;
}

/** Average Gregorian month length; months here are estimates for planning, not legal periods. */
export const DAYS_PER_MONTH = 365.2425 / 12;

/** Months from `from` to `to` (negative when `to` is earlier), as a fraction. */
export function monthsBetween(from: string, to: string): number {
  return (epochDay(to) - epochDay(from)) / DAYS_PER_MONTH;
}
