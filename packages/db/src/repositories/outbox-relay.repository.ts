import { sql } from 'kysely';
import type { Executor } from './executor.ts';

/**
 * The relay's side of the outbox (writers use `outboxRepository.append`). `claimPending` must run inside
 * the transaction that later calls `markRelayed`: the row locks it takes are what keep concurrent relays
 * from relaying the same event, and they last until that transaction ends.
 */
export const outboxRelayRepository = {
  /**
   * Oldest unrelayed events first. SKIP LOCKED lets several relays claim disjoint batches in parallel
   * instead of queueing behind each other's locks; served by `outbox_pending_idx`.
   */
  claimPending(trx: Executor, limit: number) {
    return trx
      .selectFrom('outbox')
      .select(['id', 'event_id', 'type', 'aggregate_type', 'aggregate_id', 'payload', 'created_at'])
      .where('relayed_at', 'is', null)
      .orderBy('id')
      .limit(limit)
      .forUpdate()
      .skipLocked()
      .execute();
  },

  /** Stamps the claimed events as relayed; commits with the transaction that claimed them. */
  markRelayed(trx: Executor, ids: readonly string[]) {
    if (ids.length === 0) return Promise.resolve();
    return (
      trx
        .updateTable('outbox')
        .set({ relayed_at: sql<Date>`now()` })
        // One array parameter instead of one parameter per id: batches can exceed the 65,535-parameter limit.
        .where(sql<boolean>`id = any(${ids}::bigint[])`)
        .execute()
        .then(() => undefined)
    );
  },

  /** Events not relayed yet: the relay's backlog (health checks, tests, benchmarks). */
  async countPending(db: Executor) {
    const row = await db
      .selectFrom('outbox')
      .select((eb) => eb.fn.countAll<string>().as('pending'))
      .where('relayed_at', 'is', null)
      .executeTakeFirstOrThrow();
    return Number(row.pending);
  },
};
