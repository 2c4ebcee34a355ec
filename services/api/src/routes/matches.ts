import {
  type Database,
  PLACEMENT_STATUSES,
  type PlacementStatus,
  placementsRepository,
  traineesRepository,
  vacanciesRepository,
} from '@corridor/db';
import { PageQuery, READ_ROLES } from '@corridor/domain';
import type { RuleBookSource } from '@corridor/evaluation';
import { closedPathways } from '@corridor/jobs';
import type { FastifyInstance } from 'fastify';
import type { ZodTypeProvider } from 'fastify-type-provider-zod';
import { z } from 'zod';
import { IdParams, isUuid, writeErrors } from '../modules/views.ts';
import { requireRole } from '../plugins/auth.ts';
import { notFound } from '../problems.ts';
import {
  BreakdownItemView,
  contactReleased,
  MatchProfileView,
  matchProfile,
  mayIdentify,
  PlacementPathwayView,
  sidesOf,
  todayUtc,
} from './placements.ts';

const MatchItem = z.object({
  placementId: z.string(),
  traineeId: z.string(),
  status: z.enum(PLACEMENT_STATUSES),
  score: z.number(),
  rank: z.number().int().nullable(),
  belowSkill: z.boolean(),
  breakdown: z.array(BreakdownItemView),
  pathways: z.array(PlacementPathwayView),
  withdrawnReason: z.string().nullable(),
  profile: MatchProfileView,
});

const VacancyTermsView = z.object({
  title: z.string(),
  employerId: z.string(),
  headcount: z.number().int(),
  status: z.string(),
  sector: z.string(),
  isco08: z.string(),
  destination: z.string(),
  region: z.string().optional(),
  startDate: z.string().optional(),
  salary: z.object({ amount: z.number(), currency: z.string(), period: z.string() }).optional(),
  hoursPerWeek: z.number().optional(),
  contract: z.object({ type: z.string(), months: z.number().optional() }).optional(),
  sponsor: z.boolean().optional(),
  pathways: z.array(z.string()),
  requirements: z.record(z.string(), z.unknown()),
  costSharing: z.object({
    employerPaysTraining: z.boolean(),
    employerPaysTravel: z.boolean(),
    employerPaysVisa: z.boolean(),
    workerFees: z.number(),
  }),
});
const TraineeMatchItem = MatchItem.extend({ vacancyId: z.string(), vacancy: VacancyTermsView });

/** Withdrawn and declined pairs are history, not candidates: listed only when asked for by status. */
const CLOSED: PlacementStatus[] = ['withdrawn', 'declined'];
const MatchQuery = PageQuery.extend({
  status: z
    .string()
    .max(300)
    .transform((s) => s.split(',').filter(Boolean))
    .pipe(z.array(z.enum(PLACEMENT_STATUSES)))
    .optional(),
});

const ClosedPathwayView = z.object({
  pathwayId: z.string(),
  pathwayVersion: z.string(),
  criterionId: z.string(),
  outcome: z.enum(['unmet', 'unknown']),
  detail: z.string(),
});

