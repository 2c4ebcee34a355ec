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
  /** Call inside the transaction that made the change: the event commits or rolls back with it. */
  append(db: Executor, events: readonly DomainEvent[]) {
    if (events.length === 0) return Promise.resolve([]);
    return db
      .insertInto('outbox')
      .values(
        events.map((e) => ({
          event_id: newId(),
          type: e.type,
          aggregate_type: e.aggregateType,
          aggregate_id: e.aggregateId,
          payload: JSON.stringify(e.payload),
        })),
      )
      .returning(['id', 'event_id'])
      .execute();
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
