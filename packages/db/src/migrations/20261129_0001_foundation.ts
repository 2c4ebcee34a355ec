import { type Kysely, sql } from 'kysely';

// The foundation schema: tenants, keys, partnerships, trainees, vacancies, the outbox and idempotency records.
// Trainee and vacancy aggregates keep their nested parts (qualifications, languages, experience; terms,
// requirements, cost sharing) as jsonb documents validated by @corridor/domain, and copy into plain columns
// only what queries filter on. That keeps bulk ingest at one row per profile and the matching prefilter indexable.
export async function up(db: Kysely<unknown>): Promise<void> {
  await sql`
    CREATE TABLE organizations (
      id uuid PRIMARY KEY,
      name text NOT NULL,
      kind text NOT NULL CHECK (kind IN ('employer', 'recruitment_agency', 'training_provider', 'partnership_admin')),
      country char(2) NOT NULL,
      created_at timestamptz NOT NULL DEFAULT now()
    )`.execute(db);

  await sql`
    CREATE TABLE agency_mandates (
      agency_id uuid NOT NULL REFERENCES organizations(id) ON DELETE CASCADE,
      employer_id uuid NOT NULL REFERENCES organizations(id) ON DELETE CASCADE,
      created_at timestamptz NOT NULL DEFAULT now(),
      PRIMARY KEY (agency_id, employer_id)
    )`.execute(db);
  // Serves "which agencies act for this employer" (tenancy checks on vacancies posted by agencies).
  await sql`CREATE INDEX agency_mandates_employer_idx ON agency_mandates (employer_id)`.execute(db);

  await sql`
    CREATE TABLE partnerships (
      id uuid PRIMARY KEY,
      name text NOT NULL,
      origin char(2) NOT NULL,
      destination char(2) NOT NULL,
      sectors text[] NOT NULL,
      occupations text[] NOT NULL DEFAULT '{}',
      model text NOT NULL CHECK (model IN ('traditional', 'global_skills_partnership')),
      government_to_government boolean NOT NULL DEFAULT false,
      admin_org_id uuid REFERENCES organizations(id),
      created_at timestamptz NOT NULL DEFAULT now()
    )`.execute(db);
  // Serves the partnership admin's own list.
  await sql`CREATE INDEX partnerships_admin_idx ON partnerships (admin_org_id, id)`.execute(db);

  await sql`
    CREATE TABLE partnership_members (
      partnership_id uuid NOT NULL REFERENCES partnerships(id) ON DELETE CASCADE,
      organization_id uuid NOT NULL REFERENCES organizations(id) ON DELETE CASCADE,
      role text NOT NULL CHECK (role IN ('employer', 'recruitment_agency', 'training_provider')),
      PRIMARY KEY (partnership_id, organization_id)
    )`.execute(db);
  // Serves "which partnerships is this organization in" (tenancy).
  await sql`CREATE INDEX partnership_members_org_idx ON partnership_members (organization_id)`.execute(db);

  await sql`
    CREATE TABLE cohorts (
      id uuid PRIMARY KEY,
      partnership_id uuid NOT NULL REFERENCES partnerships(id) ON DELETE CASCADE,
      name text NOT NULL,
      start_date date NOT NULL,
      tracks text[] NOT NULL,
      created_at timestamptz NOT NULL DEFAULT now(),
      UNIQUE (partnership_id, name)
    )`.execute(db);

  await sql`
    CREATE TABLE trainees (
      id uuid PRIMARY KEY,
      owner_org_id uuid NOT NULL REFERENCES organizations(id),
      external_ref text,
      status text NOT NULL DEFAULT 'active' CHECK (status IN ('active', 'erased')),
      -- Personal data: never logged, nulled on erasure, hidden from employers until consent.
      given_name text,
      family_name text,
      email text,
      date_of_birth date,
      -- Plain columns for filtering and matching.
      nationality char(2) NOT NULL,
      residence char(2),
      isco08 char(4) NOT NULL,
      partnership_id uuid REFERENCES partnerships(id),
      cohort text,
      track text,
      preferred_destinations text[] NOT NULL DEFAULT '{}',
      -- One token per language at the person's best CEFR level, e.g. {de:B1,en:C1}. "At least B1 German" is the
      -- GIN-indexable overlap language_levels && '{de:B1,de:B2,de:C1,de:C2}'. (One token per language rather than
      -- one per level keeps the GIN index a third of the size and bulk ingest measurably faster.)
      language_levels text[] NOT NULL DEFAULT '{}',
      earliest_start date,
      consent_share_profile boolean NOT NULL DEFAULT false,
      consent_contact_email boolean NOT NULL DEFAULT false,
      -- The rest of the validated profile without personal identifiers (qualifications, languages, experience, ...).
      -- json, not jsonb: it is only ever read whole into the application, and skipping jsonb's binary conversion
      -- makes bulk ingest about a third cheaper for the database.
      profile json NOT NULL,
      -- A hash of everything a write sets: an identical re-post is recognised without comparing documents.
      content_hash text NOT NULL,
      version integer NOT NULL DEFAULT 1,
      created_at timestamptz NOT NULL DEFAULT now(),
      updated_at timestamptz NOT NULL DEFAULT now(),
      erased_at timestamptz
    )`.execute(db);
  // Idempotent upsert by externalRef, unique per owning organization.
  await sql`CREATE UNIQUE INDEX trainees_owner_external_ref_key ON trainees (owner_org_id, external_ref)`.execute(db);
  // Serves the owner's cursor-paginated list (ORDER BY id) and its filters.
  await sql`CREATE INDEX trainees_owner_idx ON trainees (owner_org_id, id)`.execute(db);
  // Serves partnership-admin lists and cohort match rounds.
  await sql`CREATE INDEX trainees_partnership_cohort_idx ON trainees (partnership_id, cohort) WHERE partnership_id IS NOT NULL`.execute(
    db,
  );
  // Matching prefilter: active trainees by occupation and nationality (safeguard list), then destinations and languages.
  await sql`CREATE INDEX trainees_match_idx ON trainees (isco08, nationality) WHERE status = 'active'`.execute(db);
  await sql`CREATE INDEX trainees_destinations_gin ON trainees USING gin (preferred_destinations)`.execute(db);
  await sql`CREATE INDEX trainees_language_levels_gin ON trainees USING gin (language_levels)`.execute(db);

  await sql`
    CREATE TABLE vacancies (
      id uuid PRIMARY KEY,
      employer_id uuid NOT NULL REFERENCES organizations(id),
      created_by_org_id uuid NOT NULL REFERENCES organizations(id),
      external_ref text,
      partnership_id uuid REFERENCES partnerships(id),
      title text NOT NULL,
      headcount integer NOT NULL CHECK (headcount > 0),
      status text NOT NULL DEFAULT 'open' CHECK (status IN ('open', 'paused', 'filled', 'closed')),
      sector char(1) NOT NULL,
      isco08 char(4) NOT NULL,
      destination char(2) NOT NULL,
      region text,
      start_date date,
      pathways text[] NOT NULL,
      -- The minimum level for each required language, as language:level tokens (see trainees.language_levels).
      required_languages text[] NOT NULL DEFAULT '{}',
      terms jsonb NOT NULL,
      requirements jsonb NOT NULL,
      cost_sharing jsonb NOT NULL,
      version integer NOT NULL DEFAULT 1,
      created_at timestamptz NOT NULL DEFAULT now(),
      updated_at timestamptz NOT NULL DEFAULT now()
    )`.execute(db);
  // Idempotent upsert by externalRef, unique per employer.
  await sql`CREATE UNIQUE INDEX vacancies_employer_external_ref_key ON vacancies (employer_id, external_ref)`.execute(
    db,
  );
  // Serves an employer's (or an agency's, per mandated employer) cursor-paginated list.
  await sql`CREATE INDEX vacancies_employer_idx ON vacancies (employer_id, id)`.execute(db);
  // Matching prefilter for a new trainee: open vacancies by occupation and destination.
  await sql`CREATE INDEX vacancies_match_idx ON vacancies (isco08, destination) WHERE status = 'open'`.execute(db);
  // Serves GET /v1/vacancies?status=&destination=&sector= for admins and partnership views.
  await sql`CREATE INDEX vacancies_status_destination_idx ON vacancies (status, destination, sector)`.execute(db);

  await sql`
    CREATE TABLE api_keys (
      id uuid PRIMARY KEY,
      -- The public part of the key (crdr_<lookup>_...): found in leaked text by the prefix, looked up by this column.
      lookup text NOT NULL UNIQUE,
      -- SHA-256 of the whole key; keys are 256-bit random, so a fast hash is enough (no password stretching needed).
      hash bytea NOT NULL,
      role text NOT NULL,
      organization_id uuid REFERENCES organizations(id) ON DELETE CASCADE,
      trainee_id uuid REFERENCES trainees(id) ON DELETE CASCADE,
      label text,
      created_at timestamptz NOT NULL DEFAULT now(),
      revoked_at timestamptz,
      CHECK ((organization_id IS NULL) <> (trainee_id IS NULL))
    )`.execute(db);

  await sql`
    CREATE TABLE outbox (
      id bigserial PRIMARY KEY,
      event_id uuid NOT NULL UNIQUE,
      type text NOT NULL,
      aggregate_type text NOT NULL,
      aggregate_id uuid NOT NULL,
      -- Ids and changed field names only: no personal data, so events need no erasure.
      payload jsonb NOT NULL,
      created_at timestamptz NOT NULL DEFAULT now(),
      relayed_at timestamptz
    )`.execute(db);
  // Serves the relay: oldest unrelayed events first (FOR UPDATE SKIP LOCKED batches).
  await sql`CREATE INDEX outbox_pending_idx ON outbox (id) WHERE relayed_at IS NULL`.execute(db);

  await sql`
    CREATE TABLE idempotency_records (
      scope text NOT NULL,
      key text NOT NULL,
      request_hash text NOT NULL,
      status_code integer NOT NULL,
      response jsonb NOT NULL,
      -- The trainee a stored response describes, so erasure can delete the copy too.
      trainee_id uuid,
      created_at timestamptz NOT NULL DEFAULT now(),
      PRIMARY KEY (scope, key)
    )`.execute(db);
  // Serves erasure (delete stored responses about a trainee) and the 24 h expiry sweep.
  await sql`CREATE INDEX idempotency_records_trainee_idx ON idempotency_records (trainee_id) WHERE trainee_id IS NOT NULL`.execute(
    db,
  );
  await sql`CREATE INDEX idempotency_records_created_idx ON idempotency_records (created_at)`.execute(db);
}

export async function down(db: Kysely<unknown>): Promise<void> {
  for (const table of [
    'idempotency_records',
    'outbox',
    'api_keys',
    'vacancies',
    'trainees',
    'cohorts',
    'partnership_members',
    'partnerships',
    'agency_mandates',
    'organizations',
  ]) {
    await sql`DROP TABLE IF EXISTS ${sql.table(table)}`.execute(db);
  }
}
