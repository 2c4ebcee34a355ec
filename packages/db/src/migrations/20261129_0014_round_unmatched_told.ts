import { type Kysely, sql } from 'kysely';

// When a round's unmatched trainees were told why (round.unmatched writes their events once: a job retried after it
// committed finds this set and writes nothing, so nobody hears twice).
export async function up(db: Kysely<unknown>): Promise<void> {
  await sql`ALTER TABLE match_rounds ADD COLUMN unmatched_told_at timestamptz`.execute(db);
}

export async function down(db: Kysely<unknown>): Promise<void> {
  await sql`ALTER TABLE match_rounds DROP COLUMN unmatched_told_at`.execute(db);
}
