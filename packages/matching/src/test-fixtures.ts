import type { MatchCandidate, MatchVacancy } from './types.ts';

/** Test factories (not exported from the package): a Filipino registered nurse and a Bavarian hospital vacancy. */

export function nurse(overrides: Partial<MatchCandidate> = {}): MatchCandidate {
  return {
    traineeId: 'trainee-maria',
    isco08: '2221',
    residence: 'PH',
    languages: [
      { language: 'en', cefr: 'C1' },
      { language: 'de', cefr: 'B2' },
    ],
    experience: [{ isco08: '2221', months: 48 }],
    preferences: { destinations: ['DE', 'AU', 'JP'], earliestStart: '2026-09-01' },
    consentToMatch: true,
    pathways: [{ pathwayId: 'de-skilled-worker', status: 'eligible' }],
    safeguards: [
      { id: 'who-safeguard-list', status: 'clear' },
      { id: 'employer-pays', status: 'clear' },
    ],
    ...overrides,
  };
}

export function hospitalVacancy(overrides: Partial<MatchVacancy> = {}): MatchVacancy {
  return {
    id: 'vacancy-munich-icu',
    status: 'open',
    headcount: 3,
    filled: 0,
    isco08: '2221',
    sector: 'Q',
    destination: 'DE',
    startDate: '2026-10-01',
    pathways: ['de-skilled-worker', 'de-recognition-partnership'],
    requirements: { languages: [{ language: 'de', cefr: 'B1' }], minExperienceMonths: 24 },
    costSharing: { employerPaysTraining: true, employerPaysTravel: true, employerPaysVisa: true, workerFees: 0 },
    ...overrides,
  };
}
