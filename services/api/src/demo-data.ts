import type { TraineeProfileInput } from '@corridor/domain';

// The sample dataset behind `pnpm demo`: the three kinds of corridor the policy brief discusses.
// Values vary by index (not at random) so that every run loads exactly the same data.

const ORGANIZATIONS = {
  klinikum: { name: 'Klinikum Nürnberg', kind: 'employer', country: 'DE' },
  sydneyBuild: { name: 'Harbour City Builders', kind: 'employer', country: 'AU' },
  harbourHotels: { name: 'Coral Coast Hospitality Group', kind: 'employer', country: 'AU' },
  pacificAgency: { name: 'Pacific Pathways Recruitment', kind: 'recruitment_agency', country: 'FJ' },
  manilaNursing: { name: 'Manila College of Nursing', kind: 'training_provider', country: 'PH' },
  aptc: { name: 'Pacific Technical College (Suva campus)', kind: 'training_provider', country: 'FJ' },
  tripleWin: { name: 'PH–DE nursing partnership desk', kind: 'partnership_admin', country: 'DE' },
} as const;
type Handle = keyof typeof ORGANIZATIONS;

const at = <T>(xs: readonly T[], i: number): T => xs[i % xs.length]!;
const FILIPINO = [
  ['Maria', 'Santos'],
  ['Jose', 'Reyes'],
  ['Ana', 'Cruz'],
  ['Mark', 'Bautista'],
  ['Grace', 'Garcia'],
  ['Rowena', 'Mendoza'],
  ['Paolo', 'Villanueva'],
  ['Kristine', 'Ramos'],
] as const;
const PACIFIC = [
  ['Siosaia', 'Fifita', 'TO'],
  ['Mele', 'Tupou', 'TO'],
  ['Josefa', 'Naivalu', 'FJ'],
  ['Losana', 'Vakaloloma', 'FJ'],
  ['Tavita', 'Leota', 'WS'],
  ['Sina', 'Faleolo', 'WS'],
  ['Kalo', 'Tari', 'VU'],
  ['Ruth', 'Nakamura', 'FJ'],
] as const;
const iso = (y: number, m: number, d: number) => `${y}-${String(m).padStart(2, '0')}-${String(d).padStart(2, '0')}`;

function filipinoNurse(i: number, partnershipId: string): TraineeProfileInput {
  const [given, family] = at(FILIPINO, i);
  const german = at(['A2', 'B1', 'B1', 'B2', 'B2', 'A2', 'B1', 'C1'] as const, i);
  const recognition = at(['none', 'in_progress', 'in_progress', 'partial', 'full'] as const, i);
  const careAssistant = i % 6 === 5;
  return {
    externalRef: `mcn-${2026}-${String(i + 1).padStart(3, '0')}`,
    givenName: given,
    familyName: family,
    email: `${given.toLowerCase()}.${family.toLowerCase()}${i}@example.org`,
    dateOfBirth: iso(1992 + (i % 9), 1 + (i % 12), 1 + ((i * 7) % 28)),
    nationality: 'PH',
    residence: i % 7 === 3 ? 'SA' : 'PH',
    occupation: careAssistant
      ? { isco08: '5321', title: 'Care assistant' }
      : { isco08: '2221', title: 'Registered nurse' },
    qualifications: [
      {
        iscedLevel: careAssistant ? 4 : 6,
        durationYears: careAssistant ? 1 : 4,
        field: careAssistant ? 'Caregiving (TESDA NC II)' : 'BSc Nursing',
        country: 'PH',
        awarded: iso(2014 + (i % 8), 6, 1),
        recognition: [{ destination: 'DE', status: recognition }],
      },
    ],
    languages: [
      {
        language: 'en',
        cefr: 'C1',
        ...(i % 3 === 0
          ? {
              test: {
                name: 'IELTS',
                module: 'academic',
                overall: 7,
                bands: { listening: 7.5, reading: 7, writing: 6.5, speaking: 7 },
              },
            }
          : {}),
      },
      { language: 'de', test: { name: 'Goethe', level: german, date: iso(2025, 1 + (i % 12), 10) } },
    ],
    experience: [
      {
        isco08: careAssistant ? '5321' : '2221',
        country: 'PH',
        from: iso(2018 + (i % 5), 3, 1),
        to: '2026-06-30',
        hoursPerWeek: 40,
      },
    ],
    certifications: careAssistant ? [] : [{ code: 'nurse-licence', date: iso(2016 + (i % 6), 11, 1) }],
    programme: { partnershipId, cohort: '2026-A', track: i % 4 === 0 ? 'home' : 'away' },
    preferences: { destinations: ['DE'], earliestStart: iso(2026, 9 + (i % 4), 1) },
    consent: { shareProfileWithEmployers: i % 3 !== 1, contactByEmail: true },
  };
}

