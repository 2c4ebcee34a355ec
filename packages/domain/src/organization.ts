import { z } from 'zod';
import { CountryCode, Id, Isco08Code, IsicSection, IsoDate } from './primitives.ts';

export const ORGANIZATION_KINDS = ['employer', 'recruitment_agency', 'training_provider', 'partnership_admin'] as const;
export type OrganizationKind = (typeof ORGANIZATION_KINDS)[number];

export const OrganizationInput = z.object({
  name: z.string().min(1).max(200),
  kind: z.enum(ORGANIZATION_KINDS),
  country: CountryCode,
});
export const Organization = OrganizationInput.extend({ id: Id, createdAt: z.string() });
export type Organization = z.infer<typeof Organization>;

/**
 * Roles a key can carry. An organization key's role defaults to its organization's kind;
 * `readonly` keys can read their tenant's data but not write. `trainee` keys belong to one trainee.
 */
export const API_KEY_ROLES = [...ORGANIZATION_KINDS, 'readonly', 'trainee', 'platform_admin'] as const;
export type ApiKeyRole = (typeof API_KEY_ROLES)[number];
export const ApiKeyInput = z.object({
  role: z.enum(['employer', 'recruitment_agency', 'training_provider', 'partnership_admin', 'readonly']).optional(),
  label: z.string().max(100).optional(),
});

export const MandateInput = z.object({ employerId: Id });

export const PARTNERSHIP_MODELS = ['traditional', 'global_skills_partnership'] as const;
export const PartnershipInput = z.object({
  name: z.string().min(1).max(200),
  origin: CountryCode,
  destination: CountryCode,
  sectors: z.array(IsicSection).min(1).max(21),
  occupations: z.array(Isco08Code).max(50).default([]),
  model: z.enum(PARTNERSHIP_MODELS),
  governmentToGovernment: z.boolean().default(false),
  members: z
    .array(z.object({ organizationId: Id, role: z.enum(['employer', 'recruitment_agency', 'training_provider']) }))
    .max(200)
    .default([]),
});
export type PartnershipInput = z.infer<typeof PartnershipInput>;

export const CohortInput = z.object({
  name: z.string().min(1).max(64),
  startDate: IsoDate,
  tracks: z
    .array(z.enum(['home', 'away']))
    .min(1)
    .max(2),
});
