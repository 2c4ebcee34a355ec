import type { ColumnType, Generated, JSONColumnType } from 'kysely';
export interface OutboxTable {
  id: Generated<string>;
  event_id: string;
  type: string;
  aggregate_type: string;
  aggregate_id: string;
  payload: JSONColumnType<Record<string, unknown>>;
  created_at: ColumnType<Date, never, never>;
  relayed_at: Date | null;
}
