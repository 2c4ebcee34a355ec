import type { ColumnType, Generated } from 'kysely';

/** A trainee's stated order of vacancies for cohort rounds, best first (migration 0011). */
export interface TraineeRoundPreferencesTable {
  trainee_id: string;
  vacancy_ids: string[];
  updated_at: ColumnType<Date, Date | undefined, Date>;
}

/** An employer's own order of candidates for a vacancy in cohort rounds, best first (migration 0011). */
export interface VacancyRoundRankingsTable {
  vacancy_id: string;
  trainee_ids: string[];
  updated_at: ColumnType<Date, Date | undefined, Date>;
}

/** What a set of stored round lists was built over (migration 0012): the partnership's open vacancies and the rules. */
export interface RoundListBasesTable {
  id: Generated<string>;
  partnership_id: string;
  rules_key: string;
  vacancy_ids: string[];
  vacancy_versions: number[];
  created_at: ColumnType<Date, never, never>;
}

/** A trainee's stored round list (migration 0012; see packages/jobs/src/stored-lists.ts). */
export interface RoundListsTable {
  trainee_id: string;
  basis_id: string;
  /** See roundListsRepository (encodeRecord). */
  record: Buffer;
}
