import type { ApiKeyRole, OrganizationKind } from './organization.ts';

/** Who is asking. Every read and write is scoped by the actor; the API derives it from the bearer key. */
export type Actor =
  | { type: 'platform_admin' }
  | {
      type: 'organization';
      organizationId: string;
      organizationKind: OrganizationKind;
      role: ApiKeyRole;
      keyId: string;
    }
  | { type: 'trainee'; traineeId: string; keyId: string };

/** Roles allowed to write each resource; others get 403. Reads follow tenancy (another tenant's object is 404). */
export const WRITE_ROLES = {
  vacancies: ['employer', 'recruitment_agency'],
  trainees: ['training_provider', 'recruitment_agency', 'partnership_admin'],
  partnerships: ['partnership_admin'],
  mandates: ['recruitment_agency'],
} as const satisfies Record<string, readonly ApiKeyRole[]>;

export const READ_ROLES = {
  vacancies: ['employer', 'recruitment_agency', 'partnership_admin', 'readonly'],
  trainees: ['training_provider', 'recruitment_agency', 'partnership_admin', 'readonly'],
  partnerships: ['partnership_admin', 'employer', 'recruitment_agency', 'training_provider', 'readonly'],
} as const satisfies Record<string, readonly ApiKeyRole[]>;
