import { sql } from 'kysely';
import { newId } from '../ids.ts';
import type { Executor } from './executor.ts';

export interface DomainEvent {
  type: string;
  aggregateType:
    | 'trainee'
    | 'vacancy'
    | 'organization'
    | 'partnership'
    | 'placement'
    | 'pathway'
    | 'notification'
    | 'webhook_endpoint';
  aggregateId: string;
  /** Ids and field names only: events never carry personal data. */
  payload: Record<string, unknown>;
}

export const outboxRepository = {
  /**
   * Call inside the transaction that made the change: the event commits or rolls back with it. The events travel
   * column by column, their payloads as one JSON array (a handful of parameters however many events: rounds and
   * imports append thousands at once); the outbox ids follow their order, which is the order the relay reads them.
   */
  async append(db: Executor, events: readonly DomainEvent[]) {
    if (events.length === 0) return [];
    const appended = await sql<{ id: string; event_id: string }>`
      INSERT INTO outbox (event_id, type, aggregate_type, aggregate_id, payload)
      SELECT r.event_id, r.type, r.aggregate_type, r.aggregate_id, r.payload
      FROM ROWS FROM (
        unnest(${events.map(() => newId())}::uuid[]), unnest(${events.map((e) => e.type)}::text[]),
        unnest(${events.map((e) => e.aggregateType)}::text[]), unnest(${events.map((e) => e.aggregateId)}::uuid[]),
        json_array_elements(${JSON.stringify(events.map((e) => e.payload))}::json)
      ) AS r(event_id, type, aggregate_type, aggregate_id, payload)
      RETURNING id, event_id`.execute(db);
    return appended.rows;
  },

  listForAggregate(db: Executor, aggregateId: string) {
    return db
      .selectFrom('outbox')
      .select(['id', 'event_id', 'type', 'payload', 'created_at', 'relayed_at'])
      .where('aggregate_id', '=', aggregateId)
      .orderBy('id')
      .execute();
  },
};
