import { type Kysely, sql } from 'kysely';

// Two documents are written whole and read whole, never queried inside: a round's result (at a million trainees,
// 45 MB, mostly the ids of the unmatched) and a placement's score breakdown with its sentences. As `json` they are
// stored as written, only validated, instead of parsed into `jsonb`'s binary form: a million-trainee round recorded
// its result in 2.4 s instead of 3.6 s. Compressed with lz4 where the server has it (much faster than the default
// pglz on 45 MB; the result shrinks to 15 MB); a server built without lz4 keeps pglz.
export async function up(db: Kysely<unknown>): Promise<void> {
  await sql`ALTER TABLE match_rounds ALTER COLUMN result TYPE json USING result::json`.execute(db);
  await sql`ALTER TABLE placements ALTER COLUMN breakdown TYPE json USING breakdown::json`.execute(db);
  await sql`
    DO $$ BEGIN
      ALTER TABLE match_rounds ALTER COLUMN result SET COMPRESSION lz4;
      ALTER TABLE placements ALTER COLUMN breakdown SET COMPRESSION lz4;
    EXCEPTION WHEN feature_not_supported THEN NULL;
    END $$`.execute(db);
}

export async function down(db: Kysely<unknown>): Promise<void> {
  await sql`ALTER TABLE placements ALTER COLUMN breakdown TYPE jsonb USING breakdown::jsonb`.execute(db);
  await sql`ALTER TABLE match_rounds ALTER COLUMN result TYPE jsonb USING result::jsonb`.execute(db);
}
