import { startsWithAny } from '../conditions.ts';
import { DAYS_PER_MONTH, dayNumber, minusYears } from '../dates.ts';
import type { Facts } from '../facts.ts';
import { byPoints, type KindCompiled, type KindContext, NumberMemo } from './common.ts';

/**
 * Day number of the start of an N-year window ending on asOf. It depends on the date alone, so it is kept for
 * the last as-of date (evaluations mostly share one) rather than worked out again for every profile.
 */
let windowAsOf = '';
const windowStarts: (number | undefined)[] = [];
function windowStart(f: Facts, years: number): number {
  if (f.asOf !== windowAsOf) {
    windowStarts.length = 0;
    windowAsOf = f.asOf;
  }
  let v = windowStarts[years];
  if (v === undefined) {
    v = dayNumber(minusYears(f.asOf, years));
    windowStarts[years] = v;
  }
  return v;
}

export interface MonthsSpec {
  withinYears?: number | undefined;
  occupation: 'profile' | 'any' | string[];
  countriesIn?: string[] | undefined;
  countriesNotIn?: string[] | undefined;
  minHoursPerWeek?: number | undefined;
}
/**
 * A spec with every field present (undefined where not given): one object shape for every criterion, so that
 * `countMonths` reads it with monomorphic loads.
 */
export const monthsSpec = (s: MonthsSpec): MonthsSpec => ({
  withinYears: s.withinYears,
  occupation: s.occupation,
  countriesIn: s.countriesIn,
  countriesNotIn: s.countriesNotIn,
  minHoursPerWeek: s.minHoursPerWeek,
});

/** Months that certainly count, and months that might (undated or with missing details). */
export function countMonths(f: Facts, spec: MonthsSpec, out: { known: number; possible: number }): void {
  let known = 0;
  let maybe = 0;
  const startDay = spec.withinYears === undefined ? -Infinity : windowStart(f, spec.withinYears);
  const windowMonths = spec.withinYears === undefined ? Infinity : spec.withinYears * 12;
  const own = f.profile.occupation.isco08;
  const exp = f.experience;
  for (let i = 0; i < exp.length; i++) {
    const e = exp[i]!;
    if (spec.occupation === 'profile') {
      if (e.isco08 !== own) continue;
    } else if (spec.occupation !== 'any' && !startsWithAny(e.isco08, spec.occupation)) continue;
    let sure = true;
    if (spec.countriesIn || spec.countriesNotIn) {
      if (e.country === undefined) sure = false;
      else if (spec.countriesIn && !spec.countriesIn.includes(e.country)) continue;
      else if (spec.countriesNotIn?.includes(e.country)) continue;
    }
    if (spec.minHoursPerWeek !== undefined) {
      if (e.hoursPerWeek === undefined) sure = false;
      else if (e.hoursPerWeek < spec.minHoursPerWeek) continue;
    }
    let months: number;
    if (Number.isNaN(e.fromDay)) {
      months = e.months;
      // Undated months cannot be placed inside a window.
      if (spec.withinYears !== undefined) sure = false;
    } else {
      const from = Math.max(e.fromDay, startDay);
      const to = Math.min(e.toDay, f.asOfDay);
      months = to >= from ? (to - from + 1) / DAYS_PER_MONTH : 0;
    }
    if (sure) known += months;
    else maybe += months;
  }
  out.known = Math.min(known, windowMonths);
  out.possible = Math.min(known + maybe, windowMonths);
}

export function compileExperience({ c, suffix }: KindContext<'experience'>): KindCompiled {
  const rows = [...(c.pointsBands ?? [])].sort((a, b) => b.minMonths - a.minMonths);
  const pts = (m: number) => {
    for (const r of rows) if (m + 1e-9 >= r.minMonths) return r.points;
    return 0;
  };
  const maxPoints = Math.max(0, ...rows.map((r) => r.points));
  const min = c.minMonths;
  const scope = `${c.occupation === 'profile' ? 'in the occupation' : c.occupation === 'any' ? 'of work' : `in ISCO ${c.occupation.join('/')}`}${c.countriesIn ? ` in ${c.countriesIn.join('/')}` : ''}${c.countriesNotIn ? ` outside ${c.countriesNotIn.join('/')}` : ''}${c.minHoursPerWeek ? ` at ${c.minHoursPerWeek}+ h/week` : ''}${c.withinYears ? ` in the last ${c.withinYears} years` : ''}`;
  const need = min === undefined ? '' : `${min} months ${scope}`;
  const notGiven = `experience not given${need ? `; needs ${need}` : ''}${suffix}`;
  const tmp = { known: 0, possible: 0 };
  const spec = monthsSpec(c);
  // The sentences depend only on whole months known and possible, and the points: memoised by those.
  const sentences = new NumberMemo();
  return {
    hasPoints: rows.length > 0,
    threshold: min !== undefined,
    maxPoints,
    check: (f, o) => {
      o.need = need;
      if (!f.experienceKnown) {
        o.status = 'unknown';
        o.upside = maxPoints;
        o.detail = notGiven;
        o.have = 'not given';
        return;
      }
      countMonths(f, spec, tmp);
      const known = tmp.known;
      const possible = tmp.possible;
      let points = 0;
      let upside = 0;
      if (rows.length > 0) {
        points = pts(known);
        upside = pts(possible) - points;
      }
      let status: 'met' | 'unmet' | 'unknown';
      if (min !== undefined) status = known + 1e-9 >= min ? 'met' : possible + 1e-9 >= min ? 'unknown' : 'unmet';
      else status = points > 0 ? 'met' : upside > 0 ? 'unknown' : 'unmet';
      const wholeKnown = Math.floor(known + 1e-9);
      const more = possible > known + 1e-9;
      const wholePossible = more ? Math.floor(possible + 1e-9) : 0;
      // Small integers (V8 Smis, 31 bits) hash fastest: 12 bits each for the months, 5 for the points.
      const key =
        wholeKnown >= 0 && wholeKnown < 4096 && wholePossible < 4096 && points >= 0 && points < 32
          ? ((wholeKnown * 4096 + wholePossible) * 32 + points) * 2 + (more ? 1 : 0)
          : -1;
      const hit = key >= 0 ? sentences.get(f, key) : undefined;
      if (hit !== undefined) {
        o.status = status;
        o.points = points;
        o.upside = upside;
        o.detail = hit.detail;
        o.have = hit.have;
        return undefined;
      }
      o.points = points;
      o.upside = upside;
      const have = `${wholeKnown} months ${scope}${more ? ` (up to ${wholePossible} with entries that lack dates, country or hours)` : ''}`;
      if (min !== undefined) o.status = status;
      else byPoints(o);
      o.detail = `${have}${need ? `; needs ${min} months` : ''}${rows.length > 0 ? `: ${o.points} points` : ''}${suffix}`;
      o.have = have;
      if (key >= 0) sentences.record(key, o);
      return undefined;
    },
  };
}