function pacificTradesperson(i: number): TraineeProfileInput {
  const [given, family, country] = at(PACIFIC, i);
  const occupation = at(
    [
      { isco08: '7115', title: 'Carpenter' },
      { isco08: '7411', title: 'Electrician' },
      { isco08: '7126', title: 'Plumber' },
      { isco08: '5120', title: 'Cook' },
      { isco08: '5131', title: 'Waiter' },
      { isco08: '7231', title: 'Automotive mechanic' },
    ] as const,
    i,
  );
  const overall = at([5.5, 6, 6.5, 5, 7, 6], i);
  return {
    externalRef: `aptc-${String(i + 1).padStart(3, '0')}`,
    givenName: given,
    familyName: family,
    email: `${given.toLowerCase()}${i}@example.org`,
    dateOfBirth: iso(1988 + (i % 14), 1 + ((i * 5) % 12), 1 + ((i * 3) % 28)),
    nationality: country,
    residence: country,
    occupation,
    qualifications: [
      {
        iscedLevel: 4,
        durationYears: 2,
        field: `Certificate III/IV, ${occupation.title}`,
        country: 'FJ',
        awarded: iso(2016 + (i % 8), 12, 1),
        recognition: [{ destination: 'AU', status: at(['none', 'full', 'in_progress'] as const, i) }],
      },
    ],
    languages: [
      {
        language: 'en',
        test: {
          name: 'IELTS',
          module: 'general',
          overall,
          bands: { listening: overall, reading: overall, writing: Math.max(4.5, overall - 0.5), speaking: overall },
          date: iso(2025, 2 + (i % 9), 15),
        },
      },
    ],
    experience: [{ isco08: occupation.isco08, country, from: iso(2017 + (i % 6), 1, 1), hoursPerWeek: 40 }],
    skillsAssessments:
      i % 3 === 1 ? [{ destination: 'AU', authority: 'TRA', outcome: 'positive', date: iso(2025, 8, 1) }] : [],
    programme: { cohort: '2026-B', track: i % 5 === 0 ? 'home' : 'away' },
    preferences: { destinations: i % 4 === 0 ? ['AU', 'NZ'] : ['AU'], earliestStart: iso(2026, 7 + (i % 6), 1) },
    consent: { shareProfileWithEmployers: i % 2 === 0, contactByEmail: true },
  };
}

const costSharing = (training: boolean) => ({
  employerPaysTraining: training,
  employerPaysTravel: true,
  employerPaysVisa: true,
  workerFees: 0,
});

