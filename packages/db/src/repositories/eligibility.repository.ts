import type { EligibilityResult, EligibilityStatus } from '@corridor/domain';
import { sql } from 'kysely';
import { newId } from '../ids.ts';
import type { StoredTraineeProfile } from '../trainee-row.ts';
import type { Executor } from './executor.ts';

/** One stored result to write (upsert by trainee and pathway). */
export interface EligibilityResultWrite {
  trainee_id: string;
  pathway_id: string;
  pack_version: string;
  status: EligibilityStatus;
  as_of: string;
  /** The result already serialised (the caller hashed this text): it is spliced into the batch, not re-encoded. */
  resultJson: string;
  failed_criteria: string[];
  result_hash: string;
}

/** The batch as one JSON array text, splicing in each pre-serialised result. */
function batchJson(rows: readonly EligibilityResultWrite[]): string {
  const parts = new Array<string>(rows.length);
  for (let i = 0; i < rows.length; i++) {
    const { resultJson, ...rest } = rows[i]!;
    parts[i] = `${JSON.stringify(rest).slice(0, -1)},"result":${resultJson}}`;
  }
  return `[${parts.join(',')}]`;
}

/** An `eligibility.changed` outbox event (ids, statuses and criterion ids only: no personal data). */
export interface EligibilityChangedEvent {
  traineeId: string;
  payload: Record<string, unknown>;
}

export interface TraineeForEvaluation {
  id: string;
  profile: StoredTraineeProfile;
  date_of_birth: string | null;
}

const RESULT_RECORD = sql.raw(`
  trainee_id uuid, pathway_id text, pack_version text, status text, as_of date, result json,
  failed_criteria text[], result_hash text`);

