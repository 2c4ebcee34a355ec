import type { DB } from '@corridor/db';
import { Id, TraineeProfile, VacancyInput } from '@corridor/domain';
import type { Selectable } from 'kysely';
import { z } from 'zod';

export const TraineeView = TraineeProfile.extend({
  id: Id,
  ownerOrganizationId: Id,
  status: z.enum(['active', 'erased']),
  version: z.number().int(),
  createdAt: z.string(),
  updatedAt: z.string(),
});
export type TraineeView = z.infer<typeof TraineeView>;

type TraineeRow = Selectable<DB['trainees']>;

export function traineeView(row: TraineeRow): TraineeView {
  return {
    ...row.profile,
    id: row.id,
    ...(row.external_ref ? { externalRef: row.external_ref } : {}),
    ...(row.given_name ? { givenName: row.given_name } : {}),
    ...(row.family_name ? { familyName: row.family_name } : {}),
    ...(row.email ? { email: row.email } : {}),
    dateOfBirth: row.date_of_birth ?? '',
    consent: { shareProfileWithEmployers: row.consent_share_profile, contactByEmail: row.consent_contact_email },
    ownerOrganizationId: row.owner_org_id,
    status: row.status,
    version: row.version,
    createdAt: row.created_at.toISOString(),
    updatedAt: row.updated_at.toISOString(),
  };
}

/** The profile as the trainee sent it, for merging a PATCH. */
export function traineeProfileOf(row: TraineeRow): z.input<typeof TraineeProfile> {
  const {
    id: _i,
    ownerOrganizationId: _o,
    status: _s,
    version: _v,
    createdAt: _c,
    updatedAt: _u,
    ...profile
  } = traineeView(row);
  return profile;
}

export const VacancyView = VacancyInput.extend({
  id: Id,
  employerId: Id,
  createdByOrganizationId: Id,
  version: z.number().int(),
  createdAt: z.string(),
  updatedAt: z.string(),
});
export type VacancyView = z.infer<typeof VacancyView>;

type VacancyRow = Selectable<DB['vacancies']>;

export function vacancyView(row: VacancyRow): VacancyView {
  const t = row.terms;
  return {
    id: row.id,
    employerId: row.employer_id,
    createdByOrganizationId: row.created_by_org_id,
    ...(row.external_ref ? { externalRef: row.external_ref } : {}),
    ...(row.partnership_id ? { partnershipId: row.partnership_id } : {}),
    title: row.title,
    headcount: row.headcount,
    status: row.status,
    sector: row.sector as VacancyView['sector'],
    isco08: row.isco08,
    destination: row.destination,
    ...(row.region ? { region: row.region } : {}),
    ...(row.start_date ? { startDate: row.start_date } : {}),
    ...(t.national ? { national: t.national } : {}),
    ...(t.salary ? { salary: t.salary } : {}),
    ...(t.hoursPerWeek !== undefined ? { hoursPerWeek: t.hoursPerWeek } : {}),
    ...(t.contract ? { contract: t.contract } : {}),
    ...(t.sponsor !== undefined ? { sponsor: t.sponsor } : {}),
    requirements: row.requirements,
    pathways: row.pathways,
    costSharing: row.cost_sharing,
    version: row.version,
    createdAt: row.created_at.toISOString(),
    updatedAt: row.updated_at.toISOString(),
  };
}

export function vacancyInputOf(row: VacancyRow): z.input<typeof VacancyInput> {
  const {
    id: _i,
    employerId: _e,
    createdByOrganizationId: _c,
    version: _v,
    createdAt: _ca,
    updatedAt: _u,
    ...input
  } = vacancyView(row);
  return input;
}

export const IdParams = z.object({ id: z.string().max(64) });
/** Ids are UUIDs; anything else cannot name a stored object, so it is simply not found (404), never a 500. */
export const isUuid = (s: string) => /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/i.test(s);

export const BulkReport = z.object({
  accepted: z.number().int(),
  created: z.number().int(),
  updated: z.number().int(),
  unchanged: z.number().int(),
  rejected: z.array(
    z.object({ line: z.number().int(), errors: z.array(z.object({ path: z.string(), message: z.string() })) }),
  ),
  rejectedCount: z.number().int(),
});

export const Problem = z
  .object({
    type: z.string(),
    title: z.string(),
    status: z.number().int(),
    detail: z.string().optional(),
    instance: z.string().optional(),
    errors: z.array(z.object({ path: z.string(), message: z.string() })).optional(),
  })
  .meta({ id: 'Problem', description: 'RFC 9457 problem details' });

/** The error answers every write can give, for the OpenAPI document. */
export const writeErrors = {
  400: Problem,
  401: Problem,
  403: Problem,
  404: Problem,
  409: Problem,
  422: Problem,
} as const;
