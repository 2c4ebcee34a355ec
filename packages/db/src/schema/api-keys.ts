import type { ColumnType } from 'kysely';
export interface ApiKeysTable {
  id: string;
  lookup: string;
  hash: Buffer;
  role: string;
  organization_id: string | null;
  trainee_id: string | null;
  label: string | null;
  created_at: ColumnType<Date, never, never>;
  revoked_at: Date | null;
}
