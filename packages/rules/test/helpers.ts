import type { EligibilityProfile, EligibilityResult, OfferTermsInput } from '@corridor/domain';
import { shippedRuleBook } from '../src/index.ts';

export const book = shippedRuleBook();

export function evalOne(
  pathway: string,
  profile: EligibilityProfile,
  asOf: string,
  offer?: OfferTermsInput,
): EligibilityResult {
  const [r] = book.evaluate(profile, { asOf, pathways: [pathway], offer });
  if (!r) throw new Error(`no ${pathway} pack in force on ${asOf}`);
  return r;
}

export const crit = (r: EligibilityResult, id: string) => {
  const c = r.criteria.find((x) => x.id === id);
  if (!c) throw new Error(`criterion ${id} missing from ${r.pathwayId}: ${r.criteria.map((x) => x.id).join(', ')}`);
  return c;
};

/** The contract's sample trainee: a Philippine registered nurse. */
export const maria = (): EligibilityProfile => ({
  dateOfBirth: '1996-04-02',
  nationality: 'PH',
  residence: 'PH',
  occupation: { isco08: '2221', title: 'Registered nurse', national: [{ system: 'ANZSCO', code: '254412' }] },
  qualifications: [
    {
      iscedLevel: 6,
      durationYears: 4,
      field: 'Nursing',
      country: 'PH',
      awarded: '2018-06-01',
      recognition: [{ destination: 'DE', status: 'partial' }],
    },
  ],
  languages: [
    {
      language: 'en',
      cefr: 'C1',
      test: {
        name: 'IELTS',
        module: 'academic',
        overall: 7,
        bands: { listening: 7, reading: 7, writing: 7, speaking: 7 },
        date: '2025-03-01',
      },
    },
    { language: 'ja', test: { name: 'JLPT', level: 'N4', date: '2025-07-06' } },
    { language: 'de', test: { name: 'Goethe', level: 'A2', date: '2025-05-01' } },
  ],
  experience: [{ isco08: '2221', country: 'PH', from: '2021-11-01', to: '2025-10-31', hoursPerWeek: 40 }],
  certifications: [{ code: 'nurse-licence' }],
  skillsAssessments: [{ destination: 'AU', authority: 'ANMAC', outcome: 'positive' }],
  family: { maritalStatus: 'single' },
});
