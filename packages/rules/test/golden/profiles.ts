/**
 * Seeded profiles for the golden-results test: a wide spread of fields, tests, offers and as-of dates, so
 * that an optimisation of the evaluator can be checked against results captured before it.
 */
import { createHash } from 'node:crypto';
import type { EligibilityProfile, LanguageSkill, LanguageTest, OfferTermsInput } from '@corridor/domain';
import { generateProfiles, mulberry32 } from '../../bench/evaluator.bench.ts';
import { type RuleBook, shippedPacks, shippedRuleBook } from '../../src/index.ts';

export interface GoldenCase {
  key: string;
  asOf: string;
  profile: EligibilityProfile;
  offer?: OfferTermsInput;
}

export const GOLDEN_DATES = ['2023-06-01', '2024-05-10', '2025-08-20', '2026-01-15', '2027-03-01'] as const;

const CEFR = ['A1', 'A2', 'B1', 'B2', 'C1', 'C2'] as const;
const OCCUPATIONS = ['2221', '2222', '3221', '3222', '5321', '2211', '2512', '7212', '5120', '1120', '2310'];
const COUNTRIES = ['PH', 'IN', 'ID', 'VN', 'NG', 'KE', 'NP', 'TN', 'GB', 'US', 'CA', 'AU', 'LK', 'MA'];
const pad = (n: number) => String(n).padStart(2, '0');