export function demoDataset() {
  return {
    organizations: ORGANIZATIONS,
    mandates: [
      ['pacificAgency', 'sydneyBuild'],
      ['pacificAgency', 'harbourHotels'],
    ] as [Handle, Handle][],
    partnership: {
      name: 'Philippines–Germany nurses (Triple Win model)',
      origin: 'PH',
      destination: 'DE',
      sectors: ['Q'],
      occupations: ['2221', '5321'],
      model: 'global_skills_partnership',
      governmentToGovernment: true,
      members: [
        { handle: 'klinikum' as Handle, role: 'employer' as const },
        { handle: 'manilaNursing' as Handle, role: 'training_provider' as const },
      ],
    },
    cohort: { name: '2026-A', startDate: '2026-09-01', tracks: ['home', 'away'] as ('home' | 'away')[] },
    trainees: (partnershipId: string): Partial<Record<Handle, TraineeProfileInput[]>> => ({
      manilaNursing: Array.from({ length: 36 }, (_, i) => filipinoNurse(i, partnershipId)),
      aptc: Array.from({ length: 30 }, (_, i) => pacificTradesperson(i)),
    }),
    vacancies: (orgs: Record<string, { id: string }>, partnershipId: string) => [
      {
        poster: 'klinikum',
        body: {
          externalRef: 'kn-icu-2026',
          partnershipId,
          title: 'Registered nurse, intensive care (recognition partnership)',
          headcount: 6,
          sector: 'Q',
          isco08: '2221',
          destination: 'DE',
          region: 'BY',
          salary: { amount: 3300, currency: 'EUR', period: 'month' },
          hoursPerWeek: 38.5,
          contract: { type: 'permanent' },
          startDate: '2026-10-01',
          sponsor: true,
          requirements: { languages: [{ language: 'de', cefr: 'B1' }], minExperienceMonths: 12, iscedLevel: 6 },
          pathways: ['de-recognition-partnership', 'de-skilled-worker', 'de-recognition-measures'],
          costSharing: costSharing(true),
        },
      },
      {
        poster: 'klinikum',
        body: {
          externalRef: 'kn-geriatric-2027',
          partnershipId,
          title: 'Care assistant, geriatric ward (bridging role while awaiting recognition)',
          headcount: 4,
          sector: 'Q',
          isco08: '5321',
          destination: 'DE',
          region: 'BY',
          salary: { amount: 2700, currency: 'EUR', period: 'month' },
          hoursPerWeek: 38.5,
          contract: { type: 'fixed_term', months: 24 },
          startDate: '2027-01-15',
          sponsor: true,
          requirements: { languages: [{ language: 'de', cefr: 'A2' }] },
          pathways: ['de-recognition-partnership', 'de-skilled-worker'],
          costSharing: costSharing(true),
        },
      },
      ...(['sydneyBuild', 'harbourHotels'] as const).flatMap((employer) =>
        (employer === 'sydneyBuild'
          ? [
              ['hcb-carpenters', 'Carpenters, residential builds', '7115', 'F', 8, 82_000],
              ['hcb-electricians', 'Electricians', '7411', 'F', 4, 95_000],
              ['hcb-plumbers', 'Plumbers', '7126', 'F', 3, 90_000],
            ]
          : [
              ['cch-cooks', 'Cooks, resort kitchens', '5120', 'I', 5, 76_000],
              ['cch-waiters', 'Food and beverage attendants', '5131', 'I', 6, 74_000],
            ]
        ).map(([ref, title, isco08, sector, headcount, salary]) => ({
          poster: 'pacificAgency',
          body: {
            externalRef: ref,
            employerId: orgs[employer]!.id,
            title,
            headcount,
            sector,
            isco08,
            destination: 'AU',
            region: employer === 'sydneyBuild' ? 'NSW' : 'QLD',
            salary: { amount: salary, currency: 'AUD', period: 'year' },
            hoursPerWeek: 38,
            contract: { type: 'permanent' },
            startDate: '2026-11-01',
            sponsor: true,
            requirements: { languages: [{ language: 'en', cefr: 'B1' }], minExperienceMonths: 24 },
            pathways: ['au-482-core', 'au-186-trt'],
            costSharing: costSharing(employer === 'sydneyBuild'),
          },
        })),
      ),
    ],
  };
}
