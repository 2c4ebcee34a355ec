import { type Database, roundRankingsRepository, traineesRepository, vacanciesRepository } from '@corridor/db';
import { WRITE_ROLES } from '@corridor/domain';
import { ROUND_LIST_LENGTH } from '@corridor/jobs';
import type { FastifyInstance, FastifyRequest } from 'fastify';
import type { ZodTypeProvider } from 'fastify-type-provider-zod';
import { z } from 'zod';
import { IdParams, isUuid, writeErrors } from '../modules/views.ts';
import { requireRole } from '../plugins/auth.ts';
import { notFound } from '../problems.ts';

// Stated rank lists for cohort match rounds: a trainee's own order of vacancies, an employer's own order of
// candidates for a vacancy. Without one, a round uses the engine's order (score). Either way the round checks
// every pair against the rules: a list says what its owner prefers, never who may be placed.

const uniqueIds = (what: string, max: number) =>
  z
    .array(z.uuid())
    .max(max)
    .refine((ids) => new Set(ids).size === ids.length, { message: `each ${what} at most once` });

const TraineePreferences = z.object({ vacancyIds: uniqueIds('vacancy', ROUND_LIST_LENGTH) });
const TraineePreferencesView = z.object({
  /** null: no stated list; rounds use the engine's order. */
  vacancyIds: z.array(z.string()).nullable(),
});
/** An employer may rank every candidate of a large cohort; a bound keeps one request reasonable. */
const VACANCY_RANKING_MAX = 5_000;
const VacancyRanking = z.object({ traineeIds: uniqueIds('trainee', VACANCY_RANKING_MAX) });
const VacancyRankingView = z.object({ traineeIds: z.array(z.string()).nullable() });

const TRAINEE_SIDE = [...WRITE_ROLES.trainees, 'trainee'] as const;

export default async function roundRankingRoutes(app: FastifyInstance, opts: { database: Database }) {
  const { database } = opts;
  const r = app.withTypeProvider<ZodTypeProvider>();

  async function trainee(req: FastifyRequest, id: string, action: string) {
    const actor = requireRole(req, TRAINEE_SIDE, action);
    const row = isUuid(id) ? await traineesRepository.findVisible(database.db, actor, id) : undefined;
    if (row?.status !== 'active') throw notFound('trainee');
    return row;
  }
  async function vacancy(req: FastifyRequest, id: string, action: string) {
    const actor = requireRole(req, WRITE_ROLES.vacancies, action);
    const row = isUuid(id) ? await vacanciesRepository.findVisible(database.db, actor, id) : undefined;
    if (!row) throw notFound('vacancy');
    return row;
  }

  r.get(
    '/v1/trainees/:id/round-preferences',
    {
      schema: {
        tags: ['matching'],
        summary: "The trainee's own order of vacancies for cohort match rounds (null: the engine's order)",
        params: IdParams,
        response: { 200: TraineePreferencesView, ...writeErrors },
      },
    },
    async (req) => {
      const row = await trainee(req, req.params.id, 'read round preferences');
      return { vacancyIds: (await roundRankingsRepository.traineePreferences(database.db, row.id)) ?? null };
    },
  );

  r.put(
    '/v1/trainees/:id/round-preferences',
    {
      schema: {
        tags: ['matching'],
        summary: 'State the order in which the trainee wants vacancies in cohort match rounds, best first (≤ 20)',
        description:
          "By the trainee (their own key) or an organization that manages them. A round lists these vacancies in this order, leaving out any the trainee may not take (the rules for its offer, a hard filter, a place they declined, another partnership). An empty list takes no vacancy. `DELETE` returns to the engine's order.",
        params: IdParams,
        body: TraineePreferences,
        response: { 200: TraineePreferencesView, ...writeErrors },
      },
    },
    async (req) => {
      const row = await trainee(req, req.params.id, 'state round preferences');
      await roundRankingsRepository.setTraineePreferences(database.db, row.id, req.body.vacancyIds);
      return { vacancyIds: req.body.vacancyIds };
    },
  );

  r.delete(
    '/v1/trainees/:id/round-preferences',
    {
      schema: {
        tags: ['matching'],
        summary: "Withdraw the trainee's stated order: rounds use the engine's order again",
        params: IdParams,
        response: { 204: z.null(), ...writeErrors },
      },
    },
    async (req, reply) => {
      const row = await trainee(req, req.params.id, 'withdraw round preferences');
      await roundRankingsRepository.deleteTraineePreferences(database.db, row.id);
      return reply.code(204).send(null);
    },
  );

  r.get(
    '/v1/vacancies/:id/round-ranking',
    {
      schema: {
        tags: ['matching'],
        summary: "The employer's own order of candidates for cohort match rounds (null: by score)",
        params: IdParams,
        response: { 200: VacancyRankingView, ...writeErrors },
      },
    },
    async (req) => {
      const row = await vacancy(req, req.params.id, 'read round rankings');
      return { traineeIds: (await roundRankingsRepository.vacancyRanking(database.db, row.id)) ?? null };
    },
  );

  r.put(
    '/v1/vacancies/:id/round-ranking',
    {
      schema: {
        tags: ['matching'],
        summary: "State the employer's own order of candidates for this vacancy in cohort match rounds, best first",
        description:
          'Trainee ids as the matches list shows them (pseudonymised until consent). In a round the vacancy ranks the trainees who listed it in this order, and a trainee left out is not acceptable to it, as in residency matching. Trainees the rules do not allow are never matched, ranked or not. Without a stated order the vacancy ranks by score.',
        params: IdParams,
        body: VacancyRanking,
        response: { 200: VacancyRankingView, ...writeErrors },
      },
    },
    async (req) => {
      const row = await vacancy(req, req.params.id, 'state round rankings');
      await roundRankingsRepository.setVacancyRanking(database.db, row.id, req.body.traineeIds);
      return { traineeIds: req.body.traineeIds };
    },
  );
}
