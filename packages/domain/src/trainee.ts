import { z } from 'zod';
import {
  CefrLevel,
  CountryCode,
  Id,
  IscedLevel,
  Isco08Code,
  IsoDate,
  LanguageCode,
  NationalOccupationCode,
} from './primitives.ts';

export const LANGUAGE_TEST_NAMES = [
  'IELTS',
  'OET',
  'PTE',
  'TOEFL',
  'CELPIP',
  'LanguageCert',
  'Cambridge',
  'Goethe',
  'telc',
  'TestDaF',
  'OSD',
  'JLPT',
  'JFT-Basic',
  'TEF',
  'TCF',
  'YKI',
] as const;
export type LanguageTestName = (typeof LANGUAGE_TEST_NAMES)[number];

const SkillScores = z.object({
  listening: z.number().min(0).max(990).optional(),
  reading: z.number().min(0).max(990).optional(),
  writing: z.number().min(0).max(990).optional(),
  speaking: z.number().min(0).max(990).optional(),
});

/** Per-test ranges, so that an IELTS 12 or a JLPT N7 is refused at the door rather than mis-scored later. */
const TEST_RANGES: Partial<Record<LanguageTestName, { min: number; max: number; step?: number }>> = {
  IELTS: { min: 0, max: 9, step: 0.5 },
  PTE: { min: 10, max: 90 },
  TOEFL: { min: 0, max: 120 },
  CELPIP: { min: 1, max: 12 },
  OET: { min: 0, max: 500 },
  TestDaF: { min: 3, max: 5 },
};
const TEST_LEVELS: Partial<Record<LanguageTestName, readonly string[]>> = {
  JLPT: ['N1', 'N2', 'N3', 'N4', 'N5'],
  'JFT-Basic': ['A2'],
  Goethe: ['A1', 'A2', 'B1', 'B2', 'C1', 'C2'],
  telc: ['A1', 'A2', 'B1', 'B2', 'C1', 'C2'],
  OSD: ['A1', 'A2', 'B1', 'B2', 'C1', 'C2'],
  YKI: ['A1', 'A2', 'B1', 'B2', 'C1', 'C2'],
  TEF: ['A1', 'A2', 'B1', 'B2', 'C1', 'C2'],
  TCF: ['A1', 'A2', 'B1', 'B2', 'C1', 'C2'],
};

export const LanguageTest = z
  .object({
    name: z.enum(LANGUAGE_TEST_NAMES),
    module: z.enum(['academic', 'general']).optional(),
    overall: z.number().min(0).max(990).optional(),
    bands: SkillScores.optional(),
    level: z
      .string()
      .max(8)
      .optional()
      .meta({ description: 'a level certificate: JLPT N1..N5, JFT-Basic A2, Goethe/telc/ÖSD A1..C2' }),
    date: IsoDate.optional(),
  })
  .superRefine((t, ctx) => {
    const range = TEST_RANGES[t.name];
    if (range) {
      const check = (value: number | undefined, path: (string | number)[]) => {
        if (value === undefined) return;
        const offStep =
          range.step !== undefined && Math.abs(value / range.step - Math.round(value / range.step)) > 1e-9;
        if (value < range.min || value > range.max || offStep) {
          ctx.addIssue({
            code: 'custom',
            path,
            message: `${t.name} scores run from ${range.min} to ${range.max}${range.step ? ` in steps of ${range.step}` : ''}`,
          });
        }
      };
      check(t.overall, ['overall']);
      for (const skill of ['listening', 'reading', 'writing', 'speaking'] as const)
        check(t.bands?.[skill], ['bands', skill]);
    }
    const levels = TEST_LEVELS[t.name];
    if (t.level !== undefined && levels && !levels.includes(t.level)) {
      ctx.addIssue({ code: 'custom', path: ['level'], message: `${t.name} levels are ${levels.join(', ')}` });
    }
  });
export type LanguageTest = z.infer<typeof LanguageTest>;

export const LanguageSkill = z
  .object({ language: LanguageCode, cefr: CefrLevel.optional(), test: LanguageTest.optional() })
  .refine((l) => l.cefr !== undefined || l.test !== undefined, {
    message: 'give a CEFR level, a test, or both',
    path: ['cefr'],
  });
export type LanguageSkill = z.infer<typeof LanguageSkill>;

