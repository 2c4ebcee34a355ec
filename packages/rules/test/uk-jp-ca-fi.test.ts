import type { EligibilityProfile } from '@corridor/domain';
import { describe, expect, it } from 'vitest';
import { crit, evalOne, maria } from './helpers.ts';

const gbp = (amount: number, isco08: string) => ({
  destination: 'GB',
  isco08,
  sponsor: true,
  salary: { amount, currency: 'GBP', period: 'year' as const },
});

describe('uk-skilled-worker (uk-hc997-bp, uk-hc997-reiss, uk-b2-visahq, uk-selt-b1, uk-selt-b2)', () => {
  const carer = (): EligibilityProfile => ({
    dateOfBirth: '1990-01-01',
    nationality: 'IN',
    occupation: { isco08: '5321' },
    languages: [
      {
        language: 'en',
        test: { name: 'IELTS', overall: 5, bands: { listening: 5, reading: 5, writing: 5, speaking: 5 } },
      },
    ],
  });
  it('care workers: eligible at RQF 3 on 2025-07-21, closed to overseas applicants from 2025-07-22', () => {
    const before = evalOne('uk-skilled-worker', carer(), '2025-07-21', gbp(26000, '5321'));
    expect(before.pathwayVersion).toBe('2024-04-04');
    expect(before).toMatchObject({ status: 'eligible', points: { total: 70, passMark: 70 } });
    const after = evalOne('uk-skilled-worker', carer(), '2025-07-22', gbp(26000, '5321'));
    expect(after.pathwayVersion).toBe('2025-07-22');
    expect(crit(after, 'skill-level').status).toBe('unmet');
    expect(after.status).toBe('not_eligible');
  });
  it('English: IELTS 5.0 each is B1 until 2026-01-07; from 2026-01-08 first applications need B2 (5.5 each)', () => {
    const engineer = { ...carer(), occupation: { isco08: '2142' } };
    expect(crit(evalOne('uk-skilled-worker', engineer, '2026-01-07', gbp(42000, '2142')), 'english').status).toBe(
      'met',
    );
    const r = evalOne('uk-skilled-worker', engineer, '2026-01-08', gbp(42000, '2142'));
    expect(crit(r, 'english').status).toBe('unmet');
    expect(r.status).toBe('not_eligible');
  });
  it('general threshold £41,700 from 22 Jul 2025 (was £38,700); new entrants under 26 £33,400', () => {
    const p: EligibilityProfile = {
      ...carer(),
      occupation: { isco08: '2142' },
      languages: [{ language: 'en', cefr: 'C1' }],
    };
    expect(crit(evalOne('uk-skilled-worker', p, '2025-07-21', gbp(39000, '2142')), 'salary').status).toBe('met');
    expect(crit(evalOne('uk-skilled-worker', p, '2025-07-22', gbp(39000, '2142')), 'salary').status).toBe('unmet');
    const young = { ...p, dateOfBirth: '2000-08-01' };
    expect(crit(evalOne('uk-skilled-worker', young, '2026-02-01', gbp(33400, '2142')), 'salary').status).toBe('met');
  });
  it('a nurse licensed at home with NMC-level IELTS but no NMC registration: conditionally eligible (pre-registration role)', () => {
    const p = maria();
    p.languages![0]!.test!.bands!.writing = 6.5;
    const r = evalOne('uk-skilled-worker', p, '2026-02-01', gbp(29000, '2221'));
    expect(crit(r, 'nmc-english').status).toBe('met');
    expect(r.status).toBe('conditionally_eligible');
    expect(r.gaps[0]).toMatchObject({ criterionId: 'nmc-registration' });
    p.languages![0]!.test!.bands!.writing = 6;
    expect(crit(evalOne('uk-skilled-worker', p, '2026-02-01', gbp(29000, '2221')), 'nmc-english').status).toBe('unmet');
  });
});

describe('Japan (jp-epa-ph-2024, jp-epa-vn-n3, jp-ssw-jcwg, jp-jicwels-ssw)', () => {
  it('EPA nurse, Philippines: BSN + PRC licence + 3 years; 35 months is not enough', () => {
    expect(evalOne('jp-epa-nurse', maria(), '2026-01-15').status).toBe('eligible');
    const p = maria();
    p.experience = [{ isco08: '2221', country: 'PH', from: '2023-02-01', to: '2025-12-31' }];
    expect(crit(evalOne('jp-epa-nurse', p, '2026-01-15'), 'experience-ph').status).toBe('unmet');
    expect(evalOne('jp-epa-nurse', { ...maria(), nationality: 'IN' }, '2026-01-15').status).toBe('not_eligible');
  });
  it('EPA nurse, Viet Nam: JLPT N3 before entry; N4 is not enough', () => {
    const p = { ...maria(), nationality: 'VN' };
    const r = evalOne('jp-epa-nurse', p, '2026-01-15');
    expect(crit(r, 'japanese-vn').status).toBe('unmet');
    p.languages = [{ language: 'ja', test: { name: 'JLPT', level: 'N3' } }];
    expect(evalOne('jp-epa-nurse', p, '2026-01-15').status).toBe('eligible');
  });
  it('EPA care worker, Indonesia: nursing diploma and N5', () => {
    const p: EligibilityProfile = {
      dateOfBirth: '2000-01-01',
      nationality: 'ID',
      occupation: { isco08: '3221' },
      qualifications: [{ iscedLevel: 5, durationYears: 3, field: 'Nursing (D3)' }],
      languages: [{ language: 'ja', test: { name: 'JLPT', level: 'N5' } }],
    };
    expect(evalOne('jp-epa-care-worker', p, '2026-01-15').status).toBe('eligible');
  });
  it('SSW nursing care: 18 on the birthday, JFT-Basic accepted, both care tests needed unless exempt', () => {
    const p: EligibilityProfile = {
      dateOfBirth: '2008-01-15',
      nationality: 'NP',
      occupation: { isco08: '5321' },
      languages: [{ language: 'ja', test: { name: 'JFT-Basic', level: 'A2' } }],
      certifications: [{ code: 'jp-care-skills' }, { code: 'jp-care-japanese' }],
    };
    const offer = { destination: 'JP' };
    expect(evalOne('jp-ssw-nursing-care', p, '2026-01-14', offer).status).toBe('not_eligible');
    expect(evalOne('jp-ssw-nursing-care', p, '2026-01-15', offer).status).toBe('eligible');
    const noTests = { ...p, certifications: [{ code: 'jp-care-skills' }] };
    expect(evalOne('jp-ssw-nursing-care', noTests, '2026-01-15', offer).status).toBe('not_eligible');
    const titp = { ...p, languages: [], certifications: [{ code: 'jp-titp2-nursing-care' }] };
    expect(evalOne('jp-ssw-nursing-care', titp, '2026-01-15', offer).status).toBe('eligible');
  });
});

