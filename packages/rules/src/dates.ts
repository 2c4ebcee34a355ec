/**
 * Date arithmetic on `YYYY-MM-DD` strings without `Date`: the evaluator runs millions of times a second,
 * and calendar dates compare correctly as strings.
 */

const digit = (s: string, i: number): number => s.charCodeAt(i) - 48;

export const yearOf = (d: string): number => digit(d, 0) * 1000 + digit(d, 1) * 100 + digit(d, 2) * 10 + digit(d, 3);
export const monthOf = (d: string): number => digit(d, 5) * 10 + digit(d, 6);
export const dayOf = (d: string): number => digit(d, 8) * 10 + digit(d, 9);

/** Whole years on `asOf`: the birthday itself counts (born 2000-03-01 is 26 on 2026-03-01, 25 on 2026-02-28). */
export function ageOn(dateOfBirth: string, asOf: string): number {
  let age = yearOf(asOf) - yearOf(dateOfBirth);
  // MM-DD compared as MMDD numbers (as strings they compare the same way, without allocating); a 29 February
  // birthday is reached on 1 March in common years.
  if (monthOf(asOf) * 100 + dayOf(asOf) < monthOf(dateOfBirth) * 100 + dayOf(dateOfBirth)) age--;
  return age;
}

/** Days since 1970-01-01 (proleptic Gregorian), after Howard Hinnant's days_from_civil. */
export function dayNumber(d: string): number {
  let y = yearOf(d);
  const m = monthOf(d);
  const day = dayOf(d);
  y -= m <= 2 ? 1 : 0;
  const era = Math.floor(y / 400);
  const yoe = y - era * 400;
  const doy = Math.floor((153 * (m + (m > 2 ? -3 : 9)) + 2) / 5) + day - 1;
  const doe = yoe * 365 + Math.floor(yoe / 4) - Math.floor(yoe / 100) + doy;
  return era * 146097 + doe - 719468;
}

/** The same calendar date `years` earlier (29 Feb → 28 Feb). */
export function minusYears(d: string, years: number): string {
  const y = String(yearOf(d) - years).padStart(4, '0');
  let md = d.slice(5);
  if (md === '02-29') md = '02-28';
  return `${y}-${md}`;
}

/** Average month length, so that 12 months of dates is one year. */
export const DAYS_PER_MONTH = 365.2425 / 12;

/**
 * `inForce` over fixed entries, remembering the answer for the last as-of date (evaluations mostly share one):
 * string comparisons only when the date changes.
 */
export function inForcePicker<T extends { effectiveFrom: string; effectiveTo: string | null }>(
  entries: readonly T[],
): (asOf: string) => T | undefined {
  let lastAsOf: string | undefined;
  let last: T | undefined;
  return (asOf) => {
    if (asOf !== lastAsOf) {
      last = inForce(entries, asOf);
      lastAsOf = asOf;
    }
    return last;
  };
}

/** Pick the dated entry in force on `asOf` (both ends inclusive). Entries are few; a scan beats a search. */
export function inForce<T extends { effectiveFrom: string; effectiveTo: string | null }>(
  entries: readonly T[],
  asOf: string,
): T | undefined {
  for (let i = 0; i < entries.length; i++) {
    const e = entries[i]!;
    if (e.effectiveFrom <= asOf && (e.effectiveTo === null || asOf <= e.effectiveTo)) return e;
  }
  return undefined;
}
