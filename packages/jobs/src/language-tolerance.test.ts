import { minimumLanguageTokens } from '@corridor/db';
import type { MatchVacancy } from '@corridor/matching';
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { languageTokenGroups, satisfiableLanguageTokens } from './match-vacancy.ts';

// The two SQL prefilters read the language tolerance from opposite sides: match.vacancy asks each trainee's levels
// to overlap every group of tokens the vacancy accepts; match.trainee asks each vacancy's required tokens to be
// among those the trainee satisfies. They must agree on every pair, or a person would be matched one way only.
const CEFR = ['A1', 'A2', 'B1', 'B2', 'C1', 'C2'] as const;
const language = fc.constantFrom('de', 'en', 'ja', 'fi');

describe('language tolerance, both directions', () => {
  it('a trainee passes a vacancy in one prefilter exactly when they pass it in the other', () => {
    fc.assert(
      fc.property(
        fc.uniqueArray(fc.record({ language, cefr: fc.constantFrom(...CEFR) }), { selector: (l) => l.language }),
        fc.uniqueArray(fc.record({ language, cefr: fc.constantFrom(...CEFR) }), {
          selector: (l) => l.language,
          maxLength: 3,
        }),
        (held, required) => {
          const levels = held.map((l) => `${l.language}:${l.cefr}`);
          const vacancy = { requirements: { languages: required } } as unknown as MatchVacancy;
          const byVacancy = languageTokenGroups(vacancy).every((group) => group.some((t) => levels.includes(t)));
          const satisfiable = new Set(satisfiableLanguageTokens(levels));
          const byTrainee = minimumLanguageTokens(required).every((t) => satisfiable.has(t));
          expect(byTrainee).toBe(byVacancy);
        },
      ),
      { numRuns: 2000 },
    );
  });

  it('tolerates one level short, not two', () => {
    expect(satisfiableLanguageTokens(['de:A2'])).toEqual(['de:A1', 'de:A2', 'de:B1']);
    expect(satisfiableLanguageTokens(['de:C2', 'en:C1'])).toContain('en:C2');
  });
});