export const eligibilityRepository = {
  /**
   * Active trainees by id, locked until the transaction ends (in id order, so batches cannot deadlock). One lock
   * per trainee does two jobs: a profile write waits, so the result stored is the result of the profile stored;
   * and two evaluations of one trainee run one after the other, so the second compares against what the first
   * wrote and never emits the same change twice. FOR NO KEY UPDATE still lets the results' foreign-key checks
   * (FOR KEY SHARE) and plain reads through.
   */
  lockActiveTrainees(trx: Executor, ids: readonly string[]): Promise<TraineeForEvaluation[]> {
    if (ids.length === 0) return Promise.resolve([]);
    return trx
      .selectFrom('trainees')
      .select(['id', 'profile', 'date_of_birth'])
      .where(sql<boolean>`id = any(${sql.val(ids)}::uuid[])`)
      .where('status', '=', 'active')
      .orderBy('id')
      .forNoKeyUpdate()
      .execute();
  },

  /** The next keyset chunk of active trainees after `after` (re-evaluation), locked as above. Served by the primary key. */
  lockActiveTraineesAfter(trx: Executor, after: string | undefined, limit: number): Promise<TraineeForEvaluation[]> {
    let q = trx.selectFrom('trainees').select(['id', 'profile', 'date_of_birth']).where('status', '=', 'active');
    if (after !== undefined) q = q.where('id', '>', after);
    return q.orderBy('id').limit(limit).forNoKeyUpdate().execute();
  },

  /** What is stored for these trainees (optionally only some pathways). Call after locking the trainees. */
  storedFor(trx: Executor, traineeIds: readonly string[], pathwayIds?: readonly string[]) {
    if (traineeIds.length === 0) return Promise.resolve([]);
    let q = trx
      .selectFrom('eligibility_results')
      .select(['trainee_id', 'pathway_id', 'pack_version', 'status', 'result_hash'])
      .where(sql<boolean>`trainee_id = any(${sql.val(traineeIds)}::uuid[])`);
    if (pathwayIds !== undefined) q = q.where(sql<boolean>`pathway_id = any(${sql.val(pathwayIds)}::text[])`);
    return q.execute();
  },

  /** Stored result documents for some (trainee, pathway) pairs: the "before" of a status change. */
  resultsFor(trx: Executor, pairs: readonly { traineeId: string; pathwayId: string }[]) {
    if (pairs.length === 0) return Promise.resolve([]);
    return sql<{ trainee_id: string; pathway_id: string; result: EligibilityResult }>`
      SELECT e.trainee_id, e.pathway_id, e.result
      FROM eligibility_results e
      JOIN jsonb_to_recordset(${JSON.stringify(pairs)}::jsonb) AS p("traineeId" uuid, "pathwayId" text)
        ON e.trainee_id = p."traineeId" AND e.pathway_id = p."pathwayId"`
      .execute(trx)
      .then((r) => r.rows);
  },

  /** Upserts results in one statement; the batch travels as one json parameter (no 65,535-parameter limit). */
  async upsert(trx: Executor, rows: readonly EligibilityResultWrite[]): Promise<void> {
    if (rows.length === 0) return;
    await sql`
      INSERT INTO eligibility_results AS e
        (trainee_id, pathway_id, pack_version, status, as_of, result, failed_criteria, result_hash, evaluated_at)
      SELECT r.trainee_id, r.pathway_id, r.pack_version, r.status, r.as_of, r.result, r.failed_criteria,
             r.result_hash, now()
      FROM json_to_recordset(${batchJson(rows)}::json) AS r(${RESULT_RECORD})
      ON CONFLICT (trainee_id, pathway_id) DO UPDATE SET
        pack_version = excluded.pack_version, status = excluded.status, as_of = excluded.as_of,
        result = excluded.result, failed_criteria = excluded.failed_criteria,
        result_hash = excluded.result_hash, evaluated_at = excluded.evaluated_at`.execute(trx);
  },

  /** Appends `eligibility.changed` events to the outbox in the caller's transaction, in one statement. */
  async appendChanged(trx: Executor, events: readonly EligibilityChangedEvent[]): Promise<void> {
    if (events.length === 0) return;
    const rows = events.map((e) => ({ event_id: newId(), aggregate_id: e.traineeId, payload: e.payload }));
    await sql`
      INSERT INTO outbox (event_id, type, aggregate_type, aggregate_id, payload)
      SELECT r.event_id, 'eligibility.changed', 'trainee', r.aggregate_id, r.payload
      FROM jsonb_to_recordset(${JSON.stringify(rows)}::jsonb) AS r(event_id uuid, aggregate_id uuid, payload jsonb)`.execute(
      trx,
    );
  },

  /** Removes stored results (trainees erased or gone): results explain decisions about a person. */
  async deleteForTrainees(trx: Executor, traineeIds: readonly string[]): Promise<number> {
    if (traineeIds.length === 0) return 0;
    const r = await trx
      .deleteFrom('eligibility_results')
      .where(sql<boolean>`trainee_id = any(${sql.val(traineeIds)}::uuid[])`)
      .executeTakeFirst();
    return Number(r.numDeletedRows);
  },

  /** A trainee's stored results, by pathway (GET /v1/trainees/{id}/eligibility); served by the primary key. */
  listForTrainee(db: Executor, traineeId: string) {
    return db
      .selectFrom('eligibility_results')
      .select(['pathway_id', 'pack_version', 'status', 'as_of', 'result', 'failed_criteria', 'evaluated_at'])
      .where('trainee_id', '=', traineeId)
      .orderBy('pathway_id')
      .execute();
  },

  /** Stored results per status for one pathway; served by eligibility_results_pathway_status_idx. */
  async countByStatus(db: Executor, pathwayId: string): Promise<Partial<Record<EligibilityStatus, number>>> {
    const rows = await db
      .selectFrom('eligibility_results')
      .select(['status', (eb) => eb.fn.countAll<string>().as('n')])
      .where('pathway_id', '=', pathwayId)
      .groupBy('status')
      .execute();
    return Object.fromEntries(rows.map((r) => [r.status, Number(r.n)]));
  },
};
