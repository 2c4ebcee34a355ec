import type { Actor } from '@corridor/domain';
import { type Expression, type ExpressionBuilder, type SqlBool, sql } from 'kysely';
import { newId } from '../ids.ts';
import type { DB } from '../schema/index.ts';
import type {
  PlacementEventsTable,
  PlacementStatus,
  StoredBreakdownItem,
  StoredPlacementPathway,
} from '../schema/placements.ts';
import { InvalidCursorError } from './cursor.ts';
import type { Executor } from './executor.ts';
import { traineeVisibleTo, vacancyVisibleTo } from './visibility.ts';

// ---------------------------------------------------------------------------------------------------------------
// The placement state machine (CONTRACT.md, Placements). Pure: the API and the engine both go through it, and
// every transition is written with a conditional UPDATE (WHERE status = from), so a concurrent change makes the
// second writer see 0 rows and answer 409 instead of overwriting.

export const PLACEMENT_STATUSES = [
  'proposed',
  'accepted_by_employer',
  'accepted_by_trainee',
  'matched',
  'visa_lodged',
  'visa_granted',
  'arrived',
  'licensed',
  'retained_12m',
  'returned',
  'declined',
  'withdrawn',
] as const satisfies readonly PlacementStatus[];

/** Outcome milestones after `matched`, in the order they happen. `returned` may follow any milestone from `arrived`. */
export const PLACEMENT_MILESTONES = [
  'visa_lodged',
  'visa_granted',
  'arrived',
  'licensed',
  'retained_12m',
  'returned',
] as const satisfies readonly PlacementStatus[];
export type PlacementMilestone = (typeof PLACEMENT_MILESTONES)[number];

const FORWARD: readonly PlacementStatus[] = [
  'matched',
  'visa_lodged',
  'visa_granted',
  'arrived',
  'licensed',
  'retained_12m',
];

/** Still a proposal someone may act on: the engine re-checks these, and either side may still decide. */
export const OPEN_STATUSES = ['proposed', 'accepted_by_employer', 'accepted_by_trainee'] as const;

/**
 * Statuses in which a person has decided something (or the pair is past proposing): the matching engine may not
 * re-propose or re-rank such a pair. Everything but `proposed` and `withdrawn`.
 */
export const DECIDED_PLACEMENT_STATUSES: ReadonlySet<string> = new Set(
  PLACEMENT_STATUSES.filter((s) => s !== 'proposed' && s !== 'withdrawn'),
);
/** A place is taken from `matched` on, until the person returns. */
export const FILLED_STATUSES = [
  'matched',
  'visa_lodged',
  'visa_granted',
  'arrived',
  'licensed',
  'retained_12m',
] as const satisfies readonly PlacementStatus[];

export type PlacementSide = 'employer' | 'trainee';
export type Decision = 'accept' | 'decline';

export type TransitionOutcome =
  | {
      ok: true;
      to: PlacementStatus;
      /** The outbox event type the transition writes. */
      event: 'placement.accepted' | 'placement.declined' | 'placement.matched' | 'placement.milestone';
      decision: { employer_decision?: 'accepted' | 'declined'; trainee_decision?: 'accepted' | 'declined' };
    }
  | { ok: false; detail: string };

/** What a decision by one side does to a placement in `from`. Human decisions only: the engine never decides. */
export function decisionTransition(from: PlacementStatus, side: PlacementSide, decision: Decision): TransitionOutcome {
  const field = side === 'employer' ? 'employer_decision' : 'trainee_decision';
  const open = from === 'proposed' || from === 'accepted_by_employer' || from === 'accepted_by_trainee';
  if (!open) return { ok: false, detail: `the placement is ${from}; decisions are taken only on open proposals` };
  const alreadyAccepted =
    (side === 'employer' && from === 'accepted_by_employer') || (side === 'trainee' && from === 'accepted_by_trainee');
  if (decision === 'decline')
    return { ok: true, to: 'declined', event: 'placement.declined', decision: { [field]: 'declined' } };
  if (alreadyAccepted) return { ok: false, detail: `the ${side} side has already accepted this placement` };
  if (from === 'proposed') {
    return {
      ok: true,
      to: side === 'employer' ? 'accepted_by_employer' : 'accepted_by_trainee',
      event: 'placement.accepted',
      decision: { [field]: 'accepted' },
    };
  }
  // The other side accepted before: both have now said yes.
  return { ok: true, to: 'matched', event: 'placement.matched', decision: { [field]: 'accepted' } };
}

