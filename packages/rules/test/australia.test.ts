import { describe, expect, it } from 'vitest';
import { book, crit, evalOne, maria } from './helpers.ts';

const withAuRecognition = () => {
  const p = maria();
  p.qualifications![0]!.recognition = [{ destination: 'AU', status: 'full' }];
  return p;
};

describe('au-189/190/491 points test (Schedule 6D; values from au-orangeglobal-table, au-studyinaus-tv, au-partner-2019)', () => {
  it('Maria on 2026-01-15: age 29 → 30, proficient (IELTS 7 each) → 10, 4 yrs overseas → 5, single → 10 = 55 < 65', () => {
    const r = evalOne('au-189', maria(), '2026-01-15');
    expect(crit(r, 'age').points).toBe(30);
    expect(crit(r, 'english').points).toBe(10);
    expect(crit(r, 'overseas-employment').points).toBe(5);
    expect(crit(r, 'qualification').points).toBe(0);
    expect(crit(r, 'partner').points).toBe(10);
    expect(r.points).toEqual({ total: 55, passMark: 65 });
    expect(r.status).toBe('not_eligible');
    expect(r.gaps).toContainEqual({ criterionId: 'points', need: '65 points', have: '55 points' });
  });

  it('a bachelor recognised for Australia adds 15 → 70: eligible; 190 adds 5 nomination points → 75; 491 adds 15 → 85', () => {
    expect(evalOne('au-189', withAuRecognition(), '2026-01-15')).toMatchObject({
      status: 'eligible',
      points: { total: 70 },
    });
    expect(evalOne('au-190', withAuRecognition(), '2026-01-15').points?.total).toBe(75);
    expect(evalOne('au-491', withAuRecognition(), '2026-01-15').points?.total).toBe(85);
  });

  it('age bands switch on the birthday itself (25 on the birthday: 30 points; the day before: 24 → 25 points)', () => {
    const p = { ...withAuRecognition(), dateOfBirth: '2001-01-15' };
    expect(crit(evalOne('au-189', p, '2026-01-15'), 'age').points).toBe(30);
    expect(crit(evalOne('au-189', p, '2026-01-14'), 'age').points).toBe(25);
  });

  it('turning 45 makes the applicant ineligible (under 45 means the 45th birthday has not been reached)', () => {
    const p = { ...withAuRecognition(), dateOfBirth: '1981-01-15' };
    expect(crit(evalOne('au-189', p, '2026-01-14'), 'age')).toMatchObject({ status: 'met', points: 15 });
    const r = evalOne('au-189', p, '2026-01-15');
    expect(crit(r, 'age').status).toBe('unmet');
    expect(r.status).toBe('not_eligible');
  });

  it('overseas + Australian employment points are capped at 20 combined', () => {
    const p = withAuRecognition();
    p.experience = [
      { isco08: '2221', country: 'PH', from: '2016-02-01', to: '2024-01-31', hoursPerWeek: 40 }, // 8 yrs → 15
      { isco08: '2221', country: 'AU', from: '2023-02-01', to: '2026-01-31', hoursPerWeek: 38 }, // 3 yrs → 10
    ];
    const r = evalOne('au-189', p, '2026-01-31');
    expect(crit(r, 'overseas-employment').points).toBe(15);
    expect(crit(r, 'australian-employment').points).toBe(10);
    // 30 age + 10 English + min(25, 20) employment + 15 bachelor + 10 single
    expect(r.points?.total).toBe(85);
  });

  it('English below competent is unknown when the only English evidence is a CEFR level, unmet with a low test', () => {
    const p = withAuRecognition();
    p.languages = [{ language: 'en', cefr: 'C2' }];
    const r = evalOne('au-189', p, '2026-01-15');
    expect(crit(r, 'english').status).toBe('unknown');
    expect(r.status).toBe('insufficient_data');
    p.languages = [
      {
        language: 'en',
        test: { name: 'IELTS', overall: 6, bands: { listening: 6, reading: 6, writing: 5.5, speaking: 6 } },
      },
    ];
    const r2 = evalOne('au-189', p, '2026-01-15');
    expect(crit(r2, 'english').status).toBe('unmet');
    expect(r2.status).toBe('not_eligible');
  });

  it('PTE tables switch by test date on 7 Aug 2025 (au-english-compare-2025): 50 each is competent before, only vocational after', () => {
    const pte = (date: string) => {
      const p = withAuRecognition();
      p.languages = [
        {
          language: 'en',
          test: { name: 'PTE', bands: { listening: 50, reading: 50, writing: 50, speaking: 50 }, date },
        },
      ];
      return crit(evalOne('au-189', p, '2026-01-15'), 'english').status;
    };
    expect(pte('2025-08-06')).toBe('met');
    expect(pte('2025-08-07')).toBe('unmet'); // new competent needs S54
  });

  it('with the family status missing, the result is still eligible when the pass mark is reached without it', () => {
    const p = withAuRecognition();
    delete p.family;
    const r = evalOne('au-189', p, '2026-01-15');
    expect(crit(r, 'partner').status).toBe('unknown');
    expect(r.points?.total).toBe(60);
    expect(r.status).toBe('insufficient_data'); // 60 known, up to 70: the partner points decide
    p.certifications = [{ code: 'au-professional-year' }, { code: 'naati-ccl' }];
    expect(evalOne('au-189', p, '2026-01-15')).toMatchObject({ status: 'eligible', points: { total: 70 } });
  });
});

