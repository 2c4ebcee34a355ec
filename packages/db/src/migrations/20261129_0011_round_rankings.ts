import { type Kysely, sql } from 'kysely';

// Stated rank lists for cohort match rounds (issue 4: "trainees rank vacancies (their stated preferences, or the
// engine's order), and employers rank candidates (by score, or by their own order)"). Ids best first. A round
// reads them as they are when it runs; a list names only what its owner chose, and the round still checks
// every pair against the rules (eligibility stays a hard constraint). A trainee's list is personal data: erasure
// deletes it.
export async function up(db: Kysely<unknown>): Promise<void> {
  await sql`
    CREATE TABLE trainee_round_preferences (
      trainee_id uuid PRIMARY KEY REFERENCES trainees(id) ON DELETE CASCADE,
      vacancy_ids uuid[] NOT NULL,
      updated_at timestamptz NOT NULL DEFAULT now()
    )`.execute(db);
  await sql`
    CREATE TABLE vacancy_round_rankings (
      vacancy_id uuid PRIMARY KEY REFERENCES vacancies(id) ON DELETE CASCADE,
      trainee_ids uuid[] NOT NULL,
      updated_at timestamptz NOT NULL DEFAULT now()
    )`.execute(db);
}

export async function down(db: Kysely<unknown>): Promise<void> {
  await sql`DROP TABLE IF EXISTS vacancy_round_rankings`.execute(db);
  await sql`DROP TABLE IF EXISTS trainee_round_preferences`.execute(db);
}
