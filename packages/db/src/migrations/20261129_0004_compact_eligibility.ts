import { type Kysely, sql } from 'kysely';

// Compact stored eligibility (issue 3, re-evaluation at a million trainees).
// A stored result no longer keeps the explained document (~2 KB, a third of it sources and another third detail
// sentences); it keeps the decision and what is needed to explain it again: the pack version, the as-of date, the
// ids of the criteria that were unmet and unknown, the points, and the hash of the profile it was computed from.
// The evaluator is deterministic, so evaluating that profile with that pack version as of that date reproduces
// the explanation exactly (GET /v1/trainees/{id}/eligibility does so); when the profile has changed since, the
// stored decision is still the record (EU AI Act logging: version, date, unmet criteria).
export async function up(db: Kysely<unknown>): Promise<void> {
  await sql`
    ALTER TABLE eligibility_results
      ADD COLUMN unknown_criteria text[] NOT NULL DEFAULT '{}',
      -- The points total of a points-tested pathway (the ranking score for ca-crs); null when the pack has none.
      ADD COLUMN points integer,
      -- The first 11 characters (66 bits) of trainees.content_hash when evaluated: '' = not known (rows from
      -- before this migration), so their explanation is recomputed from the current profile and flagged as such.
      ADD COLUMN profile_hash text NOT NULL DEFAULT ''`.execute(db);
  // Keep what the old documents said about unknown criteria and points before they go.
  await sql`
    UPDATE eligibility_results SET
      unknown_criteria = coalesce(
        (SELECT array_agg(c->>'id') FROM json_array_elements(result->'criteria') c WHERE c->>'status' = 'unknown'),
        '{}'),
      points = CASE
        WHEN result->'points' IS NOT NULL THEN round((result->'points'->>'total')::numeric)::integer
        ELSE (SELECT round((c->>'points')::numeric)::integer FROM json_array_elements(result->'criteria') c
              WHERE c->>'id' = 'points' LIMIT 1)
      END`.execute(db);
  await sql`ALTER TABLE eligibility_results DROP COLUMN result, DROP COLUMN result_hash`.execute(db);
  // Room on each page for the re-evaluation of one pathway (1 row in 21 per trainee) to update in place (HOT)
  // when the status is unchanged: no new index entries, far less write traffic. Applies to pages written from now.
  await sql`ALTER TABLE eligibility_results SET (fillfactor = 85)`.execute(db);
}

export async function down(db: Kysely<unknown>): Promise<void> {
  await sql`ALTER TABLE eligibility_results RESET (fillfactor)`.execute(db);
  // The explained documents cannot be restored: rows are emptied to be recomputed (the hash never matches).
  await sql`
    ALTER TABLE eligibility_results
      ADD COLUMN result json NOT NULL DEFAULT '{}',
      ADD COLUMN result_hash text NOT NULL DEFAULT ''`.execute(db);
  await sql`ALTER TABLE eligibility_results DROP COLUMN unknown_criteria, DROP COLUMN points, DROP COLUMN profile_hash`.execute(
    db,
  );
}
