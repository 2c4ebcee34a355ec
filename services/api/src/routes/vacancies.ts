import {
  type Database,
  organizationsRepository,
  outboxRepository,
  partnershipsRepository,
  vacanciesRepository,
  vacancyWrite,
} from '@corridor/db';
import {
  type Actor,
  CountryCode,
  Isco08Code,
  IsicSection,
  PageQuery,
  READ_ROLES,
  VACANCY_STATUSES,
  VacancyInput,
  VacancyPatch,
  WRITE_ROLES,
} from '@corridor/domain';
import { type FieldError, importVacancies, workerFeesError } from '@corridor/ingest';
import type { FastifyInstance, FastifyRequest } from 'fastify';
import type { ZodTypeProvider } from 'fastify-type-provider-zod';
import { z } from 'zod';
import {
  BulkReport,
  IdParams,
  isUuid,
  VacancyView,
  vacancyInputOf,
  vacancyView,
  writeErrors,
} from '../modules/views.ts';
import { requireActor, requireRole } from '../plugins/auth.ts';
import { conflict, notFound, unprocessable, validationFailed } from '../problems.ts';
import { bulkBody, bulkFormatOf } from './bulk.ts';

/** Who a vacancy is for: an employer posts its own; an agency or an admin names an employer. */
function employerResolver(database: Database, actor: Actor) {
  return async (employerId: string | undefined): Promise<string | FieldError> => {
    if (actor.type === 'organization' && actor.organizationKind === 'employer') {
      if (employerId !== undefined && employerId !== actor.organizationId) {
        return { path: 'employerId', message: 'an employer posts vacancies for itself only; leave employerId out' };
      }
      return actor.organizationId;
    }
    if (!employerId) return { path: 'employerId', message: 'name the employer this vacancy is for' };
    if (!isUuid(employerId)) return { path: 'employerId', message: 'no employer you act for has this id' };
    if (actor.type === 'organization') {
      const mandated = await organizationsRepository.hasMandate(database.db, actor.organizationId, employerId);
      return mandated ? employerId : { path: 'employerId', message: 'you hold no mandate for this employer' };
    }
    const org = await organizationsRepository.findById(database.db, employerId);
    return org?.kind === 'employer'
      ? employerId
      : { path: 'employerId', message: 'no employer organization has this id' };
  };
}

