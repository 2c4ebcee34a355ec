import { type Kysely, sql } from 'kysely';

// One covering index for the match.vacancy prefilter instead of three (issue 4, a vacancy against 1,000,000
// trainees). The prefilter reads occupation, consent, partnership, availability, destinations and language levels;
// with all of them (and the id) in one B-tree keyed by occupation, Postgres answers it with an index-only scan and
// never touches the table. Before, it combined trainees_match_idx with the two GIN indexes in a BitmapAnd and then
// read the table to check the rest: at 1M trainees, 5321 in AU read 50,902 heap blocks (lossy bitmap, 469 ms);
// the index-only scan reads ~2,500 index pages (30-50 ms). Nothing else used the three indexes it replaces
// (nationality in trainees_match_idx was never queried).
export async function up(db: Kysely<unknown>): Promise<void> {
  await sql`
    CREATE INDEX trainees_match_cover_idx ON trainees (isco08)
      INCLUDE (id, consent_share_profile, partnership_id, earliest_start, preferred_destinations, language_levels)
      WHERE status = 'active'`.execute(db);
  await sql`DROP INDEX IF EXISTS trainees_match_idx`.execute(db);
  await sql`DROP INDEX IF EXISTS trainees_destinations_gin`.execute(db);
  await sql`DROP INDEX IF EXISTS trainees_language_levels_gin`.execute(db);
}

export async function down(db: Kysely<unknown>): Promise<void> {
  await sql`CREATE INDEX trainees_match_idx ON trainees (isco08, nationality) WHERE status = 'active'`.execute(db);
  await sql`CREATE INDEX trainees_destinations_gin ON trainees USING gin (preferred_destinations)`.execute(db);
  await sql`CREATE INDEX trainees_language_levels_gin ON trainees USING gin (language_levels)`.execute(db);
  await sql`DROP INDEX IF EXISTS trainees_match_cover_idx`.execute(db);
}
