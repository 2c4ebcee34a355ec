import type { VacancyInput } from '@corridor/domain';
import type { ColumnType, Generated, JSONColumnType } from 'kysely';
export type VacancyTerms = Pick<
  VacancyInput,
  'national' | 'region' | 'salary' | 'hoursPerWeek' | 'contract' | 'sponsor'
>;
export interface VacanciesTable {
  id: string;
  employer_id: string;
  created_by_org_id: string;
  external_ref: string | null;
  partnership_id: string | null;
  title: string;
  headcount: number;
  status: Generated<'open' | 'paused' | 'filled' | 'closed'>;
  sector: string;
  isco08: string;
  destination: string;
  region: string | null;
  start_date: string | null;
  pathways: string[];
  required_languages: string[];
  terms: JSONColumnType<VacancyTerms>;
  requirements: JSONColumnType<VacancyInput['requirements']>;
  cost_sharing: JSONColumnType<VacancyInput['costSharing']>;
  version: Generated<number>;
  /** The pathways the offer closes, as last told to the employer (see migration 0010). */
  closed_pathways: ColumnType<
    { pathwayId: string; pathwayVersion: string; criterionId: string; outcome: string }[] | null,
    string | null | undefined,
    string | null
  >;
  created_at: ColumnType<Date, never, never>;
  updated_at: ColumnType<Date, Date | undefined, Date>;
}
