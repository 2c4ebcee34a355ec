import { type Kysely, sql } from 'kysely';

// Stored eligibility and published rule-pack versions (issue 3).
// Every stored result keeps the pack version it used, the as-of date, the whole explained result and the ids of
// the criteria that failed: an automated ranking of people for jobs is high-risk under the EU AI Act (Annex III
// 4(a)), which asks that each decision can be traced and explained later.
export async function up(db: Kysely<unknown>): Promise<void> {
  await sql`
    CREATE TABLE rule_pack_versions (
      id uuid PRIMARY KEY,
      pathway_id text NOT NULL,
      version text NOT NULL,
      effective_from date NOT NULL,
      effective_to date,
      -- The pack exactly as validated on publish (the rules package's RulePack, defaults applied).
      pack jsonb NOT NULL,
      published_by text NOT NULL,
      published_at timestamptz NOT NULL DEFAULT now(),
      -- A version names one pack for good: a correction is a new version, so stored results stay explainable.
      UNIQUE (pathway_id, version)
    )`.execute(db);

  await sql`
    CREATE TABLE eligibility_results (
      trainee_id uuid NOT NULL REFERENCES trainees(id) ON DELETE CASCADE,
      pathway_id text NOT NULL,
      pack_version text NOT NULL,
      status text NOT NULL CHECK (status IN ('eligible', 'conditionally_eligible', 'not_eligible', 'insufficient_data')),
      -- The legally relevant date the result was computed for (picks the pack version and dated thresholds).
      as_of date NOT NULL,
      -- The whole explained result. json, not jsonb: it is only ever read whole, and skipping jsonb's binary
      -- conversion makes the bulk upserts of (re-)evaluation markedly cheaper (as for trainees.profile).
      result json NOT NULL,
      -- Ids of the criteria the profile did not meet (status unmet): what a reviewer looks at first.
      failed_criteria text[] NOT NULL DEFAULT '{}',
      -- A hash of the result document: re-evaluating an unchanged outcome writes nothing (idempotent chunks).
      result_hash text NOT NULL,
      evaluated_at timestamptz NOT NULL DEFAULT now(),
      PRIMARY KEY (trainee_id, pathway_id)
    )`.execute(db);
  // Serves matching ("trainees eligible for pathway X") and re-evaluation statistics per pathway and status.
  await sql`CREATE INDEX eligibility_results_pathway_status_idx ON eligibility_results (pathway_id, status)`.execute(
    db,
  );
}

export async function down(db: Kysely<unknown>): Promise<void> {
  await sql`DROP TABLE IF EXISTS eligibility_results`.execute(db);
  await sql`DROP TABLE IF EXISTS rule_pack_versions`.execute(db);
}
