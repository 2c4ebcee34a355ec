import {
  type Database,
  type DomainEvent,
  decisionTransition,
  disclosuresRepository,
  matchingRepository,
  milestoneTransition,
  outboxRepository,
  PLACEMENT_MILESTONES,
  PLACEMENT_STATUSES,
  type PlacementSide,
  type PlacementStatus,
  placementsRepository,
  type StoredTraineeProfile,
  type TransitionOutcome,
} from '@corridor/db';
import { type Actor, ageBand, IsoDate, pseudonymOf, RELEASED_IDENTITY_FIELDS } from '@corridor/domain';
import type { FastifyInstance, FastifyRequest } from 'fastify';
import type { ZodTypeProvider } from 'fastify-type-provider-zod';
import { z } from 'zod';
import { IdParams, isUuid, writeErrors } from '../modules/views.ts';
import { requireActor } from '../plugins/auth.ts';
import { conflict, forbidden, notFound, unprocessable } from '../problems.ts';

// ---------------------------------------------------------------------------------------------------------------
// Views shared by the matches and placement routes.

export const BreakdownItemView = z.object({
  factor: z.string(),
  weight: z.number(),
  value: z.number(),
  detail: z.string(),
  belowSkill: z.boolean().optional(),
});
export const PlacementPathwayView = z.object({
  pathwayId: z.string(),
  status: z.enum(['eligible', 'conditionally_eligible', 'not_eligible', 'insufficient_data']),
});

/**
 * The trainee as a match shows them. Pseudonymised by default: no names, email or date of birth (an age band
 * instead), no external reference and no family details (a partner's data is someone else's). Identified only
 * once the trainee consented to share their profile or accepted this placement, or for the trainee's own side.
 * Only the fields listed here are ever serialised: the response schema strips anything else.
 */
export const MatchProfileView = z.object({
  pseudonym: z.string(),
  identified: z.boolean(),
  ageBand: z.string().nullable(),
  nationality: z.string(),
  residence: z.string().optional(),
  occupation: z.object({ isco08: z.string(), title: z.string().optional() }),
  qualifications: z.array(z.record(z.string(), z.unknown())),
  languages: z.array(z.record(z.string(), z.unknown())),
  experience: z.array(z.record(z.string(), z.unknown())),
  certifications: z.array(z.record(z.string(), z.unknown())),
  preferences: z
    .object({ destinations: z.array(z.string()).optional(), earliestStart: z.string().optional() })
    .optional(),
  givenName: z.string().optional(),
  familyName: z.string().optional(),
  email: z.string().optional(),
  dateOfBirth: z.string().optional(),
});
export type MatchProfileView = z.infer<typeof MatchProfileView>;

export { ageBand, pseudonymOf };

interface TraineeColumns {
  trainee_id: string;
  trainee_status: 'active' | 'erased';
  given_name: string | null;
  family_name: string | null;
  email: string | null;
  date_of_birth: string | null;
  nationality: string;
  residence: string | null;
  trainee_isco08: string;
  consent_share_profile: boolean;
  profile: StoredTraineeProfile;
}

/** Whether this trainee's identity may be shown on this placement (the contract's rule). */
export const mayIdentify = (row: { consent_share_profile: boolean; trainee_decision: string | null }): boolean =>
  row.consent_share_profile || row.trainee_decision === 'accepted';

/**
 * Contact details go further than identity: they are released to an employer only when the trainee accepted that
 * employer's placement (recorded in `disclosures`), not by the general consent to share a profile.
 */
export const contactReleased = (row: { trainee_decision: string | null }): boolean =>
  row.trainee_decision === 'accepted';

export function matchProfile(
  row: TraineeColumns,
  identified: boolean,
  on: string,
  withContact: boolean = identified,
): MatchProfileView {
  const p = row.profile ?? ({} as Partial<StoredTraineeProfile>);
  const show = identified && row.trainee_status === 'active';
  return {
    pseudonym: pseudonymOf(row.trainee_id),
    identified: show,
    ageBand: ageBand(row.date_of_birth, on),
    nationality: row.nationality.trim(),
    ...(row.residence ? { residence: row.residence.trim() } : {}),
    occupation: {
      isco08: row.trainee_isco08.trim(),
      ...(p.occupation?.title ? { title: p.occupation.title } : {}),
    },
    qualifications: (p.qualifications ?? []) as Record<string, unknown>[],
    languages: (p.languages ?? []) as Record<string, unknown>[],
    experience: (p.experience ?? []) as Record<string, unknown>[],
    certifications: (p.certifications ?? []) as Record<string, unknown>[],
    ...(p.preferences ? { preferences: { ...p.preferences } } : {}),
    ...(show && row.given_name ? { givenName: row.given_name } : {}),
    ...(show && row.family_name ? { familyName: row.family_name } : {}),
    ...(show && withContact && row.email ? { email: row.email } : {}),
    ...(show && row.date_of_birth ? { dateOfBirth: row.date_of_birth } : {}),
  };
}

