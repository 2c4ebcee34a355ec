import type { ColumnType } from 'kysely';
export interface PartnershipsTable {
  id: string;
  name: string;
  origin: string;
  destination: string;
  sectors: string[];
  occupations: string[];
  model: 'traditional' | 'global_skills_partnership';
  government_to_government: boolean;
  admin_org_id: string | null;
  created_at: ColumnType<Date, never, never>;
}
export interface PartnershipMembersTable {
  partnership_id: string;
  organization_id: string;
  role: 'employer' | 'recruitment_agency' | 'training_provider';
}
export interface CohortsTable {
  id: string;
  partnership_id: string;
  name: string;
  start_date: string;
  tracks: string[];
  created_at: ColumnType<Date, never, never>;
}
