import { type Database, matchRoundsRepository, partnershipsRepository } from '@corridor/db';
import { PageQuery } from '@corridor/domain';
import type { FastifyInstance, FastifyRequest } from 'fastify';
import type { ZodTypeProvider } from 'fastify-type-provider-zod';
import { sql } from 'kysely';
import { z } from 'zod';
import { IdParams, isUuid, writeErrors } from '../modules/views.ts';
import { requireActor, requireRole } from '../plugins/auth.ts';
import { conflict, forbidden, notFound, unprocessable } from '../problems.ts';

const RoundMatch = z.object({
  traineeId: z.string(),
  vacancyId: z.string(),
  score: z.number(),
  placementId: z.string().nullable(),
});

const RoundUnfilled = z.object({
  vacancyId: z.string(),
  places: z.number().int(),
  candidates: z
    .number()
    .int()
    .optional()
    .describe(
      "Trainees of the cohort who could take the vacancy and whom it accepts (they listed it, and the employer's own order, if any, ranks them). 0: nobody in the cohort meets what it asks; more: each of them was matched to this vacancy or to one they preferred. Absent from rounds run before it was reported.",
    ),
});

const RoundUnmatched = z.object({
  traineeId: z.string(),
  options: z
    .number()
    .int()
    .nullable()
    .describe(
      'How many vacancies of the round accepted the trainee: 0, none could take them; more, each that could filled its places with people its employer ranked higher. Null for rounds run before it was recorded.',
    ),
});

const MatchRoundView = z.object({
  id: z.string(),
  partnershipId: z.string(),
  cohort: z.string(),
  status: z.enum(['queued', 'running', 'done', 'failed']),
  result: z
    .object({
      matches: z.array(RoundMatch),
      unfilled: z.array(RoundUnfilled),
      unmatchedTrainees: z.array(z.string()),
      unmatchedOptions: z
        .array(z.number().int())
        .optional()
        .describe(
          'For each unmatched trainee (same order), how many vacancies of the round accepted them. 0: no vacancy of the round could take them (each is told so, with where to look: their eligibility); more: every vacancy that could filled its places with people its employer ranked higher (each is told that too). Absent from rounds run before it was reported.',
        ),
      stats: z.object({
        trainees: z.number().int(),
        vacancies: z.number().int(),
        places: z.number().int(),
        eligiblePairs: z
          .number()
          .int()
          .describe(
            "Pairs ranked: the entries of every trainee's list (each a vacancy with a place left that the trainee may take).",
          ),
        proposals: z.number().int().describe('Proposals made during deferred acceptance.'),
        traineesWithoutOptions: z
          .number()
          .int()
          .optional()
          .describe(
            'Unmatched trainees whom no vacancy of the round could take (no vacancy they qualify for, or none that accepts them): no outcome of the round could have matched them. Absent from rounds run before it was reported.',
          ),
      }),
    })
    .nullable(),
  error: z.string().nullable(),
  createdAt: z.string(),
  startedAt: z.string().nullable(),
  finishedAt: z.string().nullable(),
});