export default async function matchRoutes(
  app: FastifyInstance,
  opts: { database: Database; ruleBooks: RuleBookSource },
) {
  const { database, ruleBooks } = opts;
  const r = app.withTypeProvider<ZodTypeProvider>();

  r.get(
    '/v1/vacancies/:id/matches',
    {
      schema: {
        tags: ['matching'],
        summary: "A vacancy's ranked candidate placements, best first",
        description:
          "Each item carries its score, the named score components and the pathways used. `profile` is pseudonymised (a stable pseudonym and an age band, no names, email or date of birth) until the trainee consents to share it or accepts the placement. Withdrawn and declined pairs are listed only with `?status=withdrawn,declined`. `closedPathways` lists the pathways the vacancy's own offer closes to every candidate as of its start date (a salary under the threshold in force, an occupation the pathway's list does not place), with the criterion and a sentence: nobody is proposed through them until the offer changes.",
        params: IdParams,
        querystring: MatchQuery,
        response: {
          200: z.object({
            items: z.array(MatchItem),
            nextCursor: z.string().nullable(),
            closedPathways: z.array(ClosedPathwayView),
          }),
          ...writeErrors,
        },
      },
    },
    async (req) => {
      const actor = requireRole(req, READ_ROLES.vacancies, 'read matches');
      const vacancy = isUuid(req.params.id)
        ? await vacanciesRepository.findVisible(database.db, actor, req.params.id)
        : undefined;
      if (!vacancy) throw notFound('vacancy');
      const { limit, cursor, status } = req.query;
      const page = await placementsRepository.listForVacancy(
        database.db,
        vacancy.id,
        status ? { statuses: status } : { excludeStatuses: CLOSED },
        { limit, cursor },
      );
      const on = vacancy.start_date ?? todayUtc();
      return {
        items: page.items.map((p) => ({
          placementId: p.id,
          traineeId: p.trainee_id,
          status: p.status,
          score: p.score,
          rank: p.rank,
          belowSkill: p.below_skill,
          breakdown: p.breakdown,
          pathways: p.pathways,
          withdrawnReason: p.withdrawn_reason,
          profile: matchProfile(p, mayIdentify(p), on, contactReleased(p)),
        })),
        nextCursor: page.nextCursor,
        closedPathways: closedPathways(await ruleBooks.current(), vacancy),
      };
    },
  );

  r.get(
    '/v1/trainees/:id/matches',
    {
      schema: {
        tags: ['matching'],
        summary: "A trainee's candidate placements, best first, with each vacancy's terms",
        params: IdParams,
        querystring: MatchQuery,
        response: {
          200: z.object({ items: z.array(TraineeMatchItem), nextCursor: z.string().nullable() }),
          ...writeErrors,
        },
      },
    },
    async (req) => {
      const actor = requireRole(req, [...READ_ROLES.trainees, 'trainee'], 'read matches');
      const trainee = isUuid(req.params.id)
        ? await traineesRepository.findVisible(database.db, actor, req.params.id)
        : undefined;
      if (!trainee) throw notFound('trainee');
      const { limit, cursor, status } = req.query;
      const page = await placementsRepository.listForTrainee(
        database.db,
        trainee.id,
        status ? { statuses: status } : { excludeStatuses: CLOSED },
        { limit, cursor },
      );
      return {
        items: page.items.map((p) => {
          const t = p.terms;
          // The trainee's own side sees their own data; a partnership admin reading it sees the pseudonymised view.
          const own = sidesOf(actor, { ...p, visible_via_vacancy: false }).includes('trainee');
          return {
            placementId: p.id,
            traineeId: p.trainee_id,
            vacancyId: p.vacancy_id,
            status: p.status,
            score: p.score,
            rank: p.rank,
            belowSkill: p.below_skill,
            breakdown: p.breakdown,
            pathways: p.pathways,
            withdrawnReason: p.withdrawn_reason,
            profile: matchProfile(p, own || mayIdentify(p), p.start_date ?? todayUtc()),
            vacancy: {
              title: p.title,
              employerId: p.employer_id,
              headcount: p.headcount,
              status: p.vacancy_status,
              sector: p.sector.trim(),
              isco08: p.vacancy_isco08.trim(),
              destination: p.destination.trim(),
              ...(p.region ? { region: p.region } : {}),
              ...(p.start_date ? { startDate: p.start_date } : {}),
              ...(t.salary ? { salary: t.salary } : {}),
              ...(t.hoursPerWeek !== undefined ? { hoursPerWeek: t.hoursPerWeek } : {}),
              ...(t.contract ? { contract: t.contract } : {}),
              ...(t.sponsor !== undefined ? { sponsor: t.sponsor } : {}),
              pathways: p.vacancy_pathways,
              requirements: p.requirements as Record<string, unknown>,
              costSharing: p.cost_sharing,
            },
          };
        }),
        nextCursor: page.nextCursor,
      };
    },
  );
}