function wideProfiles(count: number, seed: number): { profile: EligibilityProfile; offer?: OfferTermsInput }[] {
  const rnd = mulberry32(seed);
  const pick = <T>(xs: readonly T[]): T => xs[Math.floor(rnd() * xs.length)]!;
  const maybe = <T>(p: number, f: () => T): T | undefined => (rnd() < p ? f() : undefined);
  const date = (from: number, span: number) =>
    `${from + Math.floor(rnd() * span)}-${pad(1 + Math.floor(rnd() * 12))}-${pad(1 + Math.floor(rnd() * 28))}`;
  const half = (lo: number, hi: number) => lo + Math.floor(rnd() * ((hi - lo) * 2 + 1)) / 2;
  const test = (): LanguageTest => {
    const kind = pick([
      'IELTS',
      'IELTS',
      'PTE',
      'OET',
      'CELPIP',
      'TOEFL',
      'Goethe',
      'JLPT',
      'JFT-Basic',
      'YKI',
    ] as const);
    switch (kind) {
      case 'IELTS': {
        const b = half(4, 9);
        return {
          name: 'IELTS',
          ...(rnd() < 0.8 ? { module: pick(['general', 'academic'] as const) } : {}),
          ...(rnd() < 0.9 ? { overall: b } : {}),
          ...(rnd() < 0.85
            ? {
                bands: {
                  listening: Math.min(9, b + (rnd() < 0.3 ? 0.5 : 0)),
                  reading: b,
                  writing: Math.max(4, b - (rnd() < 0.5 ? 0.5 : 0)),
                  ...(rnd() < 0.9 ? { speaking: b } : {}),
                },
              }
            : {}),
          ...(rnd() < 0.8 ? { date: date(2023, 4) } : {}),
        };
      }
      case 'PTE': {
        const s = 30 + Math.floor(rnd() * 60);
        return {
          name: 'PTE',
          overall: s,
          bands: { listening: s, reading: s, writing: Math.max(10, s - 5), speaking: s },
          ...(rnd() < 0.8 ? { date: date(2023, 4) } : {}),
        };
      }
      case 'OET': {
        const s = 200 + Math.floor(rnd() * 30) * 10;
        return { name: 'OET', bands: { listening: s, reading: s, writing: s, speaking: s }, date: date(2023, 4) };
      }
      case 'CELPIP': {
        const s = 4 + Math.floor(rnd() * 9);
        return { name: 'CELPIP', bands: { listening: s, reading: s, writing: Math.max(1, s - 1), speaking: s } };
      }
      case 'TOEFL':
        return { name: 'TOEFL', overall: 40 + Math.floor(rnd() * 80) };
      case 'Goethe':
        return { name: 'Goethe', level: pick(CEFR) };
      case 'JLPT':
        return { name: 'JLPT', level: pick(['N5', 'N4', 'N3', 'N2', 'N1']) };
      case 'JFT-Basic':
        return { name: 'JFT-Basic', level: 'A2' };
      case 'YKI':
        return { name: 'YKI', level: pick(CEFR) };
    }
  };
  const language = (): LanguageSkill => {
    const lang = pick(['en', 'en', 'de', 'ja', 'fi', 'sv', 'fr']);
    const cefr = maybe(0.6, () => pick(CEFR));
    const t = cefr === undefined || rnd() < 0.5 ? test() : undefined;
    return { language: lang, ...(cefr ? { cefr } : {}), ...(t ? { test: t } : {}) };
  };
  const out: { profile: EligibilityProfile; offer?: OfferTermsInput }[] = [];
  for (let i = 0; i < count; i++) {
    const isco = pick(OCCUPATIONS);
    const nationality = pick(COUNTRIES);
    const profile: EligibilityProfile = {
      dateOfBirth: date(1962, 45),
      nationality,
      ...(rnd() < 0.5 ? { residence: pick(COUNTRIES) } : {}),
      occupation: {
        isco08: isco,
        ...(rnd() < 0.3
          ? {
              national: [
                pick([
                  { system: 'ANZSCO', code: '254412' },
                  { system: 'ANZSCO', code: '411711' },
                  { system: 'anzsco', code: '254499' },
                  { system: 'SOC2020', code: '2231' },
                  { system: 'SOC2020', code: '6135' },
                  { system: 'NOC', code: '31301' },
                ]),
              ],
            }
          : {}),
      },
      ...(rnd() < 0.85
        ? {
            qualifications: Array.from({ length: Math.floor(rnd() * 3) }, () => ({
              iscedLevel: 2 + Math.floor(rnd() * 7),
              ...(rnd() < 0.8 ? { durationYears: Math.floor(rnd() * 5) } : {}),
              ...(rnd() < 0.8 ? { field: pick(['Nursing', 'General', 'Bachelor of Nursing', 'Care', 'IT']) } : {}),
              ...(rnd() < 0.7 ? { awarded: date(2000, 27) } : {}),
              ...(rnd() < 0.8
                ? {
                    recognition: Array.from({ length: Math.floor(rnd() * 3) }, () => ({
                      destination: pick(['DE', 'AU', 'FI', 'UK', 'GB']),
                      status: pick(['none', 'in_progress', 'partial', 'full'] as const),
                    })),
                  }
                : {}),
            })),
          }
        : {}),
      ...(rnd() < 0.85 ? { languages: Array.from({ length: Math.floor(rnd() * 4) }, language) } : {}),
      ...(rnd() < 0.85
        ? {
            experience: Array.from({ length: Math.floor(rnd() * 4) }, () => {
              const dated = rnd() < 0.8;
              const from = date(2008, 18);
              return {
                isco08: rnd() < 0.7 ? isco : pick(OCCUPATIONS),
                ...(rnd() < 0.85 ? { country: pick([...COUNTRIES, 'CA', 'DE']) } : {}),
                ...(dated
                  ? { from, ...(rnd() < 0.7 ? { to: from < '2024-01-01' ? '2025-06-30' : from } : {}) }
                  : { months: Math.floor(rnd() * 120) }),
                ...(rnd() < 0.8 ? { hoursPerWeek: pick([20, 30, 38, 40]) } : {}),
              };
            }),
          }
        : {}),
      ...(rnd() < 0.8
        ? {
            certifications: Array.from({ length: Math.floor(rnd() * 3) }, () => ({
              code: pick([
                'nurse-licence',
                'jp-care-skills',
                'jp-care-japanese',
                'au-professional-year',
                'au-naati',
                'au-regional-study',
                'au-state-nomination',
                'ca-provincial-nomination',
                'uk-shortage',
                'some-other-code',
              ]),
              ...(rnd() < 0.3 ? { date: date(2018, 8) } : {}),
            })),
          }
        : {}),
      ...(rnd() < 0.7
        ? {
            skillsAssessments: Array.from({ length: 1 + Math.floor(rnd() * 2) }, () => ({
              destination: pick(['AU', 'AU', 'CA', 'DE']),
              authority: pick(['ANMAC', 'anmac', 'TRA', 'VETASSESS', 'ACS']),
              outcome: pick(['positive', 'negative', 'pending'] as const),
            })),
          }
        : {}),
      ...(rnd() < 0.8
        ? {
            family: {
              ...(rnd() < 0.9 ? { maritalStatus: pick(['single', 'married', 'de_facto'] as const) } : {}),
              ...(rnd() < 0.6
                ? {
                    partner: {
                      ...(rnd() < 0.7 ? { dateOfBirth: date(1965, 40) } : {}),
                      ...(rnd() < 0.7 ? { languages: Array.from({ length: Math.floor(rnd() * 2) }, language) } : {}),
                      ...(rnd() < 0.7 ? { skillsAssessment: rnd() < 0.5 } : {}),
                      ...(rnd() < 0.2 ? { citizenOrResidentOf: [pick(['AU', 'NZ', 'PH'])] } : {}),
                    },
                  }
                : {}),
            },
          }
        : {}),
    };
    const offer: OfferTermsInput | undefined = maybe(0.7, () => ({
      ...(rnd() < 0.9 ? { destination: pick(['DE', 'AU', 'GB', 'JP', 'FI', 'CA']) } : {}),
      ...(rnd() < 0.8 ? { isco08: rnd() < 0.7 ? isco : pick(OCCUPATIONS) } : {}),
      ...(rnd() < 0.2 ? { national: [{ system: 'ANZSCO', code: pick(['254412', '411711']) }] } : {}),
      ...(rnd() < 0.8 ? { sector: pick(['Q', 'C', 'J', 'P']) } : {}),
      ...(rnd() < 0.85
        ? {
            salary: pick([
              { amount: 20000 + Math.floor(rnd() * 80000), currency: 'EUR', period: 'year' as const },
              { amount: 1800 + Math.floor(rnd() * 6000), currency: 'EUR', period: 'month' as const },
              { amount: 30000 + Math.floor(rnd() * 90000), currency: 'AUD', period: 'year' as const },
              { amount: 20000 + Math.floor(rnd() * 40000) + 0.5, currency: 'GBP', period: 'year' as const },
              { amount: 10 + Math.floor(rnd() * 40), currency: 'GBP', period: 'hour' as const },
              { amount: 500 + Math.floor(rnd() * 1500), currency: 'AUD', period: 'week' as const },
              { amount: 3000000 + Math.floor(rnd() * 3000000), currency: 'JPY', period: 'year' as const },
            ]),
          }
        : {}),
      ...(rnd() < 0.8 ? { hoursPerWeek: pick([15, 20, 30, 37.5, 40]) } : {}),
      ...(rnd() < 0.7
        ? {
            contract: {
              type: pick(['permanent', 'fixed_term', 'seasonal'] as const),
              ...(rnd() < 0.7 ? { months: 1 + Math.floor(rnd() * 48) } : {}),
            },
          }
        : {}),
      ...(rnd() < 0.8 ? { sponsor: rnd() < 0.7 } : {}),
    }));
    out.push(offer ? { profile, offer } : { profile });
  }
  return out;
}

