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

/** {de:B1, en:C1}: each language once, at the best level shown. */
export function languageLevelTokens(
  languages: readonly LanguageSkill[] | undefined,
  convert?: (skill: LanguageSkill) => CefrLevelCode | undefined,
): string[] {
  if (!languages || languages.length === 0) return [];
  const tokens: string[] = [];
  const ranks: number[] = [];
  for (const skill of languages) {
    const level = bestCefr(skill, convert);
    if (!level) continue;
    const rank = cefrRank(level);
    const prefix = `${skill.language}:`;
    const at = tokens.findIndex((t) => t.startsWith(prefix));
    if (at === -1) {
      tokens.push(prefix + level);
      ranks.push(rank);
    } else if (ranks[at]! < rank) {
      tokens[at] = prefix + level;
      ranks[at] = rank;
    }
  }
  return tokens.sort();
}

/** The tokens that satisfy "at least `level` in `language`", for an overlap (&&) query on language_levels. */
export function atLeastTokens(language: string, level: CefrLevelCode): string[] {
  return CEFR_LEVELS.slice(cefrRank(level) - 1).map((l) => `${language}:${l}`);
}

export function minimumLanguageTokens(requirements: readonly { language: string; cefr: CefrLevelCode }[]): string[] {
  return requirements.map((r) => `${r.language}:${r.cefr}`).sort();
}

const NOT_STORED_IN_PROFILE = new Set(['givenName', 'familyName', 'email', 'dateOfBirth', 'externalRef', 'consent']);

export function storedProfile(p: TraineeProfile): StoredTraineeProfile {
  const stored: Record<string, unknown> = {};
  for (const key in p) {
    if (!NOT_STORED_IN_PROFILE.has(key)) stored[key] = p[key as keyof TraineeProfile];
  }
  return stored as StoredTraineeProfile;
}

/** Re-assembles the profile the rules evaluate from a stored row (date of birth comes from its own column). */
export function eligibilityProfileOf(row: {
  profile: StoredTraineeProfile;
  date_of_birth: string | null;
}): EligibilityProfile | undefined {
  if (!row.date_of_birth) return undefined; // erased
  return { ...row.profile, dateOfBirth: row.date_of_birth };
}
