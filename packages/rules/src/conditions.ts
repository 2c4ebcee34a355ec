import { cefrRankOf } from './conversions.ts';
import { minusYears } from './dates.ts';
import type { Facts } from './facts.ts';
import type { Condition } from './schema.ts';

/** Three-valued logic: a condition on missing data is neither true nor false. */
export const FALSE = 0;
export const TRUE = 1;
export const UNKNOWN = 2;
export type Tri = typeof FALSE | typeof TRUE | typeof UNKNOWN;

export type CompiledCondition = (f: Facts) => Tri;

export const startsWithAny = (code: string, prefixes: readonly string[]): boolean => {
  for (let i = 0; i < prefixes.length; i++) if (code.startsWith(prefixes[i]!)) return true;
  return false;
};

export const subjectIsco = (f: Facts, subject: 'profile' | 'offerOrProfile' | undefined): string =>
  subject === 'offerOrProfile' ? (f.offer?.isco08 ?? f.profile.occupation.isco08) : f.profile.occupation.isco08;

/** Set by `bestCefr`: some evidence for the language could not be placed on the CEFR scale (or languages are missing). */
export let cefrOpen = false;
/** The best CEFR rank known for a language (0 none); sets `cefrOpen`. No allocation: this runs per criterion. */
export function bestCefr(f: Facts, language: string): number {
  if (!f.languagesKnown) {
    cefrOpen = true;
    return 0;
  }
  let rank = 0;
  let open = false;
  const ls = f.languages;
  for (let i = 0; i < ls.length; i++) {
    const l = ls[i]!;
    if (l.language !== language) continue;
    if (l.rank < 0) open = true;
    else if (l.rank > rank) rank = l.rank;
  }
  cefrOpen = open;
  return rank;
}

/** Recognition of any qualification in `destination`; UNKNOWN when qualifications or their recognition are not given. */
export function recognitionIn(f: Facts, destination: string, statuses: ReadonlySet<string>): Tri {
  const quals = f.profile.qualifications;
  if (quals === undefined) return UNKNOWN;
  let unknown = false;
  for (const q of quals) {
    if (q.recognition === undefined) {
      unknown = true;
      continue;
    }
    let status = 'none';
    for (const r of q.recognition) if (r.destination === destination) status = r.status;
    if (statuses.has(status)) return TRUE;
  }
  return unknown ? UNKNOWN : FALSE;
}

export function compileCondition(c: Condition, destination: string): CompiledCondition {
  switch (c.kind) {
    case 'always':
      return () => TRUE;
    case 'any': {
      const parts = c.of.map((p) => compileCondition(p, destination));
      return (f) => {
        let unknown = false;
        for (const p of parts) {
          const t = p(f);
          if (t === TRUE) return TRUE;
          if (t === UNKNOWN) unknown = true;
        }
        return unknown ? UNKNOWN : FALSE;
      };
    }
    case 'all': {
      const parts = c.of.map((p) => compileCondition(p, destination));
      return (f) => {
        let unknown = false;
        for (const p of parts) {
          const t = p(f);
          if (t === FALSE) return FALSE;
          if (t === UNKNOWN) unknown = true;
        }
        return unknown ? UNKNOWN : TRUE;
      };
    }
    case 'not': {
      const inner = compileCondition(c.of, destination);
      return (f) => {
        const t = inner(f);
        return t === UNKNOWN ? UNKNOWN : t === TRUE ? FALSE : TRUE;
      };
    }
    case 'ageAtLeast': {
      const years = c.years;
      return (f) => (f.age >= years ? TRUE : FALSE);
    }
    case 'ageBelow': {
      const years = c.years;
      return (f) => (f.age < years ? TRUE : FALSE);
    }
    case 'nationalityIn': {
      const set = new Set(c.countries);
      return (f) => (set.has(f.profile.nationality) ? TRUE : FALSE);
    }
    case 'occupationIn': {
      const prefixes = c.isco08;
      const subject = c.subject;
      return (f) => (startsWithAny(subjectIsco(f, subject), prefixes) ? TRUE : FALSE);
    }
    case 'recognitionIn': {
      const set = new Set<string>(c.statuses);
      return (f) => recognitionIn(f, destination, set);
    }
    case 'cefrAtLeast': {
      const min = cefrRankOf(c.level);
      const language = c.language;
      return (f) => (bestCefr(f, language) >= min ? TRUE : cefrOpen ? UNKNOWN : FALSE);
    }
    case 'qualificationAwardedWithinYears': {
      const { years, minIsced } = c;
      return (f) => {
        const quals = f.profile.qualifications;
        if (quals === undefined) return UNKNOWN;
        const since = minusYears(f.asOf, years);
        let unknown = false;
        for (const q of quals) {
          if (q.iscedLevel < minIsced) continue;
          if (q.awarded === undefined) unknown = true;
          else if (q.awarded >= since && q.awarded <= f.asOf) return TRUE;
        }
        return unknown ? UNKNOWN : FALSE;
      };
    }
    case 'certification': {
      const codes = new Set(c.codes);
      return (f) => {
        const certs = f.profile.certifications;
        if (certs === undefined) return UNKNOWN;
        for (const cert of certs) if (codes.has(cert.code)) return TRUE;
        return FALSE;
      };
    }
    case 'offerSectorIn': {
      const sectors = new Set(c.sectors);
      return (f) => {
        const sector = f.offer?.sector;
        return sector === undefined ? UNKNOWN : sectors.has(sector) ? TRUE : FALSE;
      };
    }
  }
}
