import { type Kysely, sql } from 'kysely';

// What the last match told the employer about their offer (issue 4): the pathways it closes to every candidate,
// as [{ pathwayId, pathwayVersion, criterionId, outcome }]. match.vacancy compares against it so that the
// employer hears of a closed pathway once, when it closes (a new offer, or a rule change), not on every re-run.
// NULL: never told (nothing closed so far).
export async function up(db: Kysely<unknown>): Promise<void> {
  await sql`ALTER TABLE vacancies ADD COLUMN closed_pathways jsonb`.execute(db);
}

export async function down(db: Kysely<unknown>): Promise<void> {
  await sql`ALTER TABLE vacancies DROP COLUMN IF EXISTS closed_pathways`.execute(db);
}
