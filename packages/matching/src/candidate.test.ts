import type { TraineeProfile } from '@corridor/domain';
import { describe, expect, it } from 'vitest';
import { candidateFromProfile } from './candidate.ts';
import { checkHardFilters } from './hard-filters.ts';
import { hospitalVacancy } from './test-fixtures.ts';

const maria: TraineeProfile = {
  dateOfBirth: '1996-04-02',
  nationality: 'PH',
  occupation: { isco08: '2221', title: 'Registered nurse' },
  languages: [
    { language: 'en', cefr: 'C1' },
    { language: 'de', test: { name: 'Goethe', level: 'B1', date: '2025-05-01' } },
    { language: 'ja', test: { name: 'JLPT', level: 'N4', date: '2025-07-06' } },
  ],
  experience: [
    { isco08: '2221', country: 'PH', from: '2021-11-01', to: '2025-10-31', hoursPerWeek: 40 },
    { isco08: '2221', country: 'PH', months: 12 },
    { isco08: '5321', from: '2025-11-01' },
  ],
  programme: { partnershipId: 'p-ph-de', cohort: '2026-A' },
  preferences: { destinations: ['DE'], earliestStart: '2026-09-01' },
  consent: { shareProfileWithEmployers: true, contactByEmail: false },
};

describe('candidateFromProfile', () => {
  const c = candidateFromProfile('t-1', maria, {
    asOf: '2026-10-01',
    pathways: [{ pathwayId: 'de-skilled-worker', status: 'eligible' }],
  });

  it('resolves CEFR levels it can read and leaves test conversions to the rules package', () => {
    expect(c.languages).toEqual([
      { language: 'en', cefr: 'C1' },
      { language: 'de', cefr: 'B1' },
    ]);
  });

  it('counts dated experience up to the as-of date, adds stated months, and groups by occupation', () => {
    expect(c.experience).toEqual([
      { isco08: '2221', months: 48 + 12 },
      { isco08: '5321', months: 11 },
    ]);
  });

  it('carries consent, preferences, partnership and residence (nationality when residence is missing)', () => {
    expect(c).toMatchObject({ consentToMatch: true, partnershipId: 'p-ph-de', residence: 'PH', isco08: '2221' });
    expect(checkHardFilters(c, hospitalVacancy()).ok).toBe(true);
    const noConsent = candidateFromProfile(
      't-2',
      { ...maria, consent: undefined },
      { asOf: '2026-10-01', pathways: [] },
    );
    expect(noConsent.consentToMatch).toBe(false);
  });
});
