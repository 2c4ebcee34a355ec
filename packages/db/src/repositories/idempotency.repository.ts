import { sql } from 'kysely';
import type { Executor } from './executor.ts';

/** How long a stored answer is replayed for the same Idempotency-Key (the contract promises 24 h). */
export const IDEMPOTENCY_TTL_HOURS = 24;

export const idempotencyRepository = {
  find(db: Executor, scope: string, key: string) {
    return db
      .selectFrom('idempotency_records')
      .select(['request_hash', 'status_code', 'response'])
      .where('scope', '=', scope)
      .where('key', '=', key)
      .where('created_at', '>', sql<Date>`now() - make_interval(hours => ${IDEMPOTENCY_TTL_HOURS})`)
      .executeTakeFirst();
  },

  /** Stores the first answer. Returns false when another request with the same key won the race. */
  async save(
    db: Executor,
    record: {
      scope: string;
      key: string;
      requestHash: string;
      statusCode: number;
      response: unknown;
      traineeId?: string;
    },
  ): Promise<boolean> {
    // An expired record for the same key is replaced; a live one is kept (first answer wins).
    const row = await db
      .insertInto('idempotency_records')
      .values({
        scope: record.scope,
        key: record.key,
        request_hash: record.requestHash,
        status_code: record.statusCode,
        response: JSON.stringify(record.response),
        trainee_id: record.traineeId ?? null,
      })
      .onConflict((oc) =>
        oc
          .columns(['scope', 'key'])
          .doUpdateSet((eb) => ({
            request_hash: eb.ref('excluded.request_hash'),
            status_code: eb.ref('excluded.status_code'),
            response: eb.ref('excluded.response'),
            trainee_id: eb.ref('excluded.trainee_id'),
            created_at: sql<Date>`now()`,
          }))
          .where(
            'idempotency_records.created_at',
            '<=',
            sql<Date>`now() - make_interval(hours => ${IDEMPOTENCY_TTL_HOURS})`,
          ),
      )
      .returning('key')
      .executeTakeFirst();
    return row !== undefined;
  },

  complete(
    db: Executor,
    record: { scope: string; key: string; statusCode: number; response: unknown; traineeId?: string | undefined },
  ) {
    return db
      .updateTable('idempotency_records')
      .set({
        status_code: record.statusCode,
        response: JSON.stringify(record.response),
        trainee_id: record.traineeId ?? null,
      })
      .where('scope', '=', record.scope)
      .where('key', '=', record.key)
      .execute();
  },

  release(db: Executor, scope: string, key: string) {
    return db.deleteFrom('idempotency_records').where('scope', '=', scope).where('key', '=', key).execute();
  },

  deleteForTrainee(db: Executor, traineeId: string) {
    return db.deleteFrom('idempotency_records').where('trainee_id', '=', traineeId).execute();
  },

  deleteExpired(db: Executor) {
    return db
      .deleteFrom('idempotency_records')
      .where('created_at', '<=', sql<Date>`now() - make_interval(hours => ${IDEMPOTENCY_TTL_HOURS})`)
      .executeTakeFirst();
  },
};
