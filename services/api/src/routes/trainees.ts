import { randomUUID } from 'node:crypto';
import {
  apiKeysRepository,
  createTraineeWriteBatcher,
  type Database,
  eraseTraineeNotifications,
  idempotencyRepository,
  outboxRepository,
  partnershipsRepository,
  roundListsRepository,
  roundRankingsRepository,
  traineesRepository,
  traineeWrite,
} from '@corridor/db';
import {
  type Actor,
  Isco08Code,
  PageQuery,
  READ_ROLES,
  TraineePatch,
  TraineeProfile,
  WRITE_ROLES,
} from '@corridor/domain';
import { importTrainees } from '@corridor/ingest';
import type { FastifyInstance, FastifyRequest } from 'fastify';
import type { ZodTypeProvider } from 'fastify-type-provider-zod';
import { z } from 'zod';
import {
  BulkReport,
  IdParams,
  isUuid,
  TraineeView,
  traineeProfileOf,
  traineeView,
  writeErrors,
} from '../modules/views.ts';
import { issueKey, requireActor, requireRole } from '../plugins/auth.ts';
import { conflict, forbidden, notFound, unprocessable, validationFailed } from '../problems.ts';
import { bulkBody, bulkFormatOf } from './bulk.ts';

const TRAINEE_WRITERS = WRITE_ROLES.trainees;

/** The organization a new trainee record belongs to: the caller's own. */
function ownerOf(actor: Actor): string {
  if (actor.type !== 'organization')
    throw forbidden("trainee records belong to an organization: use that organization's key");
  return actor.organizationId;
}

async function checkPartnership(database: Database, actor: Actor, profile: TraineeProfile) {
  const id = profile.programme?.partnershipId;
  if (!id) return;
  const found = isUuid(id) ? await partnershipsRepository.findVisible(database.db, actor, id) : undefined;
  if (!found)
    throw unprocessable(
      [{ path: 'programme.partnershipId', message: 'no partnership with this id that you are part of' }],
      'unknown partnership',
    );
}

