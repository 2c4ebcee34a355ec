import { sql } from 'kysely';
import type { Executor } from './executor.ts';

/** Stated rank lists for cohort rounds: a trainee's order of vacancies, an employer's order of candidates. */
export const roundRankingsRepository = {
  async setTraineePreferences(db: Executor, traineeId: string, vacancyIds: readonly string[]): Promise<void> {
    await sql`
      INSERT INTO trainee_round_preferences (trainee_id, vacancy_ids) VALUES (${traineeId}::uuid, ${sql.val([...vacancyIds])}::uuid[])
      ON CONFLICT (trainee_id) DO UPDATE SET vacancy_ids = EXCLUDED.vacancy_ids, updated_at = now()`.execute(db);
  },

  async traineePreferences(db: Executor, traineeId: string): Promise<string[] | undefined> {
    const row = await db
      .selectFrom('trainee_round_preferences')
      .select('vacancy_ids')
      .where('trainee_id', '=', traineeId)
      .executeTakeFirst();
    return row?.vacancy_ids;
  },

  /** Erasure: a trainee's choices are theirs. */
  async deleteTraineePreferences(db: Executor, traineeId: string): Promise<void> {
    await db.deleteFrom('trainee_round_preferences').where('trainee_id', '=', traineeId).execute();
  },

  async setVacancyRanking(db: Executor, vacancyId: string, traineeIds: readonly string[]): Promise<void> {
    await sql`
      INSERT INTO vacancy_round_rankings (vacancy_id, trainee_ids) VALUES (${vacancyId}::uuid, ${sql.val([...traineeIds])}::uuid[])
      ON CONFLICT (vacancy_id) DO UPDATE SET trainee_ids = EXCLUDED.trainee_ids, updated_at = now()`.execute(db);
  },

  async vacancyRanking(db: Executor, vacancyId: string): Promise<string[] | undefined> {
    const row = await db
      .selectFrom('vacancy_round_rankings')
      .select('trainee_ids')
      .where('vacancy_id', '=', vacancyId)
      .executeTakeFirst();
    return row?.trainee_ids;
  },

  /**
   * The employers' own orders of candidates for a round's vacancies, by vacancy id (trainees' stated lists come with
   * the cohort's pages: `matchingRepository.cohortTraineePages`). Ids as one array parameter: a round's vacancies
   * can outnumber Postgres's 65,535 bind parameters.
   */
  async vacancyOrders(db: Executor, vacancyIds: readonly string[]): Promise<Map<string, string[]>> {
    if (vacancyIds.length === 0) return new Map();
    const rows = await db
      .selectFrom('vacancy_round_rankings')
      .select(['vacancy_id', 'trainee_ids'])
      .where('vacancy_id', '=', sql<string>`ANY(${sql.val([...vacancyIds])}::uuid[])`)
      .execute();
    return new Map(rows.map((r) => [r.vacancy_id, r.trainee_ids]));
  },
};
