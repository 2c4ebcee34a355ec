import { type Kysely, sql } from 'kysely';

// Notifications (issue 5): who is told, through which channel, and a ledger of every delivery.
// Nothing here stores a trainee's name, email or date of birth: emails to trainees are addressed at send time
// from `trainees.email` (erasure nulls it, so a pending email to an erased trainee is cancelled), and what the
// employer side receives is the pseudonymised view. Erasure therefore only has to delete the trainee's inbox,
// preferences and the pseudonymised facts in their deliveries (`subject_trainee_id`).
export async function up(db: Kysely<unknown>): Promise<void> {
  // People at an organization who receive its emails (the organization's inbox and webhooks are per organization).
  await sql`
    CREATE TABLE notification_contacts (
      id uuid PRIMARY KEY,
      organization_id uuid NOT NULL REFERENCES organizations(id) ON DELETE CASCADE,
      email text NOT NULL,
      name text,
      locale text NOT NULL DEFAULT 'en',
      created_at timestamptz NOT NULL DEFAULT now(),
      UNIQUE (organization_id, email)
    )`.execute(db);

  // One row per recipient (a contact or a trainee): channels per event type, and the token behind the
  // preferences and unsubscribe links in every email (a random secret, so a link works without logging in).
  await sql`
    CREATE TABLE notification_preferences (
      recipient_kind text NOT NULL CHECK (recipient_kind IN ('contact', 'trainee')),
      recipient_id uuid NOT NULL,
      -- { "placement.proposed": ["email", "inbox"], ... }; an event type not listed gets every channel.
      channels jsonb NOT NULL DEFAULT '{}',
      -- One-click unsubscribe (RFC 8058): no email at all, whatever the per-event choices say.
      email_unsubscribed boolean NOT NULL DEFAULT false,
      token text NOT NULL UNIQUE,
      updated_at timestamptz NOT NULL DEFAULT now(),
      PRIMARY KEY (recipient_kind, recipient_id)
    )`.execute(db);

  await sql`
    CREATE TABLE webhook_endpoints (
      id uuid PRIMARY KEY,
      organization_id uuid NOT NULL REFERENCES organizations(id) ON DELETE CASCADE,
      url text NOT NULL,
      events text[] NOT NULL,
      description text,
      -- Standard Webhooks secrets (whsec_…). They sign, so they are kept, not hashed. After a rotation the old
      -- one keeps signing too (a second signature) until it expires, so receivers can switch without a gap.
      secret text NOT NULL,
      previous_secret text,
      previous_secret_expires_at timestamptz,
      status text NOT NULL DEFAULT 'enabled' CHECK (status IN ('enabled', 'disabled')),
      disabled_reason text,
      disabled_at timestamptz,
      -- Failed attempts in a row and when that run began: "sustained failure" needs both.
      consecutive_failures integer NOT NULL DEFAULT 0,
      failing_since timestamptz,
      -- Set by 429 + Retry-After: nothing is sent to the endpoint before then.
      throttled_until timestamptz,
      created_at timestamptz NOT NULL DEFAULT now(),
      updated_at timestamptz NOT NULL DEFAULT now()
    )`.execute(db);
  // Serves fan-out (an organization's endpoints) and the endpoint list.
  await sql`CREATE INDEX webhook_endpoints_org_idx ON webhook_endpoints (organization_id, id)`.execute(db);

  // The delivery ledger: one row per event (or digest), recipient and channel. The dedupe key makes fan-out
  // idempotent (a repeated event or a retried fan-out job inserts nothing), and the row's status is what makes
  // a send happen once in effect: a try claims the row (pending → sending) before it sends.
  await sql`
    CREATE TABLE notification_deliveries (
      id uuid PRIMARY KEY,
      dedupe_key text NOT NULL UNIQUE,
      event_id uuid NOT NULL,
      event_type text NOT NULL,
      channel text NOT NULL CHECK (channel IN ('email', 'webhook')),
      -- The tenant whose log lists it: the receiving organization (null for an email to a trainee).
      organization_id uuid,
      contact_id uuid REFERENCES notification_contacts(id) ON DELETE CASCADE,
      endpoint_id uuid REFERENCES webhook_endpoints(id) ON DELETE CASCADE,
      trainee_id uuid,
      -- The trainee the message is about (erasure), and the message to render.
      subject_trainee_id uuid,
      template text NOT NULL,
      -- Ids and pseudonymised facts only; for a webhook, exactly the body every attempt sends.
      data jsonb NOT NULL,
      status text NOT NULL DEFAULT 'pending' CHECK (status IN ('pending', 'sending', 'sent', 'failed', 'cancelled')),
      attempts integer NOT NULL DEFAULT 0,
      next_attempt_at timestamptz NOT NULL DEFAULT now(),
      -- Handed to the queue until then: the sweeper does not hand it over again in the meantime.
      queued_until timestamptz,
      -- A try holds the row until then; a worker that died mid-send leaves it to be retried after.
      lease_until timestamptz,
      last_error text,
      last_status_code integer,
      sent_at timestamptz,
      created_at timestamptz NOT NULL DEFAULT now(),
      updated_at timestamptz NOT NULL DEFAULT now(),
      CHECK ((channel = 'email') = (contact_id IS NOT NULL OR trainee_id IS NOT NULL)),
      CHECK ((channel = 'webhook') = (endpoint_id IS NOT NULL))
    )`.execute(db);
  // Serves the sweeper: due retries, digests and expired leases, oldest first.
  await sql`CREATE INDEX notification_deliveries_due_idx ON notification_deliveries (next_attempt_at)
    WHERE status IN ('pending', 'sending')`.execute(db);
  // Serves an organization's delivery log, newest first, and an endpoint's.
  await sql`CREATE INDEX notification_deliveries_org_idx ON notification_deliveries (organization_id, id DESC)`.execute(
    db,
  );
  await sql`CREATE INDEX notification_deliveries_endpoint_idx ON notification_deliveries (endpoint_id, id DESC)
    WHERE endpoint_id IS NOT NULL`.execute(db);
  // Serves erasure.
  await sql`CREATE INDEX notification_deliveries_subject_idx ON notification_deliveries (subject_trainee_id)
    WHERE subject_trainee_id IS NOT NULL`.execute(db);
  await sql`CREATE INDEX notification_deliveries_trainee_idx ON notification_deliveries (trainee_id)
    WHERE trainee_id IS NOT NULL`.execute(db);

  // The in-app inbox: written at fan-out (no send, so no ledger row), unique per event and recipient.
  await sql`
    CREATE TABLE inbox_items (
      id uuid PRIMARY KEY,
      recipient_kind text NOT NULL CHECK (recipient_kind IN ('organization', 'trainee')),
      recipient_id uuid NOT NULL,
      event_id uuid NOT NULL,
      event_type text NOT NULL,
      subject_trainee_id uuid,
      title text NOT NULL,
      body text NOT NULL,
      data jsonb NOT NULL,
      created_at timestamptz NOT NULL DEFAULT now(),
      read_at timestamptz,
      UNIQUE (event_id, recipient_kind, recipient_id)
    )`.execute(db);
  // Serves GET /v1/inbox (newest first) and the unread count.
  await sql`CREATE INDEX inbox_items_recipient_idx ON inbox_items (recipient_kind, recipient_id, id DESC)`.execute(db);
  await sql`CREATE INDEX inbox_items_unread_idx ON inbox_items (recipient_kind, recipient_id) WHERE read_at IS NULL`.execute(
    db,
  );
  await sql`CREATE INDEX inbox_items_subject_idx ON inbox_items (subject_trainee_id)
    WHERE subject_trainee_id IS NOT NULL`.execute(db);

  // The audit trail of identity releases: which organization got which trainee's contact details, when and why.
  // Kept after erasure (no personal data in it): it records that a release happened, not what was released.
  await sql`
    CREATE TABLE disclosures (
      id bigserial PRIMARY KEY,
      trainee_id uuid NOT NULL,
      organization_id uuid NOT NULL,
      placement_id uuid,
      fields text[] NOT NULL,
      reason text NOT NULL,
      at timestamptz NOT NULL DEFAULT now(),
      UNIQUE (trainee_id, organization_id, placement_id)
    )`.execute(db);
}

export async function down(db: Kysely<unknown>): Promise<void> {
  for (const table of [
    'disclosures',
    'inbox_items',
    'notification_deliveries',
    'webhook_endpoints',
    'notification_preferences',
    'notification_contacts',
  ]) {
    await sql`DROP TABLE IF EXISTS ${sql.table(table)}`.execute(db);
  }
}