export default async function traineeRoutes(app: FastifyInstance, opts: { database: Database }) {
  const { database } = opts;
  const r = app.withTypeProvider<ZodTypeProvider>();
  // Concurrent single writes share statements and commits (see createTraineeWriteBatcher).
  const writes = createTraineeWriteBatcher(database.db);

  async function load(req: FastifyRequest, id: string) {
    const actor = requireActor(req);
    const row = isUuid(id) ? await traineesRepository.findVisible(database.db, actor, id) : undefined;
    if (!row) throw notFound('trainee');
    return { actor, row };
  }

  r.post(
    '/v1/trainees',
    {
      schema: {
        tags: ['trainees'],
        summary: 'Create a trainee, or update the one with the same externalRef',
        body: TraineeProfile,
        response: { 200: TraineeView, 201: TraineeView, ...writeErrors },
      },
    },
    async (req, reply) => {
      const actor = requireRole(req, TRAINEE_WRITERS, 'create trainees');
      const owner = ownerOf(actor);
      await checkPartnership(database, actor, req.body);
      const written = await writes.upsert(owner, traineeWrite(req.body));
      if (written) return reply.code(written.change === 'created' ? 201 : 200).send(traineeView(written.trainee));
      // Same externalRef, same content: nothing was written; answer with what is stored.
      const existing = await traineesRepository.findByExternalRef(database.db, owner, req.body.externalRef!);
      return reply.code(200).send(traineeView(existing!));
    },
  );

  r.get(
    '/v1/trainees',
    {
      schema: {
        tags: ['trainees'],
        summary: "List the caller's trainees",
        querystring: PageQuery.extend({
          cohort: z.string().max(64).optional(),
          track: z.enum(['home', 'away', 'undecided']).optional(),
          isco08: Isco08Code.optional(),
          externalRef: z.string().max(128).optional(),
        }),
        response: { 200: z.object({ items: z.array(TraineeView), nextCursor: z.string().nullable() }), ...writeErrors },
      },
    },
    async (req) => {
      const actor = requireRole(req, [...READ_ROLES.trainees, 'trainee'], 'list trainees');
      const { limit, cursor, ...filter } = req.query;
      const page = await traineesRepository.list(database.db, actor, filter, { limit, cursor });
      return { items: page.items.map(traineeView), nextCursor: page.nextCursor };
    },
  );

  r.get(
    '/v1/trainees/:id',
    {
      schema: {
        tags: ['trainees'],
        summary: 'One trainee',
        params: IdParams,
        response: { 200: TraineeView, ...writeErrors },
      },
    },
    async (req) => {
      requireRole(req, [...READ_ROLES.trainees, 'trainee'], 'read trainees');
      const { row } = await load(req, req.params.id);
      return traineeView(row);
    },
  );

  r.patch(
    '/v1/trainees/:id',
    {
      schema: {
        tags: ['trainees'],
        summary: 'Change a trainee; arrays replace whole',
        params: IdParams,
        body: TraineePatch,
        headers: z.object({ 'if-match': z.string().optional() }).loose(),
        response: { 200: TraineeView, ...writeErrors },
      },
    },
    async (req) => {
      requireRole(req, [...TRAINEE_WRITERS, 'trainee'], 'change trainees');
      const { actor, row } = await load(req, req.params.id);
      const ifMatch = req.headers['if-match'];
      if (ifMatch !== undefined && ifMatch.replaceAll('"', '') !== String(row.version)) {
        throw conflict(`the trainee changed since version ${ifMatch}; it is now at version ${row.version}`);
      }
      const merged = TraineeProfile.safeParse({ ...traineeProfileOf(row), ...req.body });
      if (!merged.success) {
        throw validationFailed(merged.error.issues.map((i) => ({ path: i.path.join('.'), message: i.message })));
      }
      if (merged.data.externalRef !== (row.external_ref ?? undefined) && actor.type === 'trainee') {
        throw forbidden('a trainee cannot change the externalRef their organization uses');
      }
      await checkPartnership(database, actor, merged.data);
      const updated = await database.db.transaction().execute(async (trx) => {
        const written = await traineesRepository.update(trx, row.id, traineeWrite(merged.data, row.id), row.version);
        if (!written) throw conflict('the trainee changed while this request was processed; retry');
        await outboxRepository.append(trx, [
          {
            type: 'trainee.updated',
            aggregateType: 'trainee',
            aggregateId: row.id,
            payload: { traineeId: row.id, fields: Object.keys(req.body) },
          },
        ]);
        return written;
      });
      return traineeView(updated);
    },
  );

  r.delete(
    '/v1/trainees/:id',
    {
      schema: {
        tags: ['trainees'],
        summary: 'Erase a trainee: personal data is deleted; anonymous outcome statistics stay',
        params: IdParams,
        response: { 204: z.null(), ...writeErrors },
      },
    },
    async (req, reply) => {
      requireRole(req, [...TRAINEE_WRITERS, 'trainee'], 'erase trainees');
      const { row } = await load(req, req.params.id);
      await database.db.transaction().execute(async (trx) => {
        await traineesRepository.erase(trx, row.id);
        await apiKeysRepository.deleteForTrainee(trx, row.id);
        await idempotencyRepository.deleteForTrainee(trx, row.id);
        await eraseTraineeNotifications(trx, row.id);
        await roundRankingsRepository.deleteTraineePreferences(trx, row.id);
        await roundListsRepository.deleteForTrainee(trx, row.id);
        await outboxRepository.append(trx, [
          { type: 'trainee.erased', aggregateType: 'trainee', aggregateId: row.id, payload: { traineeId: row.id } },
        ]);
      });
      app.forgetKeys((a) => a.type === 'trainee' && a.traineeId === row.id);
      return reply.code(204).send(null);
    },
  );

  r.post(
    '/v1/trainees/:id/access-key',
    {
      schema: {
        tags: ['trainees'],
        summary: 'Issue a trainee-scoped key for the trainee portal (shown once)',
        params: IdParams,
        response: { 201: z.object({ key: z.string(), id: z.string() }), ...writeErrors },
      },
    },
    async (req, reply) => {
      requireRole(req, TRAINEE_WRITERS, 'issue trainee keys');
      const { row } = await load(req, req.params.id);
      const issued = issueKey();
      const stored = await apiKeysRepository.create(database.db, {
        id: randomUUID(),
        lookup: issued.lookup,
        hash: issued.hash,
        role: 'trainee',
        traineeId: row.id,
      });
      return reply.code(201).send({ id: stored.id, key: issued.key });
    },
  );

  r.post(
    '/v1/trainees/bulk',
    {
      config: { idempotency: false },
      schema: {
        tags: ['trainees'],
        summary: 'Bulk create or update trainees from JSON Lines (application/x-ndjson) or CSV (text/csv)',
        description:
          'Streams the file in one transaction. Valid rows are stored; each rejected row is reported with its line (from 1, header not counted) and field errors. Re-posting the same file changes nothing (rows are matched by externalRef). A file that is too large or cut short is refused whole.',
        body: bulkBody,
        response: { 200: BulkReport, ...writeErrors, 413: writeErrors[400], 415: writeErrors[400] },
      },
    },
    async (req) => {
      const actor = requireRole(req, TRAINEE_WRITERS, 'import trainees');
      const owner = ownerOf(actor);
      const format = bulkFormatOf(req);
      return importTrainees(database, owner, req.raw, { format, limits: { maxBytes: app.bulkMaxBytes } });
    },
  );
}
