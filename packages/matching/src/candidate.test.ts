import type { TraineeProfile } from '@corridor/domain';
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { candidateFromProfile, experienceMonthsWithin } from './candidate.ts';
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

describe('experienceMonthsWithin', () => {
  const day = fc.integer({ min: 0, max: 3650 }).map((n) => new Date(Date.UTC(2020, 0, 1) + n * 86_400_000));
  const iso = day.map((d) => d.toISOString().slice(0, 10));
  const entry = fc.record(
    {
      isco08: fc.constantFrom('2221', '5321'),
      from: iso,
      to: iso,
      months: fc.integer({ min: 0, max: 120 }),
    },
    { requiredKeys: ['isco08'] },
  );

  it('is at least the months any date in the window counts, for every occupation', () => {
    fc.assert(
      fc.property(fc.array(entry, { maxLength: 4 }), iso, iso, iso, (experience, x, y, z) => {
        const [earliest, asOf, latest] = [x, y, z].sort();
        const within = new Map(experienceMonthsWithin(experience, earliest!, latest!).map((e) => [e.isco08, e.months]));
        for (const e of experienceMonthsWithin(experience, asOf!, asOf!))
          expect(e.months).toBeLessThanOrEqual(within.get(e.isco08)!);
      }),
      { numRuns: 2000 },
    );
  });
});
