import { type Database, organizationsRepository, partnershipsRepository } from '@corridor/db';
import { CohortInput, PartnershipInput, READ_ROLES, WRITE_ROLES } from '@corridor/domain';
import type { FastifyInstance, FastifyRequest } from 'fastify';
import type { ZodTypeProvider } from 'fastify-type-provider-zod';
import { z } from 'zod';
import { IdParams, isUuid, writeErrors } from '../modules/views.ts';
import { requireRole } from '../plugins/auth.ts';
import { conflict, forbidden, notFound, unprocessable } from '../problems.ts';

const CohortView = z.object({ id: z.string(), name: z.string(), startDate: z.string(), tracks: z.array(z.string()) });
const PartnershipView = PartnershipInput.extend({
  id: z.string(),
  adminOrganizationId: z.string().nullable(),
  cohorts: z.array(CohortView),
  createdAt: z.string(),
});

export default async function partnershipRoutes(app: FastifyInstance, opts: { database: Database }) {
  const { database } = opts;
  const r = app.withTypeProvider<ZodTypeProvider>();

  async function view(id: string) {
    const p = await database.db.selectFrom('partnerships').selectAll().where('id', '=', id).executeTakeFirstOrThrow();
    const [members, cohorts] = await Promise.all([
      partnershipsRepository.members(database.db, id),
      partnershipsRepository.cohorts(database.db, id),
    ]);
    return {
      id: p.id,
      name: p.name,
      origin: p.origin,
      destination: p.destination,
      sectors: p.sectors as z.infer<typeof PartnershipInput>['sectors'],
      occupations: p.occupations,
      model: p.model,
      governmentToGovernment: p.government_to_government,
      members: members.map((m) => ({ organizationId: m.organization_id, role: m.role })),
      adminOrganizationId: p.admin_org_id,
      cohorts: cohorts.map((c) => ({ id: c.id, name: c.name, startDate: c.start_date, tracks: c.tracks })),
      createdAt: p.created_at.toISOString(),
    };
  }

  async function load(
    req: FastifyRequest,
    id: string,
    roles: readonly Parameters<typeof requireRole>[1][number][],
    action: string,
  ) {
    const actor = requireRole(req, roles, action);
    const p = isUuid(id) ? await partnershipsRepository.findVisible(database.db, actor, id) : undefined;
    if (!p) throw notFound('partnership');
    return { actor, p };
  }

  r.post(
    '/v1/partnerships',
    {
      schema: {
        tags: ['partnerships'],
        summary: 'Create a skills partnership',
        body: PartnershipInput,
        response: { 201: PartnershipView, ...writeErrors },
      },
    },
    async (req, reply) => {
      const actor = requireRole(req, WRITE_ROLES.partnerships, 'create partnerships');
      for (const [i, m] of req.body.members.entries()) {
        const org = isUuid(m.organizationId)
          ? await organizationsRepository.findById(database.db, m.organizationId)
          : undefined;
        if (!org || org.kind !== m.role) {
          throw unprocessable(
            [{ path: `members.${i}.organizationId`, message: `no ${m.role} organization has this id` }],
            'unknown member',
          );
        }
      }
      const created = await database.db
        .transaction()
        .execute((trx) =>
          partnershipsRepository.create(trx, req.body, actor.type === 'organization' ? actor.organizationId : null),
        );
      return reply.code(201).send(await view(created.id));
    },
  );

  r.get(
    '/v1/partnerships/:id',
    {
      schema: {
        tags: ['partnerships'],
        summary: 'One partnership, with members and cohorts',
        params: IdParams,
        response: { 200: PartnershipView, ...writeErrors },
      },
    },
    async (req) => {
      const { p } = await load(req, req.params.id, READ_ROLES.partnerships, 'read partnerships');
      return view(p.id);
    },
  );

  r.post(
    '/v1/partnerships/:id/cohorts',
    {
      schema: {
        tags: ['partnerships'],
        summary: 'Add a cohort',
        params: IdParams,
        body: CohortInput,
        response: { 201: CohortView, ...writeErrors },
      },
    },
    async (req, reply) => {
      const { actor, p } = await load(req, req.params.id, WRITE_ROLES.partnerships, 'add cohorts');
      if (actor.type === 'organization' && p.admin_org_id !== actor.organizationId)
        throw forbidden("only the partnership's admin can add cohorts");
      const cohort = await partnershipsRepository.addCohort(database.db, p.id, req.body);
      if (!cohort) throw conflict(`a cohort named ${req.body.name} already exists in this partnership`);
      return reply
        .code(201)
        .send({ id: cohort.id, name: cohort.name, startDate: cohort.start_date, tracks: cohort.tracks });
    },
  );
}