export default async function vacancyRoutes(app: FastifyInstance, opts: { database: Database }) {
  const { database } = opts;
  const r = app.withTypeProvider<ZodTypeProvider>();

  async function load(req: FastifyRequest, id: string) {
    const actor = requireActor(req);
    const row = isUuid(id) ? await vacanciesRepository.findVisible(database.db, actor, id) : undefined;
    if (!row) throw notFound('vacancy');
    return { actor, row };
  }

  async function checkRules(actor: Actor, v: VacancyInput) {
    const fees = workerFeesError(v);
    if (fees) throw unprocessable([fees], 'a vacancy may not charge the worker recruitment fees');
    if (v.partnershipId) {
      const p = isUuid(v.partnershipId)
        ? await partnershipsRepository.findVisible(database.db, actor, v.partnershipId)
        : undefined;
      if (!p)
        throw unprocessable(
          [{ path: 'partnershipId', message: 'no partnership with this id that you are part of' }],
          'unknown partnership',
        );
    }
  }

  r.post(
    '/v1/vacancies',
    {
      schema: {
        tags: ['vacancies'],
        summary: 'Post a vacancy (or update the one with the same externalRef)',
        body: VacancyInput,
        response: { 200: VacancyView, 201: VacancyView, ...writeErrors },
      },
    },
    async (req, reply) => {
      const actor = requireRole(req, WRITE_ROLES.vacancies, 'post vacancies');
      await checkRules(actor, req.body);
      const employer = await employerResolver(database, actor)(req.body.employerId);
      if (typeof employer !== 'string')
        throw unprocessable([employer], 'the vacancy cannot be posted for this employer');
      const createdBy = actor.type === 'organization' ? actor.organizationId : employer;
      const outcome = await database.db.transaction().execute(async (trx) => {
        const [written] = await vacanciesRepository.upsertMany(
          trx,
          createdBy,
          [{ ...vacancyWrite(req.body), employer_id: employer }],
          'api',
        );
        if (written) return { id: written.id, created: written.change === 'created' };
        const existing = await vacanciesRepository.findByExternalRef(trx, employer, req.body.externalRef!);
        return { id: existing!.id, created: false };
      });
      const row = await vacanciesRepository.findVisible(database.db, actor, outcome.id);
      return reply.code(outcome.created ? 201 : 200).send(vacancyView(row!));
    },
  );

  r.get(
    '/v1/vacancies',
    {
      schema: {
        tags: ['vacancies'],
        summary: 'List vacancies the caller may see',
        querystring: PageQuery.extend({
          status: z.enum(VACANCY_STATUSES).optional(),
          destination: CountryCode.optional(),
          sector: IsicSection.optional(),
          isco08: Isco08Code.optional(),
        }),
        response: { 200: z.object({ items: z.array(VacancyView), nextCursor: z.string().nullable() }), ...writeErrors },
      },
    },
    async (req) => {
      const actor = requireRole(req, READ_ROLES.vacancies, 'list vacancies');
      const { limit, cursor, ...filter } = req.query;
      const page = await vacanciesRepository.list(database.db, actor, filter, { limit, cursor });
      return { items: page.items.map(vacancyView), nextCursor: page.nextCursor };
    },
  );

  r.get(
    '/v1/vacancies/:id',
    {
      schema: {
        tags: ['vacancies'],
        summary: 'One vacancy',
        params: IdParams,
        response: { 200: VacancyView, ...writeErrors },
      },
    },
    async (req) => {
      requireRole(req, READ_ROLES.vacancies, 'read vacancies');
      return vacancyView((await load(req, req.params.id)).row);
    },
  );

  r.patch(
    '/v1/vacancies/:id',
    {
      schema: {
        tags: ['vacancies'],
        summary: 'Change a vacancy, e.g. its status (open, paused, filled, closed)',
        params: IdParams,
        body: VacancyPatch,
        response: { 200: VacancyView, ...writeErrors },
      },
    },
    async (req) => {
      requireRole(req, WRITE_ROLES.vacancies, 'change vacancies');
      const { actor, row } = await load(req, req.params.id);
      const merged = VacancyInput.safeParse({ ...vacancyInputOf(row), ...req.body });
      if (!merged.success)
        throw validationFailed(merged.error.issues.map((i) => ({ path: i.path.join('.'), message: i.message })));
      await checkRules(actor, merged.data);
      const updated = await database.db.transaction().execute(async (trx) => {
        const written = await vacanciesRepository.update(trx, row.id, vacancyWrite(merged.data, row.id), row.version);
        if (!written) throw conflict('the vacancy changed while this request was processed; retry');
        await outboxRepository.append(trx, [
          {
            type: 'vacancy.updated',
            aggregateType: 'vacancy',
            aggregateId: row.id,
            payload: { vacancyId: row.id, fields: Object.keys(req.body) },
          },
        ]);
        return written;
      });
      return vacancyView(updated);
    },
  );

  r.post(
    '/v1/vacancies/bulk',
    {
      config: { idempotency: false },
      schema: {
        tags: ['vacancies'],
        summary: 'Bulk post vacancies from JSON Lines (application/x-ndjson) or CSV (text/csv)',
        description:
          "As /v1/trainees/bulk. An agency names each row's employerId (one it holds a mandate for). Rows that charge workers fees are rejected.",
        body: bulkBody,
        response: { 200: BulkReport, ...writeErrors, 413: writeErrors[400], 415: writeErrors[400] },
      },
    },
    async (req) => {
      const actor = requireRole(req, WRITE_ROLES.vacancies, 'import vacancies');
      if (actor.type !== 'organization')
        throw validationFailed([
          { path: 'authorization', message: "use the employer's or agency's key for bulk posting" },
        ]);
      const format = bulkFormatOf(req);
      return importVacancies(database, actor, employerResolver(database, actor), req.raw, {
        format,
        limits: { maxBytes: app.bulkMaxBytes },
      });
    },
  );
}