export default async function matchRoundRoutes(app: FastifyInstance, opts: { database: Database }) {
  const { database } = opts;
  const r = app.withTypeProvider<ZodTypeProvider>();

  r.post(
    '/v1/partnerships/:id/match-rounds',
    {
      schema: {
        tags: ['matching'],
        summary: "Run a cohort match round over the partnership's open vacancies",
        description:
          "Trainee-proposing deferred acceptance with capacities (the vacancies' open places). Queued: poll GET /v1/match-rounds/{id}. Matched pairs are proposed as placements; people still decide.",
        params: IdParams,
        body: z.object({ cohort: z.string().min(1).max(64) }),
        response: { 202: z.object({ id: z.string(), status: z.literal('queued') }), ...writeErrors },
      },
    },
    async (req, reply) => {
      const actor = requireRole(req, ['partnership_admin'], 'run match rounds');
      const p = isUuid(req.params.id)
        ? await partnershipsRepository.findVisible(database.db, actor, req.params.id)
        : undefined;
      if (!p) throw notFound('partnership');
      if (actor.type === 'organization' && p.admin_org_id !== actor.organizationId)
        throw forbidden("only the partnership's own admin can run its match rounds");
      const cohorts = await partnershipsRepository.cohorts(database.db, p.id);
      const known =
        cohorts.some((c) => c.name === req.body.cohort) ||
        (await database.db
          .selectFrom('trainees')
          .select(sql<number>`1`.as('one'))
          .where('partnership_id', '=', p.id)
          .where('cohort', '=', req.body.cohort)
          .where('status', '=', 'active')
          .executeTakeFirst()) !== undefined;
      if (!known)
        throw unprocessable(
          [{ path: 'cohort', message: 'the partnership has no cohort of this name, and no trainee names it' }],
          'unknown cohort',
        );
      const round = await database.db.transaction().execute((trx) =>
        matchRoundsRepository.create(trx, {
          partnershipId: p.id,
          cohort: req.body.cohort,
          requestedBy: actor.type === 'organization' ? actor.organizationId : 'platform_admin',
        }),
      );
      return reply.code(202).send({ id: round.id, status: 'queued' as const });
    },
  );

  /** The round, if the caller administers its partnership (or is a platform admin); to anyone else it is not there. */
  function adminOf(req: FastifyRequest): string | null {
    const actor = requireActor(req);
    // Rounds belong to partnership admins; to anyone else one is simply not there.
    if (actor.type === 'trainee') throw notFound('match round');
    if (actor.type === 'organization' && actor.organizationKind !== 'partnership_admin') throw notFound('match round');
    return actor.type === 'organization' ? actor.organizationId : null;
  }

  r.get(
    '/v1/match-rounds/:id',
    {
      schema: {
        tags: ['matching'],
        summary: 'A match round: status, matched pairs, unfilled places and unmatched trainees',
        description:
          'The whole result in one document. For a large round, its lists can be read page by page instead: `/matches`, `/unfilled` and `/unmatched`.',
        params: IdParams,
        response: { 200: MatchRoundView, ...writeErrors },
      },
    },
    async (req) => {
      const admin = adminOf(req);
      const round = isUuid(req.params.id)
        ? await matchRoundsRepository.findForAdmin(database.db, req.params.id, admin)
        : undefined;
      if (!round) throw notFound('match round');
      return {
        id: round.id,
        partnershipId: round.partnership_id,
        cohort: round.cohort,
        status: round.status,
        result: round.result,
        error: round.error,
        createdAt: round.created_at.toISOString(),
        startedAt: round.started_at?.toISOString() ?? null,
        finishedAt: round.finished_at?.toISOString() ?? null,
      };
    },
  );

  // A finished round's lists, page by page, in the round's order (the same items as in its result).
  const lists = [
    { list: 'matches', item: RoundMatch, summary: "A finished round's matched pairs, page by page" },
    {
      list: 'unfilled',
      item: RoundUnfilled,
      summary: "A finished round's vacancies with places left, page by page",
    },
    {
      list: 'unmatched',
      item: RoundUnmatched,
      summary: "A finished round's unmatched trainees, page by page, each with how many vacancies accepted them",
    },
  ] as const;
  for (const { list, item, summary } of lists)
    r.get(
      `/v1/match-rounds/:id/${list}`,
      {
        schema: {
          tags: ['matching'],
          summary,
          description: '409 while the round has no result (queued, running or failed).',
          params: IdParams,
          querystring: PageQuery,
          response: { 200: z.object({ items: z.array(item), nextCursor: z.string().nullable() }), ...writeErrors },
        },
      },
      async (req) => {
        const admin = adminOf(req);
        const round = isUuid(req.params.id)
          ? await matchRoundsRepository.statusForAdmin(database.db, req.params.id, admin)
          : undefined;
        if (!round) throw notFound('match round');
        if (round.status !== 'done') throw conflict(`the round is ${round.status}: it has no result yet`);
        const { limit, cursor } = req.query;
        const page = await matchRoundsRepository.resultPage(database.db, round.id, list, { limit, cursor });
        return { items: page.items as z.infer<typeof item>[], nextCursor: page.nextCursor };
      },
    );
}
