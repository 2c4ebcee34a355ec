import type { EligibilityProfile, LanguageTest, OfferTermsInput } from '@corridor/domain';
import { testToAuLevel, testToCefrRank, testToClb } from './conversions.ts';
import { ageOn, dayNumber } from './dates.ts';

/**
 * What the criteria read, derived once per (profile, asOf) and shared by every pack evaluated for it.
 *
 * Convention for missing data: an omitted array (`languages`, `experience`, …) is unknown; a given array is
 * taken as complete, so a language that is not listed is known to be absent.
 */
export interface LanguageFact {
  language: string;
  /** CEFR rank 1..6 from a level or a converted test; 0 none; -1 not convertible. */
  rank: number;
  test: LanguageTest | undefined;
}

export interface ExperienceFact {
  isco08: string;
  country: string | undefined;
  /** Day numbers; NaN when the entry has months only. */
  fromDay: number;
  toDay: number;
  months: number;
  hoursPerWeek: number | undefined;
}

export interface Facts {
  readonly profile: EligibilityProfile;
  readonly offer: OfferTermsInput | undefined;
  readonly asOf: string;
  readonly asOfDay: number;
  readonly age: number;
  readonly languagesKnown: boolean;
  readonly languages: readonly LanguageFact[];
  /** Best Australian English level shown by a test (0 none … 4 superior). */
  readonly auEnglish: number;
  /** Some English evidence could not be placed on the Australian scale (or languages are unknown). */
  readonly auEnglishOpen: boolean;
  /** Best CLB per ability [L, R, W, S] (by lowest ability); undefined when no accepted test. */
  readonly clb: readonly [number, number, number, number] | undefined;
  /** Some English evidence could not be converted to CLB (or languages are unknown). */
  readonly clbOpen: boolean;
  readonly experienceKnown: boolean;
  readonly experience: readonly ExperienceFact[];
  /** Per-evaluation caches shared by the packs (window starts by years, formatted labels). */
  readonly windowStarts: (number | undefined)[];
  readonly memo: { salaryLabel?: string | undefined };
}

export function deriveFacts(profile: EligibilityProfile, asOf: string, offer: OfferTermsInput | undefined): Facts {
  const langs = profile.languages;
  const languages: LanguageFact[] = [];
  let auEnglish = 0;
  let auEnglishOpen = langs === undefined;
  let clb: [number, number, number, number] | undefined;
  let clbOpen = langs === undefined;
  let clbMin = -1;
  if (langs !== undefined) {
    for (let i = 0; i < langs.length; i++) {
      const l = langs[i]!;
      let rank = l.cefr === undefined ? -1 : cefrIndex(l.cefr);
      const test = l.test;
      if (test !== undefined) {
        const t = testToCefrRank(test);
        if (t > rank) rank = t;
        if (l.language === 'en') {
          const au = testToAuLevel(test, asOf);
          if (au < 0) auEnglishOpen = true;
          else if (au > auEnglish) auEnglish = au;
          const c = testToClb(test);
          if (c === undefined) clbOpen = true;
          else {
            const m = Math.min(c[0], c[1], c[2], c[3]);
            if (m > clbMin) {
              clbMin = m;
              clb = c;
            }
          }
        }
      } else if (l.language === 'en') {
        // A CEFR level alone is not a test result on the Australian or Canadian scale.
        auEnglishOpen = true;
        clbOpen = true;
      }
      languages.push({ language: l.language, rank, test });
    }
  }
  const exp = profile.experience;
  const experience: ExperienceFact[] = [];
  if (exp !== undefined) {
    const asOfDay = dayNumber(asOf);
    for (let i = 0; i < exp.length; i++) {
      const e = exp[i]!;
      const from = e.from;
      experience.push({
        isco08: e.isco08,
        country: e.country,
        fromDay: from === undefined ? Number.NaN : dayNumber(from),
        toDay: from === undefined ? Number.NaN : e.to === undefined ? asOfDay : dayNumber(e.to),
        months: e.months ?? 0,
        hoursPerWeek: e.hoursPerWeek,
      });
    }
  }
  return {
    profile,
    offer,
    asOf,
    asOfDay: dayNumber(asOf),
    age: ageOn(profile.dateOfBirth, asOf),
    languagesKnown: langs !== undefined,
    languages,
    auEnglish,
    auEnglishOpen,
    clb,
    clbOpen,
    experienceKnown: exp !== undefined,
    experience,
    windowStarts: [],
    memo: {},
  };
}

const CEFR_INDEX: Record<string, number> = { A1: 1, A2: 2, B1: 3, B2: 4, C1: 5, C2: 6 };
const cefrIndex = (c: string): number => CEFR_INDEX[c] ?? -1;
