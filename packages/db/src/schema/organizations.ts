import type { ColumnType } from 'kysely';
export interface OrganizationsTable {
  id: string;
  name: string;
  kind: 'employer' | 'recruitment_agency' | 'training_provider' | 'partnership_admin';
  country: string;
  created_at: ColumnType<Date, never, never>;
}
export interface AgencyMandatesTable {
  agency_id: string;
  employer_id: string;
  created_at: ColumnType<Date, never, never>;
}