export const todayUtc = (): string => new Date().toISOString().slice(0, 10);

/**
 * Which side(s) of a placement the actor may decide for. Employer side: the employer, or an agency with its
 * mandate. Trainee side: the trainee's own key, or the organization that registered the trainee (a training
 * provider or agency acting for them). Readonly keys, partnership admins acting only through the partnership,
 * and platform admins read but never decide: a person on one side always makes the decision.
 */
export function sidesOf(
  actor: Actor,
  row: { trainee_id: string; owner_org_id: string; visible_via_vacancy: boolean },
): PlacementSide[] {
  if (actor.type === 'platform_admin') return [];
  if (actor.type === 'trainee') return actor.traineeId === row.trainee_id ? ['trainee'] : [];
  if (actor.role === 'readonly') return [];
  const sides: PlacementSide[] = [];
  if (
    row.visible_via_vacancy &&
    (actor.organizationKind === 'employer' || actor.organizationKind === 'recruitment_agency')
  )
    sides.push('employer');
  if (row.owner_org_id === actor.organizationId) sides.push('trainee');
  return sides;
}

const HistoryItem = z.object({
  from: z.string().nullable(),
  to: z.string(),
  by: z.enum(['engine', 'employer', 'trainee', 'admin']),
  actorId: z.string().nullable(),
  reason: z.string().nullable(),
  at: z.string(),
});

export const PlacementView = z.object({
  id: z.string(),
  vacancyId: z.string(),
  traineeId: z.string(),
  status: z.enum(PLACEMENT_STATUSES),
  source: z.enum(['shortlist', 'round']),
  matchRoundId: z.string().nullable(),
  score: z.number(),
  rank: z.number().int().nullable(),
  belowSkill: z.boolean(),
  breakdown: z.array(BreakdownItemView),
  pathways: z.array(PlacementPathwayView),
  packVersions: z.record(z.string(), z.string()),
  employerDecision: z.enum(['accepted', 'declined']).nullable(),
  traineeDecision: z.enum(['accepted', 'declined']).nullable(),
  withdrawnReason: z.string().nullable(),
  profile: MatchProfileView,
  history: z.array(HistoryItem),
  createdAt: z.string(),
  updatedAt: z.string(),
});

const DecisionBody = z.object({
  decision: z.enum(['accept', 'decline']),
  reason: z.string().min(1).max(1000).optional(),
  /** Needed only when the caller acts on both sides (an agency that registered the trainee and holds the employer's mandate). */
  side: z.enum(['employer', 'trainee']).optional(),
});
const MilestoneBody = z.object({
  milestone: z.enum(PLACEMENT_MILESTONES),
  date: IsoDate.optional(),
  note: z.string().min(1).max(1000).optional(),
});

