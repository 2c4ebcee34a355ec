import type { EligibilityProfile } from '@corridor/domain';
import { describe, expect, it } from 'vitest';
import { crit, evalOne, maria } from './helpers.ts';

const engineer = (overrides: Partial<EligibilityProfile> = {}): EligibilityProfile => ({
  dateOfBirth: '1990-05-01',
  nationality: 'IN',
  occupation: { isco08: '2142' },
  qualifications: [
    {
      iscedLevel: 6,
      durationYears: 4,
      field: 'Civil engineering',
      awarded: '2012-06-01',
      recognition: [{ destination: 'DE', status: 'full' }],
    },
  ],
  languages: [{ language: 'en', cefr: 'B2' }],
  experience: [{ isco08: '2142', country: 'IN', from: '2013-01-01', to: '2025-12-31', hoursPerWeek: 40 }],
  certifications: [],
  ...overrides,
});
const eur = (amount: number, isco08 = '2142') => ({
  destination: 'DE',
  isco08,
  salary: { amount, currency: 'EUR', period: 'year' as const },
});

describe('de-blue-card (§ 18g; de-bmi-2026-agv, de-bluecard-2025-jig, de-bluecard-2023, de-bluecard-2023-old)', () => {
  it('2026 general threshold 50,700 (50% of BBG 101,400)', () => {
    expect(evalOne('de-blue-card', engineer(), '2026-03-01', eur(50700)).status).toBe('eligible');
    // a non-shortage job (ISCO 3322) with a degree from 2012: only the general threshold applies
    expect(evalOne('de-blue-card', engineer(), '2026-03-01', eur(50699, '3322')).status).toBe('not_eligible');
  });
  it('reduced 45,934.20 for a shortage occupation (ISCO 21) or a degree within 3 years', () => {
    // 2142 is in ISCO 21 (engineering professionals), a shortage group ⚠️
    expect(crit(evalOne('de-blue-card', engineer(), '2026-03-01', eur(45934.2)), 'salary').status).toBe('met');
    const sales = engineer({ occupation: { isco08: '3322' } });
    expect(crit(evalOne('de-blue-card', sales, '2026-03-01', eur(46000, '3322')), 'salary').status).toBe('unmet');
    const graduate = engineer({
      occupation: { isco08: '3322' },
      qualifications: [{ iscedLevel: 6, awarded: '2024-07-01', recognition: [{ destination: 'DE', status: 'full' }] }],
    });
    expect(crit(evalOne('de-blue-card', graduate, '2026-03-01', eur(46000, '3322')), 'salary').status).toBe('met');
  });
  it('picks the version in force: 58,400 (2/3 rule) on 2023-11-17, 43,800 from 2023-11-18', () => {
    const before = evalOne('de-blue-card', engineer(), '2023-11-17', eur(50000, '3322'));
    expect(before.pathwayVersion).toBe('2023-01-01');
    expect(crit(before, 'salary').status).toBe('unmet');
    const after = evalOne('de-blue-card', engineer(), '2023-11-18', eur(50000, '3322'));
    expect(after.pathwayVersion).toBe('2023-11-18');
    expect(crit(after, 'salary').status).toBe('met');
  });
  it('2027 thresholds are not yet published: the salary is unknown, not a silent pass', () => {
    const r = evalOne('de-blue-card', engineer(), '2027-02-01', eur(90000));
    expect(crit(r, 'salary').status).toBe('unknown');
    expect(r.status).toBe('insufficient_data');
  });
});

describe('de-skilled-worker (§§ 18a/18b; de-45plus-2024, de-bmi-2026-agv)', () => {
  it('full recognition and an offer: eligible; partial recognition with A2 German: conditionally eligible via § 16d', () => {
    expect(evalOne('de-skilled-worker', engineer(), '2026-03-01', eur(40000)).status).toBe('eligible');
    const r = evalOne('de-skilled-worker', maria(), '2026-03-01', eur(36000, '2221'));
    expect(r.status).toBe('conditionally_eligible');
    expect(r.gaps.find((g) => g.criterionId === 'recognised-qualification')?.bridge).toMatch(/Recognition partnership/);
  });
  it('without any German, partial recognition has no bridge: not eligible', () => {
    const p = maria();
    p.languages = p.languages!.filter((l) => l.language !== 'de');
    expect(evalOne('de-skilled-worker', p, '2026-03-01', eur(36000, '2221')).status).toBe('not_eligible');
  });
  it('45 or older: 55,770 in 2026 (55% of BBG) applies from the 45th birthday', () => {
    const p = engineer({ dateOfBirth: '1981-03-01' });
    expect(crit(evalOne('de-skilled-worker', p, '2026-02-28', eur(40000)), 'salary-45-plus').detail).toMatch(
      /not applicable/,
    );
    const r = evalOne('de-skilled-worker', p, '2026-03-01', eur(55769));
    expect(crit(r, 'salary-45-plus').status).toBe('unmet');
    expect(r.status).toBe('conditionally_eligible'); // adequate old-age provision instead
    expect(crit(evalOne('de-skilled-worker', p, '2026-03-01', eur(55770)), 'salary-45-plus').status).toBe('met');
  });
});

