import type { EligibilityProfile, LanguageTest, OfferTermsInput } from '@corridor/domain';
import { testToAuLevel, testToCefrRank, testToClb } from './conversions.ts';
import type { Out } from './criteria/common.ts';
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

/** Sentence fragments built once per profile and shared by the packs. */
export interface FactsMemo {
  salaryLabel?: string | undefined;
  /** Every qualification as quoted in a sentence. */
  qualifications?: string | undefined;
  /** The same with recognition in `qualificationsIn`. */
  qualificationsIn?: string | undefined;
  qualificationsInShown?: string | undefined;
  /** Each qualification's field in lower case. */
  qualificationFields?: (string | undefined)[] | undefined;
  /** The qualifications as one number for the qualification checks' memo (see criteria/qualification.ts). */
  qualificationKey?: number | undefined;
  /** The profile's and the offer's ISCO codes as small numbers (see `iscoId` in criteria/occupation.ts). */
  profileIscoId?: number | undefined;
  offerIscoId?: number | undefined;
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
  /** Per-evaluation caches shared by the packs (formatted labels). */
  readonly memo: FactsMemo;
  /** Outcomes of checks that several packs share, by the check's slot in `outcomesOwner` (see compile.ts). */
  outcomes: (Out | undefined)[];
  outcomesOwner: object | undefined;
}

export function deriveFacts(profile: EligibilityProfile, asOf: string, offer: OfferTermsInput | undefined): Facts {
  return new DerivedFacts(profile, asOf, offer);
}

const NOT_YET = -2;
/** Until a rule book evaluates the facts (it allocates their outcome slots). */
const NO_OUTCOMES: (Out | undefined)[] = [];

/** The as-of date is the same for many profiles in a row: its day number is kept. */
let lastAsOf = '';
let lastAsOfDay = 0;
function asOfDayNumber(asOf: string): number {
  if (asOf !== lastAsOf) {
    lastAsOfDay = dayNumber(asOf);
    lastAsOf = asOf;
  }
  return lastAsOfDay;
}

/**
 * The facts, with the Australian and Canadian English conversions derived on first read: a pack that does not
 * ask for them (most do not) does not pay for them.
 */
class DerivedFacts implements Facts {
  readonly asOfDay: number;
  readonly age: number;
  readonly languagesKnown: boolean;
  readonly languages: LanguageFact[] = [];
  readonly experienceKnown: boolean;
  readonly experience: ExperienceFact[] = [];
  outcomes: (Out | undefined)[] = NO_OUTCOMES;
  outcomesOwner: object | undefined = undefined;
  readonly memo: FactsMemo = {
    salaryLabel: undefined,
    qualifications: undefined,
    qualificationsIn: undefined,
    qualificationsInShown: undefined,
    qualificationFields: undefined,
    qualificationKey: undefined,
    profileIscoId: undefined,
    offerIscoId: undefined,
  };
  private au = NOT_YET;
  private auOpen = false;
  private clbLevels: [number, number, number, number] | undefined = undefined;
  private clbDone = false;
  private clbIsOpen = false;

  constructor(
    readonly profile: EligibilityProfile,
    readonly asOf: string,
    readonly offer: OfferTermsInput | undefined,
  ) {
    const langs = profile.languages;
    this.languagesKnown = langs !== undefined;
    if (langs !== undefined) {
      for (let i = 0; i < langs.length; i++) {
        const l = langs[i]!;
        let rank = l.cefr === undefined ? -1 : cefrIndex(l.cefr);
        const test = l.test;
        if (test !== undefined) {
          const t = testToCefrRank(test);
          if (t > rank) rank = t;
        }
        this.languages.push({ language: l.language, rank, test });
      }
    }
    const asOfDay = asOfDayNumber(asOf);
    this.asOfDay = asOfDay;
    this.age = ageOn(profile.dateOfBirth, asOf);
    const exp = profile.experience;
    this.experienceKnown = exp !== undefined;
    if (exp !== undefined) {
      for (let i = 0; i < exp.length; i++) {
        const e = exp[i]!;
        const from = e.from;
        this.experience.push({
          isco08: e.isco08,
          country: e.country,
          fromDay: from === undefined ? Number.NaN : dayNumber(from),
          toDay: from === undefined ? Number.NaN : e.to === undefined ? asOfDay : dayNumber(e.to),
          months: e.months ?? 0,
          hoursPerWeek: e.hoursPerWeek,
        });
      }
    }
  }

  get auEnglish(): number {
    if (this.au === NOT_YET) this.deriveAu();
    return this.au;
  }
  get auEnglishOpen(): boolean {
    if (this.au === NOT_YET) this.deriveAu();
    return this.auOpen;
  }
  get clb(): readonly [number, number, number, number] | undefined {
    if (!this.clbDone) this.deriveClb();
    return this.clbLevels;
  }
  get clbOpen(): boolean {
    if (!this.clbDone) this.deriveClb();
    return this.clbIsOpen;
  }

  private deriveAu(): void {
    const langs = this.profile.languages;
    let au = 0;
    let open = langs === undefined;
    if (langs !== undefined)
      for (let i = 0; i < langs.length; i++) {
        const l = langs[i]!;
        if (l.language !== 'en') continue;
        // A CEFR level alone is not a test result on the Australian scale.
        if (l.test === undefined) open = true;
        else {
          const level = testToAuLevel(l.test, this.asOf);
          if (level < 0) open = true;
          else if (level > au) au = level;
        }
      }
    this.au = au;
    this.auOpen = open;
  }

  private deriveClb(): void {
    const langs = this.profile.languages;
    let clb: [number, number, number, number] | undefined;
    let open = langs === undefined;
    let clbMin = -1;
    if (langs !== undefined)
      for (let i = 0; i < langs.length; i++) {
        const l = langs[i]!;
        if (l.language !== 'en') continue;
        // Nor is it a result on the Canadian scale.
        if (l.test === undefined) open = true;
        else {
          const c = testToClb(l.test);
          if (c === undefined) open = true;
          else {
            const m = Math.min(c[0], c[1], c[2], c[3]);
            if (m > clbMin) {
              clbMin = m;
              clb = c;
            }
          }
        }
      }
    this.clbLevels = clb;
    this.clbIsOpen = open;
    this.clbDone = true;
  }
}

const CEFR_INDEX: Record<string, number> = { A1: 1, A2: 2, B1: 3, B2: 4, C1: 5, C2: 6 };
const cefrIndex = (c: string): number => CEFR_INDEX[c] ?? -1;
