import { sql } from 'kysely';
import { newId } from '../ids.ts';
import type { MatchRoundResult } from '../schema/placements.ts';
import { decodePositionCursor, encodePositionCursor } from './cursor.ts';
import type { Executor } from './executor.ts';

/** What the partnership's admin is told of a finished round (the whole result is `GET /v1/match-rounds/{id}`). */
export interface RoundSummary {
  trainees: number;
  matched: number;
  places: number;
  unfilledPlaces: number;
  /** Vacancies with a place left, and of those the ones no trainee of the cohort could take. */
  unfilledVacancies: number;
  vacanciesWithoutCandidates: number;
  unmatchedTrainees: number;
  /** Unmatched trainees whom no vacancy of the round could take. */
  traineesWithoutOptions: number;
}

export function roundSummary(result: MatchRoundResult): RoundSummary {
  return {
    trainees: result.stats.trainees,
    matched: result.matches.length,
    places: result.stats.places,
    unfilledPlaces: result.unfilled.reduce((sum, u) => sum + u.places, 0),
    unfilledVacancies: result.unfilled.length,
    vacanciesWithoutCandidates: result.unfilled.filter((u) => u.candidates === 0).length,
    unmatchedTrainees: result.unmatchedTrainees.length,
    traineesWithoutOptions: result.stats.traineesWithoutOptions ?? 0,
  };
}

/** The round by id, joined to its partnership, limited to the partnership's admin unless `adminOrgId` is null. */
function roundOfAdmin(db: Executor, id: string, adminOrgId: string | null) {
  const q = db
    .selectFrom('match_rounds')
    .innerJoin('partnerships', 'partnerships.id', 'match_rounds.partnership_id')
    .where('match_rounds.id', '=', id);
  return adminOrgId === null ? q : q.where('partnerships.admin_org_id', '=', adminOrgId);
}