/** Milestones move forward only (one may be skipped, e.g. `licensed` for an unregulated job); `returned` ends it. */
export function milestoneTransition(from: PlacementStatus, milestone: PlacementMilestone): TransitionOutcome {
  const at = FORWARD.indexOf(from);
  if (at < 0) return { ok: false, detail: `the placement is ${from}; milestones follow a match` };
  if (milestone === 'returned') {
    if (at < FORWARD.indexOf('arrived'))
      return { ok: false, detail: 'returned can follow only once the person arrived' };
    return { ok: true, to: 'returned', event: 'placement.milestone', decision: {} };
  }
  if (FORWARD.indexOf(milestone) <= at)
    return { ok: false, detail: `the placement is already ${from}; milestones only move forward` };
  return { ok: true, to: milestone, event: 'placement.milestone', decision: {} };
}

// ---------------------------------------------------------------------------------------------------------------
// Keyset cursor for "best first": (score desc, trainee id asc), opaque to clients.

export function encodeScoreCursor(score: number, id: string): string {
  return Buffer.from(`${score}|${id}`, 'utf8').toString('base64url');
}

function decodeScoreCursor(cursor: string | undefined): { score: number; id: string } | undefined {
  if (!cursor) return undefined;
  const [s, id] = Buffer.from(cursor, 'base64url').toString('utf8').split('|');
  const score = Number(s);
  if (!id || !Number.isFinite(score) || !/^[0-9a-f-]{36}$/.test(id))
    throw new InvalidCursorError('cursor is not one this API issued');
  return { score, id };
}

type PlacementListFilter = {
  statuses?: readonly PlacementStatus[] | undefined;
  excludeStatuses?: readonly PlacementStatus[];
};

/** The status filters and the "after this (score, id)" keyset condition both placement lists share. */
function bestFirstConditions(
  filter: PlacementListFilter,
  after: { score: number; id: string } | undefined,
  tie: 'placements.trainee_id' | 'placements.vacancy_id',
) {
  return (eb: ExpressionBuilder<DB, 'placements'>): Expression<SqlBool> => {
    const conditions: Expression<SqlBool>[] = [];
    if (filter.statuses && filter.statuses.length > 0) conditions.push(eb('placements.status', 'in', filter.statuses));
    if (filter.excludeStatuses && filter.excludeStatuses.length > 0)
      conditions.push(eb('placements.status', 'not in', filter.excludeStatuses));
    if (after) {
      conditions.push(
        eb.or([
          eb('placements.score', '<', after.score),
          eb.and([eb('placements.score', '=', after.score), eb(tie, '>', after.id)]),
        ]),
      );
    }
    return eb.and(conditions);
  };
}

/** One page of a best-first list: asks for one row more than the page holds, to know whether a next page exists. */
async function bestFirstPage<R extends { score: number }>(
  limit: number,
  fetch: (limit: number) => Promise<R[]>,
  tieOf: (row: R) => string,
): Promise<{ items: R[]; nextCursor: string | null }> {
  const rows = await fetch(limit + 1);
  const items = rows.slice(0, limit);
  const last = items[items.length - 1];
  return { items, nextCursor: rows.length > limit && last ? encodeScoreCursor(last.score, tieOf(last)) : null };
}

type Joined = ExpressionBuilder<DB, 'placements' | 'vacancies' | 'trainees'>;

/** Visible to the vacancy's side (employer, mandated agency, partnership admin) or the trainee's side. */
function placementVisibleTo(actor: Actor) {
  return (eb: Joined): Expression<SqlBool> =>
    eb.or([
      vacancyVisibleTo(actor)(eb as unknown as ExpressionBuilder<DB, 'vacancies'>),
      traineeVisibleTo(actor)(eb as unknown as ExpressionBuilder<DB, 'trainees'>),
    ]);
}

const PLACEMENT_COLUMNS = [
  'placements.id',
  'placements.vacancy_id',
  'placements.trainee_id',
  'placements.status',
  'placements.source',
  'placements.match_round_id',
  'placements.score',
  'placements.rank',
  'placements.breakdown',
  'placements.pathways',
  'placements.pack_versions',
  'placements.below_skill',
  'placements.employer_decision',
  'placements.trainee_decision',
  'placements.withdrawn_reason',
  'placements.version',
  'placements.created_at',
  'placements.updated_at',
] as const;

