import type { TraineeProfileInput } from '@corridor/domain';

export function nurseProfile(overrides: Partial<TraineeProfileInput> = {}): TraineeProfileInput {
  return {
    givenName: 'Maria',
    familyName: 'Santos',
    email: 'maria.santos@example.org',
    dateOfBirth: '1996-04-02',
    nationality: 'PH',
    residence: 'PH',
    occupation: { isco08: '2221', title: 'Registered nurse' },
    qualifications: [
      {
        iscedLevel: 6,
        durationYears: 4,
        field: 'Nursing',
        country: 'PH',
        awarded: '2018-06-01',
        recognition: [{ destination: 'DE', status: 'in_progress' }],
      },
    ],
    languages: [
      { language: 'en', cefr: 'C1' },
      { language: 'de', test: { name: 'Goethe', level: 'B1', date: '2025-05-01' } },
    ],
    experience: [{ isco08: '2221', country: 'PH', from: '2019-01-01', to: '2025-10-31', hoursPerWeek: 40 }],
    preferences: { destinations: ['DE'], earliestStart: '2026-09-01' },
    consent: { shareProfileWithEmployers: false, contactByEmail: true },
    ...overrides,
  };
}

export function nursingVacancy(overrides: Record<string, unknown> = {}) {
  return {
    title: 'Registered nurse, geriatric ward',
    headcount: 3,
    sector: 'Q',
    isco08: '2221',
    destination: 'DE',
    region: 'BY',
    salary: { amount: 52000, currency: 'EUR', period: 'year' },
    hoursPerWeek: 39,
    contract: { type: 'permanent' },
    startDate: '2026-10-01',
    sponsor: true,
    requirements: { languages: [{ language: 'de', cefr: 'B1' }], minExperienceMonths: 12 },
    pathways: ['de-skilled-worker', 'de-recognition-partnership'],
    costSharing: { employerPaysTraining: true, employerPaysTravel: true, employerPaysVisa: true, workerFees: 0 },
    ...overrides,
  };
}