describe('de-experience (§ 19c(2); de-bmi-2026-agv)', () => {
  it('2 years in the last 5: experience outside the window does not count', () => {
    const p = engineer({ experience: [{ isco08: '2142', from: '2019-01-01', to: '2021-06-30' }] });
    // window 2021-03-01..2026-03-01 holds only ~4 months of it
    const r = evalOne('de-experience', p, '2026-03-01', eur(46000));
    expect(crit(r, 'experience').status).toBe('unmet');
    // window 2019-05-01..2024-05-01 holds 26 months of it
    expect(crit(evalOne('de-experience', p, '2024-05-01', eur(46000)), 'experience').status).toBe('met');
  });
  it('2026 floor 45,630; nurses are a regulated profession and are pointed to the licence routes', () => {
    expect(evalOne('de-experience', engineer(), '2026-03-01', eur(45630)).status).toBe('eligible');
    expect(crit(evalOne('de-experience', engineer(), '2026-03-01', eur(45629)), 'salary').status).toBe('unmet');
    const r = evalOne('de-experience', maria(), '2026-03-01', eur(46000, '2221'));
    expect(crit(r, 'not-regulated').status).toBe('unmet');
    expect(r.status).toBe('conditionally_eligible');
  });
});

describe('de-recognition-measures / de-recognition-partnership (§ 16d; de-aufenthg-16d, de-miig-ap)', () => {
  it('a deficit notice (partial) with A2 German is eligible for § 16d(1); A1 is not', () => {
    expect(evalOne('de-recognition-measures', maria(), '2026-03-01').status).toBe('eligible');
    const p = maria();
    p.languages = [{ language: 'de', cefr: 'A1' }];
    expect(evalOne('de-recognition-measures', p, '2026-03-01').status).toBe('not_eligible');
  });
  it('recognition partnership: qualification of 2+ years, A2 and a job offer', () => {
    expect(evalOne('de-recognition-partnership', maria(), '2026-03-01', eur(30000, '2221')).status).toBe('eligible');
    expect(evalOne('de-recognition-partnership', maria(), '2026-03-01').status).toBe('insufficient_data');
  });
});

describe('de-opportunity-card points (§ 20b; de-aufenthg-20b, de-chancenkarte-ds)', () => {
  const base = (dateOfBirth: string): EligibilityProfile => ({
    dateOfBirth,
    nationality: 'VN',
    occupation: { isco08: '7212' },
    qualifications: [{ iscedLevel: 4, durationYears: 3, recognition: [{ destination: 'DE', status: 'none' }] }],
    languages: [
      { language: 'de', cefr: 'B1' },
      { language: 'en', cefr: 'C1' },
    ],
    experience: [{ isco08: '7212', country: 'VN', from: '2022-01-01', to: '2025-12-31' }],
    certifications: [],
  });
  it('age 36: 1 + B1 German 2 + 2 of the last 5 years 2 + English C1 1 = 6: eligible', () => {
    const r = evalOne('de-opportunity-card', base('1989-06-01'), '2026-03-01');
    expect(r.points).toEqual({ total: 6, passMark: 6 });
    expect(r.status).toBe('eligible');
  });
  it('at 40 the age point is gone (35 to under 40 → 1): 5 points, and the open bottleneck point decides', () => {
    const r = evalOne('de-opportunity-card', base('1986-03-01'), '2026-03-01');
    expect(crit(r, 'age-points').points).toBe(0);
    expect(r.points?.total).toBe(5);
    // welders (7212) may or may not be a bottleneck occupation: the list is only partly captured
    expect(crit(r, 'shortage-occupation').status).toBe('unknown');
    expect(r.status).toBe('insufficient_data');
    const weaker = base('1986-03-01');
    weaker.languages = [
      { language: 'de', cefr: 'A2' },
      { language: 'en', cefr: 'B2' },
    ];
    // 1 German + 2 experience = 3, at most 4 with the bottleneck point: below 6 whatever it is
    expect(evalOne('de-opportunity-card', weaker, '2026-03-01').status).toBe('not_eligible');
    expect(crit(evalOne('de-opportunity-card', base('1986-03-01'), '2026-02-28'), 'age-points').points).toBe(1);
  });
  it('a fully recognised skilled worker needs no points', () => {
    const p = base('1980-01-01');
    p.qualifications = [{ iscedLevel: 4, recognition: [{ destination: 'DE', status: 'full' }] }];
    p.languages = [];
    const r = evalOne('de-opportunity-card', p, '2026-03-01');
    expect(r.status).toBe('eligible');
    expect(crit(r, 'points').detail).toMatch(/waived/);
  });
});

describe('de-nurse-licence (PflBG § 2; de-pflbg-2, de-nurse-b2)', () => {
  it('full equivalence and B2: eligible; B1: conditionally eligible (course entry), A1: not eligible', () => {
    const p = maria();
    p.qualifications![0]!.recognition = [{ destination: 'DE', status: 'full' }];
    p.languages = [{ language: 'de', test: { name: 'telc', level: 'B2' } }];
    expect(evalOne('de-nurse-licence', p, '2026-03-01').status).toBe('eligible');
    p.languages = [{ language: 'de', test: { name: 'telc', level: 'B1' } }];
    const b1 = evalOne('de-nurse-licence', p, '2026-03-01');
    expect(b1.status).toBe('conditionally_eligible');
    expect(b1.gaps[0]?.bridge).toMatch(/B1 is enough/);
    p.languages = [{ language: 'de', cefr: 'A1' }];
    expect(evalOne('de-nurse-licence', p, '2026-03-01').status).toBe('not_eligible');
  });
});
