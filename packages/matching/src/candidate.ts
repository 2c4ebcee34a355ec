import { CEFR_LEVELS, type CefrLevelCode, type LanguageSkill, type TraineeProfile } from '@corridor/domain';
import { DAYS_PER_MONTH, epochDay } from './dates.ts';
import type { CandidatePathwayStatus, MatchCandidate } from './types.ts';

export interface CandidateFromProfileOptions {
  /** The date experience is counted up to (an open-ended job runs until then); usually the vacancy's start date. */
  asOf: string;
  pathways: readonly CandidatePathwayStatus[];
  safeguards?: MatchCandidate['safeguards'];
  /** Default: the profile's `consent.shareProfileWithEmployers`. */
  consentToMatch?: boolean;
  /**
   * Converts a language entry to CEFR. The rules package owns test conversions (IELTS bands, JLPT levels); without
   * one, only a stated `cefr` or a test whose level is itself CEFR (Goethe, telc, ÖSD, YKI, TEF, TCF) counts.
   */
  cefrOf?: (skill: LanguageSkill) => CefrLevelCode | undefined;
}

const isCefr = (level: string | undefined): level is CefrLevelCode =>
  level !== undefined && (CEFR_LEVELS as readonly string[]).includes(level);

const CEFR_LEVEL_TESTS = new Set(['Goethe', 'telc', 'OSD', 'YKI', 'TEF', 'TCF']);

function defaultCefrOf(skill: LanguageSkill): CefrLevelCode | undefined {
  if (skill.cefr) return skill.cefr;
  const level = skill.test?.level;
  return skill.test && CEFR_LEVEL_TESTS.has(skill.test.name) && isCefr(level) ? level : undefined;
}

type ExperienceEntry = NonNullable<TraineeProfile['experience']>[number];

/**
 * One entry's months counted to the day `asOfDay` (`asOf` as a day number): with a start date, it runs to its last
 * day or to `asOf`, whichever is first.
 */
function monthsAt(e: ExperienceEntry, asOf: string, asOfDay: number): number {
  if (e.from === undefined || e.from >= asOf) return e.months ?? 0;
  // `to` is the last day worked (inclusive); an open job, or one running past the as-of date, stops there.
  const endExclusive = e.to === undefined || e.to >= asOf ? asOfDay : epochDay(e.to) + 1;
  return Math.max(0, Math.round((endExclusive - epochDay(e.from)) / DAYS_PER_MONTH));
}

/**
 * The most months of experience by occupation that any as-of date from `earliest` to `latest` counts. An entry's
 * months are its stated `months` until its start date, then grow with the date, so its largest value is at one end.
 * (A round asks this for every trainee and class of vacancies: a person has a few entries, so occupations are
 * summed by a scan rather than in a Map.)
 */
export function experienceMonthsWithin(
  experience: readonly ExperienceEntry[],
  earliest: string,
  latest: string,
): { isco08: string; months: number }[] {
  const out: { isco08: string; months: number }[] = [];
  if (experience.length === 0) return out;
  const earliestDay = epochDay(earliest);
  const latestDay = earliest === latest ? earliestDay : epochDay(latest);
  for (const e of experience) {
    const m =
      earliest === latest
        ? monthsAt(e, latest, latestDay)
        : Math.max(monthsAt(e, earliest, earliestDay), monthsAt(e, latest, latestDay));
    const same = out.find((o) => o.isco08 === e.isco08);
    if (same) same.months += m;
    else out.push({ isco08: e.isco08, months: m });
  }
  return out;
}

/** Builds the matching view of a stored trainee. Pure: the as-of date is passed in. */
export function candidateFromProfile(
  traineeId: string,
  profile: TraineeProfile,
  options: CandidateFromProfileOptions,
): MatchCandidate {
  const cefrOf = options.cefrOf ?? defaultCefrOf;
  const languages: { language: string; cefr: CefrLevelCode }[] = [];
  for (const skill of profile.languages ?? []) {
    const cefr = cefrOf(skill);
    if (cefr) languages.push({ language: skill.language, cefr });
  }
  return {
    traineeId,
    isco08: profile.occupation.isco08,
    // The safeguard list and G2G corridors concern where a person is recruited from: residence, else nationality.
    residence: profile.residence ?? profile.nationality,
    ...(profile.programme?.partnershipId ? { partnershipId: profile.programme.partnershipId } : {}),
    languages,
    experience: experienceMonthsWithin(profile.experience ?? [], options.asOf, options.asOf),
    ...(profile.preferences ? { preferences: profile.preferences } : {}),
    consentToMatch: options.consentToMatch ?? profile.consent?.shareProfileWithEmployers ?? false,
    pathways: options.pathways,
    ...(options.safeguards ? { safeguards: options.safeguards } : {}),
  };
}