/** Bench profiles on the bench date plus wide profiles on every golden date. */
export function goldenCases(): GoldenCase[] {
  const cases: GoldenCase[] = [];
  generateProfiles(300, 42).forEach((d, i) => {
    cases.push({ key: `bench-${i}@2026-01-15`, asOf: '2026-01-15', ...d });
  });
  const wide = wideProfiles(400, 7);
  wide.forEach((d, i) => {
    const asOf = GOLDEN_DATES[i % GOLDEN_DATES.length]!;
    cases.push({ key: `wide-${i}@${asOf}`, asOf, ...d });
  });
  // Every date for a subset, so dated values switch under the same profile.
  wide.slice(0, 60).forEach((d, i) => {
    for (const asOf of GOLDEN_DATES) cases.push({ key: `dated-${i}@${asOf}`, asOf, ...d });
  });
  return cases;
}

/**
 * Canonical text of a value: sorted keys, and a present-but-undefined property kept visible (JSON would drop
 * it), so that both content and the set of keys are compared.
 */
export function canonical(v: unknown): string {
  if (v === undefined) return '~undefined';
  if (v === null || typeof v !== 'object') return JSON.stringify(v);
  if (Array.isArray(v)) {
    let s = '[';
    for (let i = 0; i < v.length; i++) s += (i ? ',' : '') + (i in v ? canonical(v[i]) : '~hole');
    return `${s}]`;
  }
  const keys = Object.keys(v).sort();
  return `{${keys.map((k) => `${JSON.stringify(k)}:${canonical((v as Record<string, unknown>)[k])}`).join(',')}}`;
}

/** sha-256 (first 16 hex digits) of every case's canonical results, with one over the shipped packs. */
export function goldenDigests(book: RuleBook = shippedRuleBook()): { packs: string; cases: Record<string, string> } {
  const cases: Record<string, string> = {};
  for (const c of goldenCases())
    cases[c.key] = sha(canonical(book.evaluate(c.profile, { asOf: c.asOf, offer: c.offer })));
  return { packs: sha(canonical(shippedPacks())), cases };
}

const sha = (s: string) => createHash('sha256').update(s).digest('hex').slice(0, 16);
