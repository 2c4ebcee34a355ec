import { type Kysely, sql } from 'kysely';

// The rule calendar (issue 3): a pack version can take effect on a date without anyone publishing anything that
// day (the UK thresholds of 22 July 2025, a new Australian financial year). One row records the last day whose
// transitions were announced, so each day is announced once whatever the number of worker processes.
export async function up(db: Kysely<unknown>): Promise<void> {
  await sql`
    CREATE TABLE rule_calendar (
      id integer PRIMARY KEY DEFAULT 1 CHECK (id = 1),
      checked_through date NOT NULL
    )`.execute(db);
}

export async function down(db: Kysely<unknown>): Promise<void> {
  await sql`DROP TABLE IF EXISTS rule_calendar`.execute(db);
}
