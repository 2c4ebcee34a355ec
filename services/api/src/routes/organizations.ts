import { randomUUID } from 'node:crypto';
import { apiKeysRepository, type Database, organizationsRepository } from '@corridor/db';
import { ApiKeyInput, MandateInput, Organization, OrganizationInput } from '@corridor/domain';
import type { FastifyInstance } from 'fastify';
import type { ZodTypeProvider } from 'fastify-type-provider-zod';
import { z } from 'zod';
import { IdParams, isUuid, writeErrors } from '../modules/views.ts';
import { issueKey, requireActor, requireAdmin } from '../plugins/auth.ts';
import { forbidden, notFound, unprocessable } from '../problems.ts';

const organizationView = (o: {
  id: string;
  name: string;
  kind: Organization['kind'];
  country: string;
  created_at: Date;
}) => ({
  id: o.id,
  name: o.name,
  kind: o.kind,
  country: o.country,
  createdAt: o.created_at.toISOString(),
});

/** An organization's own key may read it; a platform admin may read any. Others: 404. */
function canSee(actor: ReturnType<typeof requireActor>, id: string) {
  return actor.type === 'platform_admin' || (actor.type === 'organization' && actor.organizationId === id);
}

export default async function organizationRoutes(app: FastifyInstance, opts: { database: Database }) {
  const { database } = opts;
  const r = app.withTypeProvider<ZodTypeProvider>();

  r.post(
    '/v1/organizations',
    {
      schema: {
        tags: ['organizations'],
        summary: 'Register an organization (platform admin)',
        body: OrganizationInput,
        response: { 201: Organization, ...writeErrors },
      },
    },
    async (req, reply) => {
      requireAdmin(req, 'register organizations');
      const org = await organizationsRepository.create(database.db, req.body);
      return reply.code(201).send(organizationView(org));
    },
  );

  r.get(
    '/v1/organizations/:id',
    {
      schema: {
        tags: ['organizations'],
        summary: 'One organization',
        params: IdParams,
        response: { 200: Organization, ...writeErrors },
      },
    },
    async (req) => {
      const actor = requireActor(req);
      const org =
        isUuid(req.params.id) && canSee(actor, req.params.id)
          ? await organizationsRepository.findById(database.db, req.params.id)
          : undefined;
      if (!org) throw notFound('organization');
      return organizationView(org);
    },
  );

  r.post(
    '/v1/organizations/:id/api-keys',
    {
      schema: {
        tags: ['organizations'],
        summary: 'Issue an API key for an organization (shown once, stored hashed)',
        description:
          "The role defaults to the organization's kind; `readonly` keys can read but not write. An organization may issue further keys for itself.",
        params: IdParams,
        body: ApiKeyInput.default({}),
        response: { 201: z.object({ id: z.string(), key: z.string(), role: z.string() }), ...writeErrors },
      },
    },
    async (req, reply) => {
      const actor = requireActor(req);
      const org =
        isUuid(req.params.id) && canSee(actor, req.params.id)
          ? await organizationsRepository.findById(database.db, req.params.id)
          : undefined;
      if (!org) throw notFound('organization');
      if (actor.type === 'organization' && actor.role === 'readonly')
        throw forbidden('a readonly key cannot issue keys');
      const role = req.body.role ?? org.kind;
      if (role !== org.kind && role !== 'readonly') {
        throw unprocessable(
          [{ path: 'role', message: `a ${org.kind} organization's keys are ${org.kind} or readonly` }],
          'role does not fit the organization',
        );
      }
      const issued = issueKey();
      const stored = await apiKeysRepository.create(database.db, {
        id: randomUUID(),
        lookup: issued.lookup,
        hash: issued.hash,
        role,
        organizationId: org.id,
        ...(req.body.label ? { label: req.body.label } : {}),
      });
      return reply.code(201).send({ id: stored.id, key: issued.key, role });
    },
  );

  r.post(
    '/v1/organizations/:id/mandates',
    {
      schema: {
        tags: ['organizations'],
        summary: 'Record that an agency may act for an employer (platform admin, or the employer itself)',
        params: IdParams,
        body: MandateInput,
        response: { 201: z.object({ agencyId: z.string(), employerId: z.string() }), ...writeErrors },
      },
    },
    async (req, reply) => {
      const actor = requireActor(req);
      const { employerId } = req.body;
      // The employer grants the mandate; an agency cannot grant itself one.
      if (
        actor.type !== 'platform_admin' &&
        !(actor.type === 'organization' && actor.organizationId === employerId && actor.role === 'employer')
      ) {
        throw forbidden('only the employer (or a platform admin) can grant an agency a mandate');
      }
      const agency = isUuid(req.params.id)
        ? await organizationsRepository.findById(database.db, req.params.id)
        : undefined;
      if (agency?.kind !== 'recruitment_agency') throw notFound('recruitment agency');
      const employer = isUuid(employerId) ? await organizationsRepository.findById(database.db, employerId) : undefined;
      if (employer?.kind !== 'employer') {
        throw unprocessable(
          [{ path: 'employerId', message: 'no employer organization has this id' }],
          'unknown employer',
        );
      }
      await organizationsRepository.addMandate(database.db, agency.id, employer.id);
      return reply.code(201).send({ agencyId: agency.id, employerId: employer.id });
    },
  );

  r.get(
    '/v1/organizations/:id/mandates',
    {
      schema: {
        tags: ['organizations'],
        summary: 'The employers an agency holds mandates for',
        params: IdParams,
        response: {
          200: z.object({
            items: z.array(z.object({ employerId: z.string(), name: z.string(), country: z.string() })),
          }),
          ...writeErrors,
        },
      },
    },
    async (req) => {
      const actor = requireActor(req);
      if (!isUuid(req.params.id) || !canSee(actor, req.params.id)) throw notFound('organization');
      const rows = await organizationsRepository.listMandates(database.db, req.params.id);
      return { items: rows.map((m) => ({ employerId: m.id, name: m.name, country: m.country })) };
    },
  );
}