export const matchRoundsRepository = {
  /**
   * Stores a queued round and its `match_round.requested` outbox event in the caller's transaction, so the job is
   * enqueued only if the round exists (and always, once it does).
   */
  async create(db: Executor, input: { partnershipId: string; cohort: string; requestedBy: string }) {
    const round = await db
      .insertInto('match_rounds')
      .values({
        id: newId(),
        partnership_id: input.partnershipId,
        cohort: input.cohort,
        requested_by: input.requestedBy,
        result: null,
        error: null,
        started_at: null,
        finished_at: null,
      })
      .returningAll()
      .executeTakeFirstOrThrow();
    // aggregate_type 'match_round' is not one of the foundation's DomainEvent types, so the row is written here.
    await sql`
      INSERT INTO outbox (event_id, type, aggregate_type, aggregate_id, payload)
      VALUES (${newId()}::uuid, 'match_round.requested', 'match_round', ${round.id}::uuid,
              ${JSON.stringify({ roundId: round.id, partnershipId: input.partnershipId, cohort: input.cohort })}::jsonb)`.execute(
      db,
    );
    return round;
  },

  findById(db: Executor, id: string) {
    return db.selectFrom('match_rounds').selectAll().where('id', '=', id).executeTakeFirst();
  },

  /** The round, if the actor administers its partnership (platform admins see all): others get 404. */
  findForAdmin(db: Executor, id: string, adminOrgId: string | null) {
    return roundOfAdmin(db, id, adminOrgId).selectAll('match_rounds').executeTakeFirst();
  },

  /** The round's status, if the actor administers its partnership (as `findForAdmin`, without the result). */
  statusForAdmin(db: Executor, id: string, adminOrgId: string | null) {
    return roundOfAdmin(db, id, adminOrgId).select(['match_rounds.id', 'match_rounds.status']).executeTakeFirst();
  },

  /**
   * A page of one of a finished round's lists, read from its stored result by position (each list keeps the round's
   * order): its matches, its unfilled vacancies, or its unmatched trainees with how many vacancies accepted each
   * (null for rounds from before that was recorded). Postgres reads the whole document for each page: a page of a
   * million-trainee round's unmatched list took about 1 s, of its matches 0.2 s. The pages spare the client and the
   * API a 45 MB response, not the database its read.
   */
  async resultPage(
    db: Executor,
    id: string,
    list: 'matches' | 'unfilled' | 'unmatched',
    page: { limit: number; cursor?: string | undefined },
  ): Promise<{ items: unknown[]; nextCursor: string | null }> {
    const after = decodePositionCursor(page.cursor);
    const elements =
      list === 'unmatched'
        ? sql`SELECT json_build_object('traineeId', u.trainee_id, 'options', u.options::int) AS item, u.n
              FROM match_rounds r, ROWS FROM (
                json_array_elements_text(r.result -> 'unmatchedTrainees'),
                json_array_elements_text(r.result -> 'unmatchedOptions')
              ) WITH ORDINALITY AS u(trainee_id, options, n)
              WHERE r.id = ${id}::uuid AND u.n > ${after}`
        : sql`SELECT e.item, e.n
              FROM match_rounds r, json_array_elements(r.result -> ${list}::text) WITH ORDINALITY AS e(item, n)
              WHERE r.id = ${id}::uuid AND e.n > ${after}`;
    const { rows } = await sql<{ item: unknown; n: string }>`${elements} ORDER BY n LIMIT ${page.limit + 1}`.execute(
      db,
    );
    const items = rows.slice(0, page.limit);
    return {
      items: items.map((r) => r.item),
      nextCursor: rows.length > page.limit ? encodePositionCursor(Number(items[items.length - 1]!.n)) : null,
    };
  },

  /** Locks the round for its run: a redelivered job waits, then sees `done` and does nothing. */
  lock(trx: Executor, id: string) {
    return trx.selectFrom('match_rounds').selectAll().where('id', '=', id).forUpdate().executeTakeFirst();
  },

  markRunning(db: Executor, id: string) {
    return db
      .updateTable('match_rounds')
      .set({ status: 'running', started_at: new Date(), error: null })
      .where('id', '=', id)
      .where('status', 'in', ['queued', 'running', 'failed'])
      .execute();
  },

  /**
   * Stores the result and, in the same transaction, a `match_round.completed` outbox event with its summary for the
   * partnership's admin (see `roundSummary`): the round's requester is told once it is done, and only if it is.
   */
  async markDone(db: Executor, id: string, result: MatchRoundResult) {
    await db
      .updateTable('match_rounds')
      .set({ status: 'done', result: JSON.stringify(result), finished_at: new Date(), error: null })
      .where('id', '=', id)
      .execute();
    await sql`
      INSERT INTO outbox (event_id, type, aggregate_type, aggregate_id, payload)
      SELECT ${newId()}::uuid, 'match_round.completed', 'match_round', r.id,
             ${JSON.stringify(roundSummary(result))}::jsonb || jsonb_build_object(
               'roundId', r.id, 'partnershipId', r.partnership_id, 'cohort', r.cohort,
               'organizationId', p.admin_org_id)
      FROM match_rounds r JOIN partnerships p ON p.id = r.partnership_id
      WHERE r.id = ${id}::uuid`.execute(db);
  },

  /**
   * Tells a finished round's unmatched trainees why, once: `match_round.unmatched` outbox events of up to `chunk`
   * trainees each (ids, and how many vacancies of the round accepted each: 0, none could take them; more, each that
   * could filled its places with people it ranked higher), written from the stored result by one statement that also
   * marks the round told. A repeated job (or a second one waiting on the lock) finds it marked and writes nothing.
   * Returns how many trainees the events name, and whether this call told them.
   */
  async tellUnmatched(db: Executor, id: string, chunk: number): Promise<{ told: boolean; trainees: number }> {
    const { rows } = await sql<{ told: boolean; trainees: string }>`
      WITH round AS (
        SELECT id, partnership_id, cohort, result FROM match_rounds
        WHERE id = ${id}::uuid AND status = 'done' AND unmatched_told_at IS NULL
        FOR UPDATE
      ),
      unmatched AS (
        SELECT u.trainee_id, u.options::int AS options, u.n, (u.n - 1) / ${chunk}::int AS part
        FROM round, ROWS FROM (
          json_array_elements_text(round.result -> 'unmatchedTrainees'),
          json_array_elements_text(round.result -> 'unmatchedOptions')
        ) WITH ORDINALITY AS u(trainee_id, options, n)
      ),
      events AS (
        INSERT INTO outbox (event_id, type, aggregate_type, aggregate_id, payload)
        SELECT gen_random_uuid(), 'match_round.unmatched', 'match_round', round.id,
               jsonb_build_object('roundId', round.id, 'partnershipId', round.partnership_id, 'cohort', round.cohort,
                                  'trainees', jsonb_agg(unmatched.trainee_id ORDER BY unmatched.n),
                                  'options', jsonb_agg(unmatched.options ORDER BY unmatched.n))
        FROM round, unmatched
        GROUP BY round.id, round.partnership_id, round.cohort, unmatched.part
      ),
      marked AS (
        UPDATE match_rounds SET unmatched_told_at = now() WHERE id IN (SELECT id FROM round) RETURNING id
      )
      SELECT EXISTS (SELECT 1 FROM marked) AS told, (SELECT count(*) FROM unmatched) AS trainees`.execute(db);
    return { told: rows[0]!.told, trainees: Number(rows[0]!.trainees) };
  },

  /**
   * A `match_round.failed` outbox event for the partnership's admin, once the round's last try has failed (its
   * error is on the round, for the operators; the admin is told only that it failed and can be asked again).
   */
  async announceFailure(db: Executor, id: string, attempts: number) {
    await sql`
      INSERT INTO outbox (event_id, type, aggregate_type, aggregate_id, payload)
      SELECT ${newId()}::uuid, 'match_round.failed', 'match_round', r.id,
             jsonb_build_object('roundId', r.id, 'partnershipId', r.partnership_id, 'cohort', r.cohort,
                                'organizationId', p.admin_org_id, 'attempts', ${attempts}::int)
      FROM match_rounds r JOIN partnerships p ON p.id = r.partnership_id
      WHERE r.id = ${id}::uuid AND r.status = 'failed'`.execute(db);
  },

  markFailed(db: Executor, id: string, error: string) {
    return db
      .updateTable('match_rounds')
      .set({ status: 'failed', error, finished_at: new Date() })
      .where('id', '=', id)
      .where('status', '<>', 'done')
      .execute();
  },
};
