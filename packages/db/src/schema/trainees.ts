import type { ColumnType, Generated } from 'kysely';
import type { StoredTraineeProfile } from '../trainee-row.ts';
export interface TraineesTable {
  id: string;
  owner_org_id: string;
  external_ref: string | null;
  status: Generated<'active' | 'erased'>;
  given_name: string | null;
  family_name: string | null;
  email: string | null;
  date_of_birth: string | null;
  nationality: string;
  residence: string | null;
  isco08: string;
  partnership_id: string | null;
  cohort: string | null;
  track: string | null;
  preferred_destinations: string[];
  language_levels: string[];
  earliest_start: string | null;
  consent_share_profile: boolean;
  consent_contact_email: boolean;
  profile: ColumnType<StoredTraineeProfile, string, string>;
  content_hash: string;
  version: Generated<number>;
  created_at: ColumnType<Date, never, never>;
  updated_at: ColumnType<Date, Date | undefined, Date>;
  erased_at: Date | null;
}