describe('au-482 Skills in Demand (au-thresholds-2025, au-lin25-082, au-482-english-ozimmi, au-csol-removed)', () => {
  const offer = (amount: number) => ({
    destination: 'AU',
    isco08: '2221',
    sponsor: true,
    salary: { amount, currency: 'AUD', period: 'year' as const },
  });
  it('Core Skills: CSIT 76,515 from 1 Jul 2025; 73,150 the day before', () => {
    expect(evalOne('au-482-core', maria(), '2025-07-01', offer(76515)).status).toBe('eligible');
    expect(crit(evalOne('au-482-core', maria(), '2025-07-01', offer(76514)), 'salary').status).toBe('unmet');
    expect(crit(evalOne('au-482-core', maria(), '2025-06-30', offer(73150)), 'salary').status).toBe('met');
    expect(crit(evalOne('au-482-core', maria(), '2026-07-01', offer(79498)), 'salary').status).toBe('unmet');
  });
  it('Specialist Skills: SSIT 141,210 in 2025-26, and trades (ANZSCO major group 3) are excluded', () => {
    expect(evalOne('au-482-specialist', maria(), '2025-10-01', offer(141210)).status).toBe('eligible');
    expect(evalOne('au-482-specialist', maria(), '2025-10-01', offer(141000)).status).toBe('not_eligible');
    const chef = { ...maria(), occupation: { isco08: '3434', national: [{ system: 'ANZSCO', code: '351311' }] } };
    const chefOffer = { ...offer(150000), isco08: '3434', national: [{ system: 'ANZSCO', code: '351311' }] };
    expect(crit(evalOne('au-482-specialist', chef, '2025-10-01', chefOffer), 'occupation').status).toBe('unmet');
  });
  it('English: IELTS 5.0 each with no overall passes LIN 25/082 (13 Sep 2025) but is unknown under LIN 24/099 (needs overall)', () => {
    const p = maria();
    p.languages = [
      { language: 'en', test: { name: 'IELTS', bands: { listening: 5, reading: 5, writing: 5, speaking: 5 } } },
    ];
    expect(crit(evalOne('au-482-core', p, '2025-09-13', offer(80000)), 'english').status).toBe('met');
    expect(crit(evalOne('au-482-core', p, '2025-09-12', offer(80000)), 'english').status).toBe('unknown');
    p.languages = [
      { language: 'en', test: { name: 'IELTS', bands: { listening: 5, reading: 4.5, writing: 5, speaking: 5 } } },
    ];
    expect(crit(evalOne('au-482-core', p, '2025-09-13', offer(80000)), 'english').status).toBe('unmet');
  });
  it('Nurse Manager (ANZSCO 254311) was removed from the CSOL', () => {
    const p = { ...maria(), occupation: { isco08: '1342', national: [{ system: 'ANZSCO', code: '254311' }] } };
    const managerOffer = { ...offer(90000), isco08: '1342', national: [{ system: 'ANZSCO', code: '254311' }] };
    expect(crit(evalOne('au-482-core', p, '2025-10-01', managerOffer), 'occupation').status).toBe('unmet');
    // The offered job decides, not the trainee's own occupation: a registered-nurse offer is on the list.
    expect(crit(evalOne('au-482-core', p, '2025-10-01', offer(90000)), 'occupation').status).toBe('met');
  });
  it('482 work experience counts only months inside the last 5 years', () => {
    const p = maria();
    p.experience = [{ isco08: '2221', country: 'PH', from: '2015-01-01', to: '2020-12-31', hoursPerWeek: 40 }];
    // window 2021-01-16..2026-01-15: nothing inside
    expect(crit(evalOne('au-482-core', p, '2026-01-15', offer(80000)), 'work-experience').status).toBe('unmet');
    // 2020-06-01..2021-01-31 overlaps the window 2021-01-15..2026-01-15 by half a month only
    p.experience = [{ isco08: '2221', country: 'PH', from: '2020-06-01', to: '2021-01-31', hoursPerWeek: 40 }];
    expect(crit(evalOne('au-482-core', p, '2026-01-15', offer(80000)), 'work-experience').status).toBe('unmet');
    p.experience = [{ isco08: '2221', country: 'PH', from: '2020-06-01', to: '2022-01-31', hoursPerWeek: 40 }];
    expect(crit(evalOne('au-482-core', p, '2026-01-15', offer(80000)), 'work-experience').status).toBe('met');
  });
});

