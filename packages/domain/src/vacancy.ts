import { z } from 'zod';
import {
  CefrLevel,
  CountryCode,
  CurrencyCode,
  Id,
  IscedLevel,
  Isco08Code,
  IsicSection,
  IsoDate,
  LanguageCode,
  NationalOccupationCode,
  PathwayId,
} from './primitives.ts';

export const Salary = z.object({
  amount: z.number().nonnegative('a salary cannot be negative').max(100_000_000),
  currency: CurrencyCode,
  period: z.enum(['hour', 'week', 'month', 'year']),
});
export type Salary = z.infer<typeof Salary>;

export const JobOfferTerms = z.object({
  sector: IsicSection,
  isco08: Isco08Code,
  national: z.array(NationalOccupationCode).max(10).optional(),
  destination: CountryCode,
  region: z.string().max(16).optional(),
  salary: Salary.optional(),
  hoursPerWeek: z.number().min(1).max(80).optional(),
  contract: z
    .object({
      type: z.enum(['permanent', 'fixed_term', 'seasonal']),
      months: z.number().int().min(1).max(120).optional(),
    })
    .optional(),
  startDate: IsoDate.optional(),
  sponsor: z.boolean().optional(),
});
export type JobOfferTerms = z.infer<typeof JobOfferTerms>;

/** Offer terms as the public eligibility check takes them: every field optional. */
export const OfferTermsInput = JobOfferTerms.partial();
export type OfferTermsInput = z.infer<typeof OfferTermsInput>;

export const VACANCY_STATUSES = ['open', 'paused', 'filled', 'closed'] as const;
export type VacancyStatus = (typeof VACANCY_STATUSES)[number];

export const Requirements = z.object({
  languages: z
    .array(z.object({ language: LanguageCode, cefr: CefrLevel }))
    .max(10)
    .default([]),
  minExperienceMonths: z.number().int().min(0).max(600).optional(),
  iscedLevel: IscedLevel.optional(),
});

export const CostSharing = z.object({
  employerPaysTraining: z.boolean(),
  employerPaysTravel: z.boolean(),
  employerPaysVisa: z.boolean(),
  /** The employer-pays principle (ILO General Principles, IRIS): workers pay no recruitment fees. Anything above 0 is refused. */
  workerFees: z.number().min(0),
});

export const VacancyInput = JobOfferTerms.extend({
  externalRef: z.string().min(1).max(128).optional(),
  employerId: Id.optional(),
  partnershipId: Id.optional(),
  title: z.string().min(1).max(200),
  headcount: z.number().int().min(1).max(10_000),
  requirements: Requirements.default({ languages: [] }),
  pathways: z.array(PathwayId).min(1).max(25),
  costSharing: CostSharing,
  status: z.enum(VACANCY_STATUSES).default('open'),
});
export type VacancyInput = z.infer<typeof VacancyInput>;

export const VacancyPatch = VacancyInput.omit({ employerId: true, externalRef: true }).partial();
export type VacancyPatch = z.infer<typeof VacancyPatch>;

export const Vacancy = VacancyInput.extend({
  id: Id,
  employerId: Id,
  createdAt: z.string(),
  updatedAt: z.string(),
});
export type Vacancy = z.infer<typeof Vacancy>;
