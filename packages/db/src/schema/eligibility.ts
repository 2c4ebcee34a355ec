import type { EligibilityResult, EligibilityStatus } from '@corridor/domain';
import type { ColumnType, JSONColumnType } from 'kysely';

export interface EligibilityResultsTable {
  trainee_id: string;
  pathway_id: string;
  pack_version: string;
  status: EligibilityStatus;
  as_of: string;
  result: ColumnType<EligibilityResult, string, string>;
  failed_criteria: string[];
  result_hash: string;
  evaluated_at: ColumnType<Date, Date | undefined, Date>;
}

export interface RulePackVersionsTable {
  id: string;
  pathway_id: string;
  version: string;
  effective_from: string;
  effective_to: string | null;
  pack: JSONColumnType<Record<string, unknown>>;
  published_by: string;
  published_at: ColumnType<Date, never, never>;
}
