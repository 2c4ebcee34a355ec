import type { ColumnType, JSONColumnType } from 'kysely';
export interface IdempotencyRecordsTable {
  scope: string;
  key: string;
  request_hash: string;
  status_code: number;
  response: JSONColumnType<object>;
  trainee_id: string | null;
  created_at: ColumnType<Date, never, Date>;
}