/** The trainee columns a match item's profile is built from (personal identifiers are dropped by the API unless shared). */
const TRAINEE_COLUMNS = [
  'trainees.owner_org_id',
  'trainees.status as trainee_status',
  'trainees.given_name',
  'trainees.family_name',
  'trainees.email',
  'trainees.date_of_birth',
  'trainees.nationality',
  'trainees.residence',
  'trainees.isco08 as trainee_isco08',
  'trainees.consent_share_profile',
  'trainees.profile',
] as const;

const VACANCY_COLUMNS = [
  'vacancies.employer_id',
  'vacancies.partnership_id as vacancy_partnership_id',
  'vacancies.title',
  'vacancies.headcount',
  'vacancies.status as vacancy_status',
  'vacancies.sector',
  'vacancies.isco08 as vacancy_isco08',
  'vacancies.destination',
  'vacancies.region',
  'vacancies.start_date',
  'vacancies.pathways as vacancy_pathways',
  'vacancies.terms',
  'vacancies.requirements',
  'vacancies.cost_sharing',
] as const;

export interface PlacementWrite {
  vacancy_id: string;
  trainee_id: string;
  source: 'shortlist' | 'round';
  match_round_id: string | null;
  score: number;
  rank: number | null;
  breakdown: StoredBreakdownItem[];
  pathways: StoredPlacementPathway[];
  pack_versions: Record<string, string>;
  below_skill: boolean;
}

export interface PlacementEventWrite {
  placement_id: string;
  from_status: PlacementStatus | null;
  to_status: PlacementStatus;
  actor_side: PlacementEventsTable['actor_side'];
  actor_id: string | null;
  reason: string | null;
}

