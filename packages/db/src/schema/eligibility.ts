import type { EligibilityStatus } from '@corridor/domain';
import type { ColumnType, JSONColumnType } from 'kysely';

export interface EligibilityResultsTable {
  trainee_id: string;
  pathway_id: string;
  pack_version: string;
  status: EligibilityStatus;
  as_of: string;
  /** Ids of the criteria that were unmet: the record of why (with the pack version and as-of date). */
  failed_criteria: string[];
  /** Ids of the criteria that were unknown (missing data). */
  unknown_criteria: string[];
  /** Points total of a points-tested pathway (ranking score for ca-crs); null when the pack has none. */
  points: number | null;
  /** First 11 characters of trainees.content_hash of the profile evaluated ('' = not known). */
  profile_hash: string;
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
