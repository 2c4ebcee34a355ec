import type { ColumnType } from 'kysely';

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