describe('Canada (ca-fsw-grid, ca-crs-table, ca-clb-ielts)', () => {
  const dev = (): EligibilityProfile => ({
    dateOfBirth: '1996-04-02',
    nationality: 'IN',
    occupation: { isco08: '2512' },
    qualifications: [{ iscedLevel: 6, durationYears: 4 }],
    languages: [
      {
        language: 'en',
        test: {
          name: 'IELTS',
          module: 'general',
          overall: 7.5,
          bands: { listening: 8, reading: 7, writing: 7, speaking: 7 },
        },
      },
    ],
    experience: [{ isco08: '2512', country: 'IN', from: '2021-11-01', to: '2025-10-31', hoursPerWeek: 40 }],
    certifications: [],
  });
  it('FSW: age 12 + CLB 9 each 24 + bachelor 21 + 4 yrs 13 = 70 ≥ 67, eligible without knowing about a job offer', () => {
    const r = evalOne('ca-fsw', dev(), '2026-01-15');
    expect(crit(r, 'first-language').points).toBe(24);
    expect(r.points).toEqual({ total: 70, passMark: 67 });
    expect(r.status).toBe('eligible');
  });
  it('IELTS 7.0 in listening is only CLB 7 (listening needs 8.0 for CLB 9)', () => {
    const p = dev();
    p.languages![0]!.test!.bands!.listening = 7;
    const r = evalOne('ca-fsw', p, '2026-01-15');
    expect(crit(r, 'first-language').points).toBe(4 + 6 + 6 + 6);
    expect(r.points?.total).toBe(68);
  });
  it('below CLB 7 in one ability is not eligible; IELTS Academic is not accepted (unknown)', () => {
    const p = dev();
    p.languages![0]!.test!.bands!.writing = 5.5;
    expect(evalOne('ca-fsw', p, '2026-01-15').status).toBe('not_eligible');
    const q = dev();
    q.languages![0]!.test!.module = 'academic';
    expect(crit(evalOne('ca-fsw', q, '2026-01-15'), 'first-language').status).toBe('unknown');
  });
  it('CRS: 110 age + 124 language + 120 education + 75 transferability = 429 (no pass mark)', () => {
    const r = evalOne('ca-crs', dev(), '2026-01-15');
    expect(crit(r, 'transferability').points).toBe(75);
    expect(crit(r, 'points').points).toBe(429);
    expect(r.points).toBeUndefined();
    expect(r.status).toBe('eligible');
  });
});

describe('Finland (fi-migri-1600, fi-valvira-lang-2016, fi-nurse-b1)', () => {
  const eur = (amount: number) => ({
    destination: 'FI',
    salary: { amount, currency: 'EUR', period: 'month' as const },
  });
  it('employed person: €1,600/month from 2025-01-01; €1,399 sufficed in 2024', () => {
    expect(evalOne('fi-employed-person', maria(), '2025-01-01', eur(1600)).status).toBe('eligible');
    expect(evalOne('fi-employed-person', maria(), '2025-01-01', eur(1599)).status).toBe('not_eligible');
    const r = evalOne('fi-employed-person', maria(), '2024-12-31', eur(1500));
    expect(r.pathwayVersion).toBe('2024-01-01');
    expect(r.status).toBe('eligible');
  });
  it('a yearly offer is compared on the same annual basis', () => {
    const yearly = { destination: 'FI', salary: { amount: 19200, currency: 'EUR', period: 'year' as const } };
    expect(evalOne('fi-employed-person', maria(), '2025-06-01', yearly).status).toBe('eligible');
  });
  it('practical nurse: YKI B1 Finnish and comparable training; partial → Valvira measures', () => {
    const p = maria();
    p.languages = [{ language: 'fi', test: { name: 'YKI', level: 'B1' } }];
    p.qualifications![0]!.recognition = [{ destination: 'FI', status: 'full' }];
    expect(evalOne('fi-practical-nurse', p, '2026-01-15').status).toBe('eligible');
    p.qualifications![0]!.recognition = [{ destination: 'FI', status: 'partial' }];
    expect(evalOne('fi-practical-nurse', p, '2026-01-15').status).toBe('conditionally_eligible');
    p.languages = [{ language: 'fi', cefr: 'A2' }];
    expect(evalOne('fi-practical-nurse', p, '2026-01-15').status).toBe('not_eligible');
  });
});