export const placementsRepository = {
  /** One placement with its vacancy and trainee, if the actor is on either side; otherwise not found (404). */
  findVisible(db: Executor, actor: Actor, id: string) {
    return db
      .selectFrom('placements')
      .innerJoin('vacancies', 'vacancies.id', 'placements.vacancy_id')
      .innerJoin('trainees', 'trainees.id', 'placements.trainee_id')
      .select([...PLACEMENT_COLUMNS, ...TRAINEE_COLUMNS, ...VACANCY_COLUMNS])
      .select((eb) => [
        sql<boolean>`${vacancyVisibleTo(actor)(eb as unknown as ExpressionBuilder<DB, 'vacancies'>)}`.as(
          'visible_via_vacancy',
        ),
        sql<boolean>`${traineeVisibleTo(actor)(eb as unknown as ExpressionBuilder<DB, 'trainees'>)}`.as(
          'visible_via_trainee',
        ),
      ])
      .where('placements.id', '=', id)
      .where(placementVisibleTo(actor))
      .executeTakeFirst();
  },

  /** A vacancy's placements, best first (keyset on score, then trainee id). Served by placements_vacancy_score_idx. */
  async listForVacancy(
    db: Executor,
    vacancyId: string,
    filter: PlacementListFilter,
    page: { limit: number; cursor?: string | undefined },
  ) {
    const after = decodeScoreCursor(page.cursor);
    return bestFirstPage(
      page.limit,
      (limit) =>
        db
          .selectFrom('placements')
          .innerJoin('trainees', 'trainees.id', 'placements.trainee_id')
          .select([...PLACEMENT_COLUMNS, ...TRAINEE_COLUMNS])
          .where('placements.vacancy_id', '=', vacancyId)
          .where(bestFirstConditions(filter, after, 'placements.trainee_id'))
          .orderBy('placements.score', 'desc')
          .orderBy('placements.trainee_id')
          .limit(limit)
          .execute(),
      (r) => r.trainee_id,
    );
  },

  /** A trainee's placements with each vacancy's terms, best first. Served by placements_trainee_idx. */
  async listForTrainee(
    db: Executor,
    traineeId: string,
    filter: PlacementListFilter,
    page: { limit: number; cursor?: string | undefined },
  ) {
    const after = decodeScoreCursor(page.cursor);
    return bestFirstPage(
      page.limit,
      (limit) =>
        db
          .selectFrom('placements')
          .innerJoin('vacancies', 'vacancies.id', 'placements.vacancy_id')
          .innerJoin('trainees', 'trainees.id', 'placements.trainee_id')
          .select([...PLACEMENT_COLUMNS, ...TRAINEE_COLUMNS, ...VACANCY_COLUMNS])
          .where('placements.trainee_id', '=', traineeId)
          .where(bestFirstConditions(filter, after, 'placements.vacancy_id'))
          .orderBy('placements.score', 'desc')
          .orderBy('placements.vacancy_id')
          .limit(limit)
          .execute(),
      (r) => r.vacancy_id,
    );
  },

  history(db: Executor, placementId: string) {
    return db
      .selectFrom('placement_events')
      .select(['from_status', 'to_status', 'actor_side', 'actor_id', 'reason', 'at'])
      .where('placement_id', '=', placementId)
      .orderBy('id')
      .execute();
  },

  /** Every placement of a vacancy, in trainee id order (the engine's reconcile input). Call with the vacancy locked. */
  forVacancy(db: Executor, vacancyId: string) {
    return db
      .selectFrom('placements')
      .select([...PLACEMENT_COLUMNS])
      .where('vacancy_id', '=', vacancyId)
      .orderBy('trainee_id')
      .execute();
  },

  /** Every placement of some vacancies, by vacancy then trainee id. Call with the vacancies locked. */
  forVacancies(db: Executor, vacancyIds: readonly string[]) {
    if (vacancyIds.length === 0) return Promise.resolve([]);
    return (
      db
        .selectFrom('placements')
        .select([...PLACEMENT_COLUMNS])
        // One array parameter, not one per id: a round's vacancies can outnumber Postgres's 65,535 bind parameters.
        .where('vacancy_id', '=', sql<string>`ANY(${sql.val([...vacancyIds])}::uuid[])`)
        .orderBy('vacancy_id')
        .orderBy('trainee_id')
        .execute()
    );
  },

  /** New ranks for open shortlist proposals (another candidate entered above them), in one statement. */
  async setRanks(db: Executor, rows: readonly { id: string; rank: number }[]): Promise<void> {
    if (rows.length === 0) return;
    await sql`
      UPDATE placements p SET rank = x.rank, version = p.version + 1, updated_at = now()
      FROM unnest(${sql.val(rows.map((r) => r.id))}::uuid[], ${sql.val(rows.map((r) => r.rank))}::int[]) AS x(id, rank)
      WHERE p.id = x.id AND p.status = 'proposed' AND p.rank IS DISTINCT FROM x.rank`.execute(db);
  },

  /** Every placement of a trainee, in vacancy id order. */
  forTrainee(db: Executor, traineeId: string) {
    return db
      .selectFrom('placements')
      .select([...PLACEMENT_COLUMNS])
      .where('trainee_id', '=', traineeId)
      .orderBy('vacancy_id')
      .execute();
  },

  /** Places taken in a vacancy (matched and later, until a return). */
  async filledCount(db: Executor, vacancyId: string): Promise<number> {
    const row = await db
      .selectFrom('placements')
      .select((eb) => eb.fn.countAll<string>().as('n'))
      .where('vacancy_id', '=', vacancyId)
      .where('status', 'in', FILLED_STATUSES)
      .executeTakeFirstOrThrow();
    return Number(row.n);
  },

  /**
   * New proposals, each with its history row (the engine proposed it) and its `placement.proposed` outbox event, in
   * one statement; a pair that already exists is left alone (the unique pair makes a re-run insert nothing, and
   * writes no history or event for it). Returns the placements inserted.
   *
   * A round proposes thousands at a time, so the rows travel column by column: an array per plain column and a JSON
   * array per document column, zipped back into rows by ROWS FROM. That is a dozen parameters however many rows
   * there are, each parsed once (a row's breakdown with its sentences is a kilobyte or more: json_to_recordset over
   * whole rows took three times as long on the server), and the history and events are made by the server from the
   * rows it inserted instead of travelling as statements of their own.
   */
  async insertProposals(db: Executor, rows: readonly PlacementWrite[]) {
    if (rows.length === 0) return [];
    const column = <T>(pick: (r: PlacementWrite) => T) => rows.map(pick);
    const inserted = await sql<{ id: string; vacancy_id: string; trainee_id: string }>`
      WITH input AS (
        SELECT * FROM ROWS FROM (
          unnest(${rows.map(() => newId())}::uuid[]), unnest(${rows.map(() => newId())}::uuid[]),
          unnest(${column((r) => r.vacancy_id)}::uuid[]), unnest(${column((r) => r.trainee_id)}::uuid[]),
          unnest(${column((r) => r.source)}::text[]), unnest(${column((r) => r.match_round_id)}::uuid[]),
          unnest(${column((r) => r.score)}::float8[]), unnest(${column((r) => r.rank)}::int[]),
          json_array_elements(${JSON.stringify(column((r) => r.breakdown))}::json),
          json_array_elements(${JSON.stringify(column((r) => r.pathways))}::json),
          json_array_elements(${JSON.stringify(column((r) => r.pack_versions))}::json),
          unnest(${column((r) => r.below_skill)}::boolean[])
        ) AS r(id, event_id, vacancy_id, trainee_id, source, match_round_id, score, rank, breakdown, pathways,
               pack_versions, below_skill)
      ),
      inserted AS (
        INSERT INTO placements (id, vacancy_id, trainee_id, status, source, match_round_id, score, rank, breakdown,
                                pathways, pack_versions, below_skill)
        SELECT id, vacancy_id, trainee_id, 'proposed', source, match_round_id, score, rank, breakdown, pathways,
               pack_versions, below_skill
        FROM input
        ON CONFLICT (vacancy_id, trainee_id) DO NOTHING
        RETURNING id, vacancy_id, trainee_id, source, score, rank
      ),
      history AS (
        INSERT INTO placement_events (placement_id, from_status, to_status, actor_side, actor_id, reason)
        SELECT id, NULL, 'proposed', 'engine', NULL, NULL FROM inserted
      ),
      events AS (
        -- Ids, status and score only, as every placement event: the sentences (which describe the person) stay in
        -- the placement row.
        INSERT INTO outbox (event_id, type, aggregate_type, aggregate_id, payload)
        SELECT input.event_id, 'placement.proposed', 'placement', inserted.id,
               jsonb_build_object('placementId', inserted.id, 'vacancyId', inserted.vacancy_id,
                                  'traineeId', inserted.trainee_id, 'from', NULL, 'to', 'proposed',
                                  'score', inserted.score, 'rank', inserted.rank, 'source', inserted.source)
        FROM inserted JOIN input ON input.id = inserted.id
      )
      SELECT id, vacancy_id, trainee_id FROM inserted`.execute(db);
    return inserted.rows;
  },

  /** Refreshes a proposal's score and explanation; only while it is still `proposed`. */
  refreshProposal(db: Executor, id: string, w: Omit<PlacementWrite, 'vacancy_id' | 'trainee_id'>) {
    return db
      .updateTable('placements')
      .set({
        source: w.source,
        match_round_id: w.match_round_id,
        score: w.score,
        rank: w.rank,
        breakdown: JSON.stringify(w.breakdown),
        pathways: JSON.stringify(w.pathways),
        pack_versions: JSON.stringify(w.pack_versions),
        below_skill: w.below_skill,
        version: sql`version + 1`,
        updated_at: new Date(),
      })
      .where('id', '=', id)
      .where('status', '=', 'proposed')
      .returning(['id'])
      .executeTakeFirst();
  },

  /**
   * Moves a placement from `from` to `to` only if it is still in `from`; returns undefined when someone else changed
   * it first. `patch` carries the decision columns, a re-proposal's new score, or a withdrawal reason.
   */
  transition(
    db: Executor,
    id: string,
    from: PlacementStatus,
    to: PlacementStatus,
    patch: Partial<{
      employer_decision: 'accepted' | 'declined' | null;
      trainee_decision: 'accepted' | 'declined' | null;
      withdrawn_reason: string | null;
      rank: number | null;
      write: Omit<PlacementWrite, 'vacancy_id' | 'trainee_id'>;
    }> = {},
  ) {
    const { write, ...columns } = patch;
    return db
      .updateTable('placements')
      .set({
        ...columns,
        ...(write
          ? {
              source: write.source,
              match_round_id: write.match_round_id,
              score: write.score,
              rank: write.rank,
              breakdown: JSON.stringify(write.breakdown),
              pathways: JSON.stringify(write.pathways),
              pack_versions: JSON.stringify(write.pack_versions),
              below_skill: write.below_skill,
            }
          : {}),
        status: to,
        version: sql`version + 1`,
        updated_at: new Date(),
      })
      .where('id', '=', id)
      .where('status', '=', from)
      .returning(['id', 'vacancy_id', 'trainee_id', 'status'])
      .executeTakeFirst();
  },

  /** History rows, in one statement of one array per column (see insertProposals); `id` follows their order. */
  async appendEvents(db: Executor, events: readonly PlacementEventWrite[]): Promise<void> {
    if (events.length === 0) return;
    const column = <T>(pick: (e: PlacementEventWrite) => T) => events.map(pick);
    await sql`
      INSERT INTO placement_events (placement_id, from_status, to_status, actor_side, actor_id, reason)
      SELECT * FROM unnest(${column((e) => e.placement_id)}::uuid[], ${column((e) => e.from_status)}::text[],
        ${column((e) => e.to_status)}::text[], ${column((e) => e.actor_side)}::text[],
        ${column((e) => e.actor_id)}::text[], ${column((e) => e.reason)}::text[])`.execute(db);
  },
};
