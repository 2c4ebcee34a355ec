import { type Kysely, sql } from 'kysely';

// Candidate placements, their audit trail, and cohort match rounds (issue 4).
// A placement is one (vacancy, trainee) pair the engine proposed. It keeps the score, the named score components,
// the pathways and rule-pack versions it was built from: ranking people for jobs is high-risk under the EU AI Act
// (Annex III 4(a)), so every proposal must be traceable later. People decide; the engine only proposes.
export async function up(db: Kysely<unknown>): Promise<void> {
  await sql`
    CREATE TABLE placements (
      id uuid PRIMARY KEY,
      vacancy_id uuid NOT NULL REFERENCES vacancies(id) ON DELETE CASCADE,
      trainee_id uuid NOT NULL REFERENCES trainees(id) ON DELETE CASCADE,
      status text NOT NULL CHECK (status IN (
        'proposed', 'accepted_by_employer', 'accepted_by_trainee', 'matched',
        'visa_lodged', 'visa_granted', 'arrived', 'licensed', 'retained_12m', 'returned',
        'declined', 'withdrawn')),
      -- Who put the pair forward: a vacancy's shortlist, or a cohort match round (kept out of shortlist trimming).
      source text NOT NULL CHECK (source IN ('shortlist', 'round')),
      match_round_id uuid,
      score double precision NOT NULL,
      -- Position in the vacancy's shortlist at the last run (1 = best); null once the pair is no longer proposed.
      rank integer,
      -- [{ factor, weight, value, detail, belowSkill? }]: the score is exactly the sum of weight × value.
      breakdown jsonb NOT NULL,
      -- [{ pathwayId, status }]: the vacancy's pathways the trainee qualified on, as of the vacancy's start date.
      pathways jsonb NOT NULL,
      -- { pathwayId: packVersion } of the rule packs that decided those statuses.
      pack_versions jsonb NOT NULL,
      below_skill boolean NOT NULL DEFAULT false,
      employer_decision text CHECK (employer_decision IN ('accepted', 'declined')),
      trainee_decision text CHECK (trainee_decision IN ('accepted', 'declined')),
      withdrawn_reason text,
      version integer NOT NULL DEFAULT 1,
      created_at timestamptz NOT NULL DEFAULT now(),
      updated_at timestamptz NOT NULL DEFAULT now(),
      UNIQUE (vacancy_id, trainee_id)
    )`.execute(db);
  // Serves GET /v1/vacancies/{id}/matches (best first, keyset on score then trainee) and the shortlist upsert.
  await sql`CREATE INDEX placements_vacancy_score_idx ON placements (vacancy_id, score DESC, trainee_id)`.execute(db);
  // Serves GET /v1/trainees/{id}/matches and match.trainee (a trainee's open proposals).
  await sql`CREATE INDEX placements_trainee_idx ON placements (trainee_id, score DESC, vacancy_id)`.execute(db);

  await sql`
    CREATE TABLE placement_events (
      id bigserial PRIMARY KEY,
      placement_id uuid NOT NULL REFERENCES placements(id) ON DELETE CASCADE,
      from_status text,
      to_status text NOT NULL,
      -- 'engine', 'employer', 'trainee', 'admin': which side acted.
      actor_side text NOT NULL,
      -- The key's organization or trainee id (never a name): who exactly acted.
      actor_id text,
      reason text,
      at timestamptz NOT NULL DEFAULT now()
    )`.execute(db);
  // Serves a placement's history in order (GET /v1/placements/{id}).
  await sql`CREATE INDEX placement_events_placement_idx ON placement_events (placement_id, id)`.execute(db);

  await sql`
    CREATE TABLE match_rounds (
      id uuid PRIMARY KEY,
      partnership_id uuid NOT NULL REFERENCES partnerships(id) ON DELETE CASCADE,
      cohort text NOT NULL,
      status text NOT NULL DEFAULT 'queued' CHECK (status IN ('queued', 'running', 'done', 'failed')),
      requested_by text NOT NULL,
      -- { matches, unfilled, unmatchedTrainees, stats }: ids only.
      result jsonb,
      error text,
      created_at timestamptz NOT NULL DEFAULT now(),
      started_at timestamptz,
      finished_at timestamptz
    )`.execute(db);
  // Serves a partnership's rounds, newest first.
  await sql`CREATE INDEX match_rounds_partnership_idx ON match_rounds (partnership_id, created_at DESC)`.execute(db);
}

export async function down(db: Kysely<unknown>): Promise<void> {
  await sql`DROP TABLE IF EXISTS match_rounds`.execute(db);
  await sql`DROP TABLE IF EXISTS placement_events`.execute(db);
  await sql`DROP TABLE IF EXISTS placements`.execute(db);
}