export const RECOGNITION_STATUSES = ['none', 'in_progress', 'partial', 'full'] as const;
export const Qualification = z.object({
  iscedLevel: IscedLevel,
  durationYears: z.number().min(0).max(15).optional(),
  field: z.string().max(200).optional(),
  country: CountryCode.optional(),
  awarded: IsoDate.optional(),
  recognition: z
    .array(z.object({ destination: CountryCode, status: z.enum(RECOGNITION_STATUSES) }))
    .max(20)
    .optional(),
});
export type Qualification = z.infer<typeof Qualification>;

export const Experience = z
  .object({
    isco08: Isco08Code,
    country: CountryCode.optional(),
    from: IsoDate.optional(),
    to: IsoDate.optional(),
    months: z.number().int().min(0).max(600).optional(),
    hoursPerWeek: z.number().min(1).max(80).optional(),
  })
  .refine((e) => e.from !== undefined || e.months !== undefined, {
    message: 'give from/to dates or months',
    path: ['from'],
  })
  .refine((e) => !e.from || !e.to || e.from <= e.to, { message: 'ends before it starts', path: ['to'] });
export type Experience = z.infer<typeof Experience>;

export const Certification = z.object({
  code: z.string().regex(/^[a-z0-9][a-z0-9-]{1,63}$/, 'expected a certification code such as jp-care-skills'),
  date: IsoDate.optional(),
});

export const SkillsAssessment = z.object({
  destination: CountryCode,
  authority: z.string().min(1).max(64),
  outcome: z.enum(['positive', 'negative', 'pending']),
  date: IsoDate.optional(),
});

export const Family = z.object({
  maritalStatus: z.enum(['single', 'married', 'de_facto']).optional(),
  partner: z
    .object({
      dateOfBirth: IsoDate.optional(),
      languages: z.array(LanguageSkill).max(20).optional(),
      skillsAssessment: z.boolean().optional(),
      citizenOrResidentOf: z.array(CountryCode).max(10).optional(),
    })
    .optional(),
});

export const TRACKS = ['home', 'away', 'undecided'] as const;
export const Programme = z.object({
  partnershipId: Id.optional(),
  cohort: z.string().min(1).max(64).optional(),
  track: z.enum(TRACKS).optional(),
});

export const Occupation = z.object({
  isco08: Isco08Code,
  title: z.string().max(200).optional(),
  national: z.array(NationalOccupationCode).max(10).optional(),
});

/**
 * What eligibility needs to know about a person. Personal identifiers (names, email) are not part of it:
 * the public eligibility check takes exactly this, and stored trainees add their identity on top.
 */
export const EligibilityProfile = z.object({
  dateOfBirth: IsoDate,
  nationality: CountryCode,
  residence: CountryCode.optional(),
  occupation: Occupation,
  qualifications: z.array(Qualification).max(20).optional(),
  languages: z.array(LanguageSkill).max(20).optional(),
  experience: z.array(Experience).max(50).optional(),
  certifications: z.array(Certification).max(50).optional(),
  skillsAssessments: z.array(SkillsAssessment).max(20).optional(),
  family: Family.optional(),
  programme: Programme.optional(),
  preferences: z
    .object({ destinations: z.array(CountryCode).max(30).optional(), earliestStart: IsoDate.optional() })
    .optional(),
});
export type EligibilityProfile = z.infer<typeof EligibilityProfile>;

export const Consent = z.object({
  shareProfileWithEmployers: z.boolean().default(false),
  contactByEmail: z.boolean().default(false),
});

export const TraineeProfile = EligibilityProfile.extend({
  externalRef: z.string().min(1).max(128).optional(),
  givenName: z.string().min(1).max(200).optional(),
  familyName: z.string().min(1).max(200).optional(),
  email: z.email().max(320).optional(),
  consent: Consent.optional(),
});
export type TraineeProfile = z.infer<typeof TraineeProfile>;
export type TraineeProfileInput = z.input<typeof TraineeProfile>;

/** PATCH: any subset of fields; arrays replace whole. */
export const TraineePatch = TraineeProfile.partial();
export type TraineePatch = z.infer<typeof TraineePatch>;

/** The PII fields: never logged, stripped on erasure, hidden from employers until consent. */
export const TRAINEE_PII_FIELDS = ['givenName', 'familyName', 'email', 'dateOfBirth'] as const;
