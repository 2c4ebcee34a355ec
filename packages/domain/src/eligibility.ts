import { z } from 'zod';
import { CountryCode, IsoDate, PathwayId } from './primitives.ts';
import { EligibilityProfile } from './trainee.ts';
import { OfferTermsInput } from './vacancy.ts';

export const ELIGIBILITY_STATUSES = [
  'eligible',
  'conditionally_eligible',
  'not_eligible',
  'insufficient_data',
] as const;
export type EligibilityStatus = (typeof ELIGIBILITY_STATUSES)[number];
export const CRITERION_STATUSES = ['met', 'unmet', 'unknown'] as const;
export type CriterionStatus = (typeof CRITERION_STATUSES)[number];

export const CriterionResult = z.object({
  id: z.string(),
  status: z.enum(CRITERION_STATUSES),
  points: z.number().optional(),
  detail: z.string(),
});
export type CriterionResult = z.infer<typeof CriterionResult>;

export const Gap = z.object({
  criterionId: z.string(),
  need: z.string(),
  have: z.string(),
  bridge: z.string().optional(),
});
export type Gap = z.infer<typeof Gap>;

export const EligibilityResult = z.object({
  pathwayId: PathwayId,
  pathwayVersion: z.string(),
  destination: CountryCode,
  status: z.enum(ELIGIBILITY_STATUSES),
  points: z.object({ total: z.number(), passMark: z.number() }).optional(),
  criteria: z.array(CriterionResult),
  gaps: z.array(Gap),
  sources: z.array(z.string()),
});
export type EligibilityResult = z.infer<typeof EligibilityResult>;

export const SafeguardResult = z.object({
  id: z.enum(['who-safeguard-list', 'employer-pays']),
  status: z.enum(['clear', 'restricted']),
  detail: z.string(),
});
export type SafeguardResult = z.infer<typeof SafeguardResult>;

export const EligibilityCheckRequest = z.object({
  profile: EligibilityProfile,
  pathways: z.array(PathwayId).max(50).optional(),
  destinations: z.array(CountryCode).max(30).optional(),
  asOf: IsoDate.optional(),
  offer: OfferTermsInput.optional(),
});
export type EligibilityCheckRequest = z.infer<typeof EligibilityCheckRequest>;

export const EligibilityCheckResponse = z.object({
  results: z.array(EligibilityResult),
  safeguards: z.array(SafeguardResult),
});
