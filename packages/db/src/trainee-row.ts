import {
  CEFR_LEVELS,
  type CefrLevelCode,
  cefrRank,
  type EligibilityProfile,
  type LanguageSkill,
  type TraineeProfile,
} from '@corridor/domain';

/** The profile as stored in trainees.profile: everything but the personal identifiers, which live in their own columns. */
export type StoredTraineeProfile = Omit<
  TraineeProfile,
  'givenName' | 'familyName' | 'email' | 'dateOfBirth' | 'externalRef' | 'consent'
>;

/** Level certificates that are CEFR levels by definition (Goethe, telc, ÖSD, YKI, TEF/TCF report A1..C2). */
const CEFR_LEVEL_TESTS = new Set(['Goethe', 'telc', 'OSD', 'YKI', 'TEF', 'TCF', 'JFT-Basic']);

/**
 * The best CEFR level a language entry shows without pathway-specific conversion tables: the stated level,
 * or a test that certifies a CEFR level directly. Score-based tests (IELTS, PTE, ...) are converted by the
 * rule packs, which know each destination's tables; `convert` lets callers plug those in.
 */
export function bestCefr(
  skill: LanguageSkill,
  convert?: (skill: LanguageSkill) => CefrLevelCode | undefined,
): CefrLevelCode | undefined {
  let best: CefrLevelCode | undefined = skill.cefr;
  const test = skill.test;
  const fromTest =
    test?.level && CEFR_LEVEL_TESTS.has(test.name) && (CEFR_LEVELS as readonly string[]).includes(test.level)
      ? (test.level as CefrLevelCode)
      : convert?.(skill);
  if (fromTest && (!best || cefrRank(fromTest) > cefrRank(best))) best = fromTest;
  return best;
}

/** {de:A1, de:A2, de:B1} for B1 German: containment (@>) then means "at least". */
export function languageLevelTokens(
  languages: readonly LanguageSkill[] | undefined,
  convert?: (skill: LanguageSkill) => CefrLevelCode | undefined,
): string[] {
  const best = new Map<string, number>();
  for (const skill of languages ?? []) {
    const level = bestCefr(skill, convert);
    if (!level) continue;
    const rank = cefrRank(level);
    if ((best.get(skill.language) ?? 0) < rank) best.set(skill.language, rank);
  }
  const tokens: string[] = [];
  for (const [language, rank] of [...best].sort(([a], [b]) => (a < b ? -1 : 1))) {
    for (let r = 0; r < rank; r++) tokens.push(`${language}:${CEFR_LEVELS[r]}`);
  }
  return tokens;
}

export function minimumLanguageTokens(requirements: readonly { language: string; cefr: CefrLevelCode }[]): string[] {
  return requirements.map((r) => `${r.language}:${r.cefr}`).sort();
}

export function storedProfile(p: TraineeProfile): StoredTraineeProfile {
  const { givenName: _g, familyName: _f, email: _e, dateOfBirth: _d, externalRef: _x, consent: _c, ...rest } = p;
  return rest;
}

/** Re-assembles the profile the rules evaluate from a stored row (date of birth comes from its own column). */
export function eligibilityProfileOf(row: {
  profile: StoredTraineeProfile;
  date_of_birth: string | null;
}): EligibilityProfile | undefined {
  if (!row.date_of_birth) return undefined; // erased
  return { ...row.profile, dateOfBirth: row.date_of_birth };
}