export default async function placementRoutes(app: FastifyInstance, opts: { database: Database }) {
  const { database } = opts;
  const r = app.withTypeProvider<ZodTypeProvider>();

  async function load(req: FastifyRequest, id: string) {
    const actor = requireActor(req);
    const row = isUuid(id) ? await placementsRepository.findVisible(database.db, actor, id) : undefined;
    if (!row) throw notFound('placement');
    return { actor, row };
  }

  async function view(actor: Actor, id: string) {
    const row = await placementsRepository.findVisible(database.db, actor, id);
    if (!row) throw notFound('placement');
    const history = await placementsRepository.history(database.db, id);
    const ownSide = sidesOf(actor, row).includes('trainee');
    return {
      id: row.id,
      vacancyId: row.vacancy_id,
      traineeId: row.trainee_id,
      status: row.status,
      source: row.source,
      matchRoundId: row.match_round_id,
      score: row.score,
      rank: row.rank,
      belowSkill: row.below_skill,
      breakdown: row.breakdown,
      pathways: row.pathways,
      packVersions: row.pack_versions,
      employerDecision: row.employer_decision,
      traineeDecision: row.trainee_decision,
      withdrawnReason: row.withdrawn_reason,
      profile: matchProfile(
        row,
        ownSide || mayIdentify(row),
        row.start_date ?? todayUtc(),
        ownSide || contactReleased(row),
      ),
      history: history.map((h) => ({
        from: h.from_status,
        to: h.to_status,
        by: h.actor_side,
        actorId: h.actor_id,
        reason: h.reason,
        at: h.at.toISOString(),
      })),
      createdAt: row.created_at.toISOString(),
      updatedAt: row.updated_at.toISOString(),
    };
  }

  /** Applies a transition with its audit row and outbox event in one transaction; 409 if it lost a race. */
  async function apply(
    actor: Actor,
    row: NonNullable<Awaited<ReturnType<typeof placementsRepository.findVisible>>>,
    outcome: Extract<TransitionOutcome, { ok: true }>,
    side: 'employer' | 'trainee' | 'admin',
    reason: string | null,
    extra: Record<string, unknown> = {},
  ) {
    const actorId =
      actor.type === 'platform_admin' ? null : actor.type === 'trainee' ? actor.traineeId : actor.organizationId;
    await database.db.transaction().execute(async (trx) => {
      if (outcome.to === 'matched') {
        // The last place: lock the vacancy (as the match jobs do) and count what is taken.
        await matchingRepository.lockVacancy(trx, row.vacancy_id);
        const filled = await placementsRepository.filledCount(trx, row.vacancy_id);
        if (filled >= row.headcount) throw conflict(`all ${row.headcount} places in the vacancy are already filled`);
      }
      const done = await placementsRepository.transition(trx, row.id, row.status, outcome.to, outcome.decision);
      if (!done) throw conflict('the placement changed while this request was processed; reload it and retry');
      await placementsRepository.appendEvents(trx, [
        {
          placement_id: row.id,
          from_status: row.status,
          to_status: outcome.to,
          actor_side: side,
          actor_id: actorId,
          reason,
        },
      ]);
      const events: DomainEvent[] = [
        {
          type: outcome.event,
          aggregateType: 'placement',
          aggregateId: row.id,
          payload: {
            placementId: row.id,
            vacancyId: row.vacancy_id,
            traineeId: row.trainee_id,
            from: row.status,
            to: outcome.to,
            by: side,
            ...extra,
          },
        },
      ];
      // The acceptance that completes a match is an acceptance too: subscribers to either hear of it.
      if (outcome.to === 'matched') events.unshift({ ...events[0]!, type: 'placement.accepted' });
      await outboxRepository.append(trx, events);
      // The trainee said yes to this employer: their contact details are released to it (and only it), on record.
      if (outcome.decision.trainee_decision === 'accepted')
        await disclosuresRepository.record(trx, {
          traineeId: row.trainee_id,
          organizationId: row.employer_id,
          placementId: row.id,
          fields: [...RELEASED_IDENTITY_FIELDS],
          reason: 'the trainee accepted the placement',
        });
    });
  }

  r.get(
    '/v1/placements/:id',
    {
      schema: {
        tags: ['placements'],
        summary: 'One candidate placement with its score breakdown and history',
        description:
          "Visible to the vacancy's side (employer, mandated agency, partnership admin) and the trainee's side. The profile is pseudonymised unless the trainee shared it, accepted this placement, or the caller is the trainee's side.",
        params: IdParams,
        response: { 200: PlacementView, ...writeErrors },
      },
    },
    async (req) => {
      const { actor, row } = await load(req, req.params.id);
      return view(actor, row.id);
    },
  );

  r.post(
    '/v1/placements/:id/decisions',
    {
      schema: {
        tags: ['placements'],
        summary: 'Accept or decline a proposed placement, for the employer side or the trainee side',
        description:
          'proposed → accepted_by_employer / accepted_by_trainee → matched when both accept; decline ends it (declined). An illegal transition is 409. The engine only proposes; people decide.',
        params: IdParams,
        body: DecisionBody,
        response: { 200: PlacementView, ...writeErrors },
      },
    },
    async (req) => {
      const { actor, row } = await load(req, req.params.id);
      const sides = sidesOf(actor, row);
      if (sides.length === 0)
        throw forbidden("only the employer's side or the trainee's side can decide on a placement");
      let side: PlacementSide;
      if (req.body.side) {
        if (!sides.includes(req.body.side)) throw forbidden(`you cannot decide for the ${req.body.side} side`);
        side = req.body.side;
      } else if (sides.length > 1) {
        throw unprocessable(
          [{ path: 'side', message: 'you act for both sides of this placement; say which side this decision is for' }],
          'which side is deciding?',
        );
      } else side = sides[0]!;
      const outcome = decisionTransition(row.status as PlacementStatus, side, req.body.decision);
      if (!outcome.ok) throw conflict(outcome.detail);
      await apply(actor, row, outcome, side, req.body.reason ?? null, { decision: req.body.decision });
      return view(actor, row.id);
    },
  );

  r.post(
    '/v1/placements/:id/milestones',
    {
      schema: {
        tags: ['placements'],
        summary: 'Record an outcome milestone of a matched placement',
        description:
          'visa_lodged → visa_granted → arrived → licensed → retained_12m, forward only (a step may be skipped); returned after arrival. By either side.',
        params: IdParams,
        body: MilestoneBody,
        response: { 200: PlacementView, ...writeErrors },
      },
    },
    async (req) => {
      const { actor, row } = await load(req, req.params.id);
      const sides = sidesOf(actor, row);
      if (sides.length === 0 && actor.type !== 'platform_admin')
        throw forbidden("only the employer's side or the trainee's side can record milestones");
      const outcome = milestoneTransition(row.status as PlacementStatus, req.body.milestone);
      if (!outcome.ok) throw conflict(outcome.detail);
      const reason =
        [req.body.date ? `on ${req.body.date}` : '', req.body.note ?? ''].filter(Boolean).join(': ') || null;
      await apply(actor, row, outcome, sides[0] ?? 'admin', reason, {
        milestone: req.body.milestone,
        ...(req.body.date ? { date: req.body.date } : {}),
      });
      return view(actor, row.id);
    },
  );
}
