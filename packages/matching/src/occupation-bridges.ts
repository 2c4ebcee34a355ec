import type { OccupationBridge, OccupationMatch } from './types.ts';

/**
 * Declared occupation bridges. Matching accepts a candidate only for their own ISCO-08 unit group or along one of
 * these rows, so a pairing across occupations is always a decision someone wrote down, with its reason.
 * Callers may pass their own table (a partnership's agreed routes) instead.
 */
export const DEFAULT_OCCUPATION_BRIDGES: readonly OccupationBridge[] = [
  {
    from: '2221',
    to: '5321',
    fit: 0.6,
    belowSkill: true,
    reason:
      'a nursing professional may work as a health care assistant while their nursing qualification is recognised',
  },
  {
    from: '3221',
    to: '5321',
    fit: 0.7,
    belowSkill: true,
    reason:
      'a nursing associate professional may work as a health care assistant while their qualification is recognised',
  },
  {
    from: '2221',
    to: '3221',
    fit: 0.8,
    belowSkill: true,
    reason: 'a nursing professional may work as a nursing associate professional while preparing a licensing exam',
  },
  {
    from: '2222',
    to: '5321',
    fit: 0.5,
    belowSkill: true,
    reason: 'a midwife may work as a health care assistant while their qualification is recognised',
  },
  {
    from: '5322',
    to: '5321',
    fit: 0.85,
    belowSkill: false,
    reason: 'home-based personal care work and institutional care work share the same core skills',
  },
  {
    from: '5321',
    to: '5322',
    fit: 0.85,
    belowSkill: false,
    reason: 'institutional care work and home-based personal care work share the same core skills',
  },
];

/**
 * Every occupation a vacancy in `vacancyIsco` can take, keyed by the candidate's ISCO-08 unit group.
 * Built once per vacancy so the per-candidate check is one map lookup.
 */
export function compatibleOccupations(
  vacancyIsco: string,
  bridges: readonly OccupationBridge[] = DEFAULT_OCCUPATION_BRIDGES,
): ReadonlyMap<string, OccupationMatch> {
  const out = new Map<string, OccupationMatch>();
  out.set(vacancyIsco, { kind: 'same', fit: 1, belowSkill: false, reason: 'same ISCO-08 unit group' });
  for (const b of bridges) {
    if (b.to !== vacancyIsco || b.from === vacancyIsco) continue;
    const prior = out.get(b.from);
    // Two rows for the same route: the better fit wins, so the table's order does not matter.
    if (!prior || prior.fit < b.fit) {
      out.set(b.from, { kind: 'bridge', fit: b.fit, belowSkill: b.belowSkill, reason: b.reason });
    }
  }
  return out;
}

/**
 * The reverse of `compatibleOccupations`: the vacancy occupations a trainee in `isco` can take, their own unit
 * group first, then the declared bridges out of it.
 */
export function occupationsOpenTo(
  isco: string,
  bridges: readonly OccupationBridge[] = DEFAULT_OCCUPATION_BRIDGES,
): string[] {
  const out = [isco];
  for (const b of bridges) if (b.from === isco && !out.includes(b.to)) out.push(b.to);
  return out;
}