describe('au-186-trt (au-482-age, au-186-age-exemptions)', () => {
  it('needs under 45 and 2 of the last 3 years in Australia', () => {
    const p = maria();
    p.experience = [{ isco08: '2221', country: 'AU', from: '2023-06-01', to: '2025-12-31', hoursPerWeek: 38 }];
    const offer = {
      destination: 'AU',
      sponsor: true,
      salary: { amount: 80000, currency: 'AUD', period: 'year' as const },
    };
    expect(evalOne('au-186-trt', p, '2026-01-15', offer).status).toBe('eligible');
    expect(evalOne('au-186-trt', { ...p, dateOfBirth: '1981-01-15' }, '2026-01-15', offer).status).toBe('not_eligible');
  });
});

describe('offerBlockers', () => {
  const offer = (amount: number) => ({
    sector: 'Q' as const,
    isco08: '5321',
    destination: 'AU',
    startDate: '2026-06-01',
    salary: { amount, currency: 'AUD', period: 'year' as const },
    hoursPerWeek: 38,
    sponsor: true,
  });
  it('closes the salary-gated AU pathways to everyone when the salary is below the threshold in force, and names it', () => {
    const blockers = book.offerBlockers(offer(71_773), {
      asOf: '2026-06-01',
      pathways: ['au-482-core', 'au-186-trt', 'au-189'],
    });
    expect(blockers.map((b) => [b.pathwayId, b.criterionId, b.outcome])).toEqual([
      ['au-482-core', 'salary', 'unmet'],
      ['au-186-trt', 'salary', 'unmet'],
    ]);
    expect(blockers[0]!.detail).toMatch(/AUD 71,773\/year is below AUD 76,515\/year/);
  });
  it('leaves the salary open when it meets the threshold, and tells an occupation the partial list cannot place', () => {
    expect(book.offerBlockers(offer(90_000), { asOf: '2026-06-01', pathways: ['au-186-trt'] })).toEqual([]);
    // 5321 is not among the CSOL entries the pack captures: nobody can be shown eligible on 482 for this job.
    expect(
      book
        .offerBlockers(offer(90_000), { asOf: '2026-06-01', pathways: ['au-482-core'] })
        .map((b) => [b.criterionId, b.outcome]),
    ).toEqual([['occupation', 'unknown']]);
    expect(
      book.offerBlockers({ ...offer(90_000), isco08: '2221' }, { asOf: '2026-06-01', pathways: ['au-482-core'] }),
    ).toEqual([]);
  });
});
