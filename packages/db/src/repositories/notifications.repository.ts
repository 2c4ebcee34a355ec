import { randomBytes } from 'node:crypto';
import { sql } from 'kysely';
import { newId } from '../ids.ts';
import type { DeliveryChannel, DeliveryStatus } from '../schema/notifications.ts';
import { pageById } from './cursor.ts';
import type { Executor } from './executor.ts';

type Page = { limit: number; cursor?: string | undefined };

// The notification ledger, inbox, endpoints, contacts, preferences and disclosures (issue 5). Every query that an
// API caller reaches takes the owning organization or trainee as a parameter: tenancy is in the WHERE clause.

export type InboxRecipient = { kind: 'organization' | 'trainee'; id: string };

export interface DeliveryWrite {
  dedupeKey: string;
  eventId: string;
  eventType: string;
  channel: DeliveryChannel;
  organizationId: string | null;
  contactId?: string | null;
  endpointId?: string | null;
  traineeId?: string | null;
  subjectTraineeId: string | null;
  template: string;
  data: Record<string, unknown>;
  /** When the first try may run: now, or the end of a digest window. */
  notBefore?: Date;
}

export interface InboxWrite {
  recipient: InboxRecipient;
  eventId: string;
  eventType: string;
  subjectTraineeId: string | null;
  title: string;
  body: string;
  data: Record<string, unknown>;
}

/** What one try of a delivery came to. */
export type DeliveryOutcome =
  | { id: string; status: 'sent'; statusCode?: number | null }
  | {
      id: string;
      status: 'pending';
      retryAt: Date;
      error: string;
      statusCode?: number | null;
      countsAsAttempt: boolean;
    }
  | { id: string; status: 'failed' | 'cancelled'; error: string; statusCode?: number | null };

/** Matches no row: an empty tenancy list must find nothing, and `IN ()` is not SQL. */
const NO_ID = '00000000-0000-0000-0000-000000000000';

const newToken = (): string => randomBytes(24).toString('base64url');

export const notificationContactsRepository = {
  create(db: Executor, organizationId: string, contact: { email: string; name?: string | undefined; locale: string }) {
    return db
      .insertInto('notification_contacts')
      .values({
        id: newId(),
        organization_id: organizationId,
        email: contact.email,
        name: contact.name ?? null,
        locale: contact.locale,
      })
      .onConflict((oc) => oc.columns(['organization_id', 'email']).doNothing())
      .returningAll()
      .executeTakeFirst();
  },

  list(db: Executor, organizationId: string) {
    return db
      .selectFrom('notification_contacts')
      .selectAll()
      .where('organization_id', '=', organizationId)
      .orderBy('id')
      .execute();
  },

  async remove(db: Executor, organizationId: string, id: string): Promise<boolean> {
    const r = await db
      .deleteFrom('notification_contacts')
      .where('organization_id', '=', organizationId)
      .where('id', '=', id)
      .executeTakeFirst();
    if (r.numDeletedRows > 0n)
      await db
        .deleteFrom('notification_preferences')
        .where('recipient_kind', '=', 'contact')
        .where('recipient_id', '=', id)
        .execute();
    return r.numDeletedRows > 0n;
  },

  forOrganizations(db: Executor, organizationIds: readonly string[]) {
    if (organizationIds.length === 0) return Promise.resolve([]);
    return db
      .selectFrom('notification_contacts')
      .selectAll()
      .where('organization_id', 'in', [...organizationIds])
      .execute();
  },

  byIds(db: Executor, ids: readonly string[]) {
    if (ids.length === 0) return Promise.resolve([]);
    return db
      .selectFrom('notification_contacts')
      .selectAll()
      .where('id', 'in', [...ids])
      .execute();
  },
};

export const notificationPreferencesRepository = {
  /** The recipients' rows, created (with a fresh link token) for those that have none yet. */
  async ensure(db: Executor, kind: 'contact' | 'trainee', ids: readonly string[]) {
    if (ids.length === 0) return [];
    const unique = [...new Set(ids)];
    await db
      .insertInto('notification_preferences')
      .values(unique.map((id) => ({ recipient_kind: kind, recipient_id: id, token: newToken() })))
      .onConflict((oc) => oc.columns(['recipient_kind', 'recipient_id']).doNothing())
      .execute();
    return notificationPreferencesRepository.forRecipients(db, kind, unique);
  },

  /** The recipients' rows as they are (fan-out created them; a missing row means the recipient was removed). */
  forRecipients(db: Executor, kind: 'contact' | 'trainee', ids: readonly string[]) {
    if (ids.length === 0) return Promise.resolve([]);
    return db
      .selectFrom('notification_preferences')
      .selectAll()
      .where('recipient_kind', '=', kind)
      .where('recipient_id', 'in', [...new Set(ids)])
      .execute();
  },

  byToken(db: Executor, token: string) {
    return db.selectFrom('notification_preferences').selectAll().where('token', '=', token).executeTakeFirst();
  },

  update(db: Executor, token: string, change: { channels?: Record<string, string[]>; emailUnsubscribed?: boolean }) {
    return db
      .updateTable('notification_preferences')
      .set({
        ...(change.channels ? { channels: JSON.stringify(change.channels) } : {}),
        ...(change.emailUnsubscribed !== undefined ? { email_unsubscribed: change.emailUnsubscribed } : {}),
        updated_at: new Date(),
      })
      .where('token', '=', token)
      .returningAll()
      .executeTakeFirst();
  },
};

export const webhookEndpointsRepository = {
  create(
    db: Executor,
    e: { organizationId: string; url: string; events: string[]; description?: string | undefined; secret: string },
  ) {
    return db
      .insertInto('webhook_endpoints')
      .values({
        id: newId(),
        organization_id: e.organizationId,
        url: e.url,
        events: e.events,
        description: e.description ?? null,
        secret: e.secret,
        previous_secret: null,
        previous_secret_expires_at: null,
        disabled_reason: null,
        disabled_at: null,
        failing_since: null,
        throttled_until: null,
      })
      .returningAll()
      .executeTakeFirstOrThrow();
  },

  /** `organizationIds` null: every organization (platform admin). */
  list(db: Executor, organizationIds: readonly string[] | null, page: Page) {
    return pageById(page, (after, limit) => {
      let q = db.selectFrom('webhook_endpoints').selectAll();
      if (organizationIds)
        q = q.where('organization_id', 'in', organizationIds.length ? [...organizationIds] : [NO_ID]);
      if (after) q = q.where('id', '>', after);
      return q.orderBy('id').limit(limit).execute();
    });
  },

  find(db: Executor, organizationIds: readonly string[] | null, id: string) {
    let q = db.selectFrom('webhook_endpoints').selectAll().where('id', '=', id);
    if (organizationIds) q = q.where('organization_id', 'in', organizationIds.length ? [...organizationIds] : [NO_ID]);
    return q.executeTakeFirst();
  },

  update(
    db: Executor,
    id: string,
    change: { url?: string; events?: string[]; description?: string | null; enabled?: boolean },
  ) {
    return db
      .updateTable('webhook_endpoints')
      .set({
        ...(change.url !== undefined ? { url: change.url } : {}),
        ...(change.events !== undefined ? { events: change.events } : {}),
        ...(change.description !== undefined ? { description: change.description } : {}),
        ...(change.enabled === true
          ? {
              status: 'enabled' as const,
              disabled_reason: null,
              disabled_at: null,
              consecutive_failures: 0,
              failing_since: null,
            }
          : {}),
        ...(change.enabled === false
          ? { status: 'disabled' as const, disabled_reason: 'disabled by its organization', disabled_at: new Date() }
          : {}),
        updated_at: new Date(),
      })
      .where('id', '=', id)
      .returningAll()
      .executeTakeFirst();
  },

  remove(db: Executor, id: string) {
    return db.deleteFrom('webhook_endpoints').where('id', '=', id).executeTakeFirst();
  },

  /** The new secret signs from now on; the old one also signs until `graceUntil`. */
  rotateSecret(db: Executor, id: string, secret: string, graceUntil: Date) {
    return db
      .updateTable('webhook_endpoints')
      .set((eb) => ({
        previous_secret: eb.ref('secret'),
        previous_secret_expires_at: graceUntil,
        secret,
        updated_at: new Date(),
      }))
      .where('id', '=', id)
      .returningAll()
      .executeTakeFirst();
  },

  /** Enabled endpoints of these organizations subscribed to any of these event types. */
  subscribed(db: Executor, organizationIds: readonly string[], eventTypes: readonly string[]) {
    if (organizationIds.length === 0 || eventTypes.length === 0) return Promise.resolve([]);
    return db
      .selectFrom('webhook_endpoints')
      .select(['id', 'organization_id', 'events'])
      .where('organization_id', 'in', [...organizationIds])
      .where('status', '=', 'enabled')
      .where(sql<boolean>`events && ${sql.val([...eventTypes])}::text[]`)
      .execute();
  },

  byIds(db: Executor, ids: readonly string[]) {
    if (ids.length === 0) return Promise.resolve([]);
    return db
      .selectFrom('webhook_endpoints')
      .selectAll()
      .where('id', 'in', [...ids])
      .execute();
  },

  /** A successful delivery ends a failure run. Only touches endpoints that were failing (no write otherwise). */
  recordSuccess(db: Executor, ids: readonly string[]) {
    if (ids.length === 0) return Promise.resolve();
    return db
      .updateTable('webhook_endpoints')
      .set({ consecutive_failures: 0, failing_since: null })
      .where('id', 'in', [...ids])
      .where('consecutive_failures', '>', 0)
      .execute()
      .then(() => undefined);
  },

  /**
   * Counts failed attempts in a row per endpoint; disables those whose run reached `threshold` failures over at
   * least `minDurationMs`, and returns them (each disabled exactly once: the caller sends the notice).
   */
  async recordFailures(
    db: Executor,
    failures: ReadonlyMap<string, number>,
    threshold: number,
    minDurationMs: number,
  ): Promise<{ id: string; organization_id: string; url: string; consecutive_failures: number }[]> {
    if (failures.size === 0) return [];
    const rows = [...failures].map(([id, n]) => ({ id, n }));
    // One statement, so the status and the reason change together, and the counts add up under concurrent tries:
    // SET reads the row as locked (not a snapshot), and `status = 'enabled'` is re-checked after a wait, so an
    // endpoint is disabled (and its notice written) once.
    const disabling = sql<boolean>`e.consecutive_failures + f.n >= ${threshold}
      AND now() - coalesce(e.failing_since, now()) >= ${`${minDurationMs} milliseconds`}::interval`;
    const updated = await sql<{
      id: string;
      organization_id: string;
      url: string;
      consecutive_failures: number;
      status: string;
    }>`
      UPDATE webhook_endpoints e SET
        consecutive_failures = e.consecutive_failures + f.n,
        failing_since = coalesce(e.failing_since, now()),
        status = CASE WHEN ${disabling} THEN 'disabled' ELSE e.status END,
        disabled_at = CASE WHEN ${disabling} THEN now() ELSE e.disabled_at END,
        disabled_reason = CASE WHEN ${disabling}
          THEN 'disabled after ' || (e.consecutive_failures + f.n) || ' failed deliveries in a row'
          ELSE e.disabled_reason END,
        updated_at = now()
      FROM jsonb_to_recordset(${JSON.stringify(rows)}::jsonb) AS f(id uuid, n integer)
      WHERE e.id = f.id AND e.status = 'enabled'
      RETURNING e.id, e.organization_id, e.url, e.consecutive_failures, e.status`.execute(db);
    const disabled = updated.rows
      .filter((r) => r.status === 'disabled')
      .map(({ id, organization_id, url, consecutive_failures }) => ({
        id,
        organization_id,
        url,
        consecutive_failures,
      }));
    return disabled;
  },

  /** 410 Gone: the receiver says the endpoint no longer exists. Returns the endpoint if this call disabled it. */
  disable(db: Executor, id: string, reason: string) {
    return db
      .updateTable('webhook_endpoints')
      .set({ status: 'disabled', disabled_reason: reason, disabled_at: new Date(), updated_at: new Date() })
      .where('id', '=', id)
      .where('status', '=', 'enabled')
      .returning(['id', 'organization_id', 'url', 'consecutive_failures'])
      .executeTakeFirst();
  },

  /** 429 + Retry-After: hold every delivery to the endpoint until then. */
  throttle(db: Executor, id: string, until: Date) {
    return db
      .updateTable('webhook_endpoints')
      .set({ throttled_until: until })
      .where('id', '=', id)
      .where((eb) => eb.or([eb('throttled_until', 'is', null), eb('throttled_until', '<', until)]))
      .execute()
      .then(() => undefined);
  },
};

const deliveryColumns = [
  'id',
  'dedupe_key',
  'event_id',
  'event_type',
  'channel',
  'organization_id',
  'contact_id',
  'endpoint_id',
  'trainee_id',
  'subject_trainee_id',
  'template',
  'data',
  'status',
  'attempts',
  'next_attempt_at',
  'last_error',
  'last_status_code',
  'sent_at',
  'created_at',
  'updated_at',
] as const;

export const deliveriesRepository = {
  /**
   * Inserts the deliveries not already in the ledger; returns the new ones (id, when they are due, and whether they
   * were marked queued). With `queueDueForMs`, the rows due within a second are marked as handed to the queue for
   * that long in the same statement (the caller writes their `notifications.due` event in the same transaction),
   * which saves rewriting every fresh row with a second UPDATE.
   *
   * One statement whatever the batch size, its rows in one JSON parameter: a fan-out job inserts hundreds, and a
   * multi-row VALUES of 17 parameters a row cost more to build and send than the insert itself.
   */
  async insertNew(
    db: Executor,
    rows: readonly DeliveryWrite[],
    options: { queueDueForMs?: number } = {},
  ): Promise<{ id: string; next_attempt_at: Date; channel: string; queued: boolean }[]> {
    if (rows.length === 0) return [];
    const input = rows.map((r) => ({
      id: newId(),
      dedupe_key: r.dedupeKey,
      event_id: r.eventId,
      event_type: r.eventType,
      channel: r.channel,
      organization_id: r.organizationId,
      contact_id: r.contactId ?? null,
      endpoint_id: r.endpointId ?? null,
      trainee_id: r.traineeId ?? null,
      subject_trainee_id: r.subjectTraineeId,
      template: r.template,
      data: r.data,
      not_before: r.notBefore ? r.notBefore.toISOString() : null,
    }));
    const queueFor = options.queueDueForMs === undefined ? null : `${options.queueDueForMs} milliseconds`;
    const result = await sql<{ id: string; next_attempt_at: Date; channel: string; queued: boolean }>`
      INSERT INTO notification_deliveries
        (id, dedupe_key, event_id, event_type, channel, organization_id, contact_id, endpoint_id, trainee_id,
         subject_trainee_id, template, data, next_attempt_at, queued_until)
      SELECT r.id, r.dedupe_key, r.event_id, r.event_type, r.channel, r.organization_id, r.contact_id, r.endpoint_id,
             r.trainee_id, r.subject_trainee_id, r.template, r.data, coalesce(r.not_before, now()),
             CASE WHEN coalesce(r.not_before, now()) <= now() + interval '1 second'
                  THEN now() + ${queueFor}::interval END
      FROM jsonb_to_recordset(${JSON.stringify(input)}::jsonb) AS r(
        id uuid, dedupe_key text, event_id uuid, event_type text, channel text, organization_id uuid, contact_id uuid,
        endpoint_id uuid, trainee_id uuid, subject_trainee_id uuid, template text, data jsonb, not_before timestamptz)
      ON CONFLICT (dedupe_key) DO NOTHING
      RETURNING id, next_attempt_at, channel, queued_until IS NOT NULL AS queued`.execute(db);
    return result.rows;
  },

  /**
   * A digest: one email per vacancy and contact per window, whatever the number of events in it. The first event
   * inserts the row; later ones add their item to `data.items` while the row is still pending (each item once,
   * keyed by `itemKey`, so a repeated event changes nothing).
   */
  async upsertDigest(db: Executor, row: DeliveryWrite, item: Record<string, unknown>, itemKey: string) {
    const data = { ...row.data, items: { [itemKey]: item } };
    await sql`
      INSERT INTO notification_deliveries
        (id, dedupe_key, event_id, event_type, channel, organization_id, contact_id, endpoint_id, trainee_id,
         subject_trainee_id, template, data, next_attempt_at)
      VALUES (${newId()}, ${row.dedupeKey}, ${row.eventId}, ${row.eventType}, ${row.channel}, ${row.organizationId},
              ${row.contactId ?? null}, ${row.endpointId ?? null}, ${row.traineeId ?? null}, null, ${row.template},
              ${JSON.stringify(data)}::jsonb, ${row.notBefore ?? new Date()})
      ON CONFLICT (dedupe_key) DO UPDATE
        SET data = jsonb_set(notification_deliveries.data, '{items}',
                             (notification_deliveries.data->'items') || (${JSON.stringify(data.items)}::jsonb)),
            updated_at = now()
        WHERE notification_deliveries.status = 'pending'
          AND NOT (notification_deliveries.data->'items') ? ${itemKey}`.execute(db);
  },

  /**
   * Due deliveries nobody holds: pending ones whose time has come and that are not queued already, and tries whose
   * lease ran out (the worker died mid-send). Claimed with SKIP LOCKED so several sweepers share the work; the
   * caller writes the `notifications.due` event in the same transaction.
   */
  async claimDue(trx: Executor, limit: number, queuedForMs: number): Promise<string[]> {
    const r = await sql<{ id: string }>`
      WITH due AS (
        SELECT id FROM notification_deliveries
        WHERE status IN ('pending', 'sending') AND next_attempt_at <= now()
          AND ((status = 'pending' AND (queued_until IS NULL OR queued_until < now()))
               OR (status = 'sending' AND lease_until < now()))
        ORDER BY next_attempt_at
        LIMIT ${limit}
        FOR UPDATE SKIP LOCKED)
      UPDATE notification_deliveries d
        SET status = 'pending', lease_until = NULL,
            queued_until = now() + ${`${queuedForMs} milliseconds`}::interval,
            last_error = CASE WHEN d.status = 'sending' THEN 'the try did not finish (worker stopped); retried'
                              ELSE d.last_error END
      FROM due WHERE d.id = due.id
      RETURNING d.id`.execute(trx);
    return r.rows.map((x) => x.id);
  },

  /**
   * Claims deliveries for one try: pending and due → sending, with a lease. Only one try can claim a row, so a job
   * delivered twice (queue retry, relay repeat) sends once.
   */
  claim(db: Executor, ids: readonly string[], leaseMs: number) {
    if (ids.length === 0) return Promise.resolve([]);
    return db
      .updateTable('notification_deliveries')
      .set({
        status: 'sending',
        attempts: sql<number>`attempts + 1`,
        lease_until: sql<Date>`now() + ${`${leaseMs} milliseconds`}::interval`,
        updated_at: sql<Date>`now()`,
      })
      .where(sql<boolean>`id = any(${[...ids]}::uuid[])`)
      .where('status', '=', 'pending')
      .where('next_attempt_at', '<=', sql<Date>`now() + interval '1 second'`)
      .returning([...deliveryColumns])
      .execute();
  },

  /** Records the tries' outcomes in one statement; a row is only changed while this try still holds it. */
  complete(db: Executor, outcomes: readonly DeliveryOutcome[]) {
    if (outcomes.length === 0) return Promise.resolve();
    const rows = outcomes.map((o) => ({
      id: o.id,
      status: o.status,
      retry_at: o.status === 'pending' ? o.retryAt.toISOString() : null,
      error: 'error' in o ? o.error.slice(0, 1000) : null,
      code: o.statusCode ?? null,
      undo_attempt: o.status === 'pending' && !o.countsAsAttempt,
    }));
    return sql`
      UPDATE notification_deliveries d SET
        status = o.status,
        next_attempt_at = coalesce(o.retry_at, d.next_attempt_at),
        attempts = d.attempts - CASE WHEN o.undo_attempt THEN 1 ELSE 0 END,
        last_error = CASE WHEN o.status = 'sent' THEN d.last_error ELSE o.error END,
        last_status_code = o.code,
        sent_at = CASE WHEN o.status = 'sent' THEN now() ELSE d.sent_at END,
        lease_until = NULL, queued_until = NULL, updated_at = now()
      FROM jsonb_to_recordset(${JSON.stringify(rows)}::jsonb)
        AS o(id uuid, status text, retry_at timestamptz, error text, code integer, undo_attempt boolean)
      WHERE d.id = o.id AND d.status = 'sending'`
      .execute(db)
      .then(() => undefined);
  },

  /** A delivery log: the organization's (null = all, for a platform admin), newest first. */
  list(
    db: Executor,
    organizationIds: readonly string[] | null,
    filter: {
      status?: DeliveryStatus | undefined;
      endpointId?: string | undefined;
      channel?: DeliveryChannel | undefined;
    },
    page: Page,
  ) {
    return pageById(page, (after, limit) => {
      let q = db.selectFrom('notification_deliveries').select([...deliveryColumns]);
      if (organizationIds)
        q = q.where('organization_id', 'in', organizationIds.length ? [...organizationIds] : [NO_ID]);
      if (filter.status) q = q.where('status', '=', filter.status);
      if (filter.endpointId) q = q.where('endpoint_id', '=', filter.endpointId);
      if (filter.channel) q = q.where('channel', '=', filter.channel);
      if (after) q = q.where('id', '<', after);
      return q.orderBy('id', 'desc').limit(limit).execute();
    });
  },

  find(db: Executor, organizationIds: readonly string[] | null, id: string) {
    let q = db
      .selectFrom('notification_deliveries')
      .select([...deliveryColumns])
      .where('id', '=', id);
    if (organizationIds) q = q.where('organization_id', 'in', organizationIds.length ? [...organizationIds] : [NO_ID]);
    return q.executeTakeFirst();
  },

  /** Manual redelivery (or an admin's retry of a dead letter): a fresh run of tries, same id and webhook-id. */
  requeue(db: Executor, id: string) {
    return db
      .updateTable('notification_deliveries')
      .set({
        status: 'pending',
        attempts: 0,
        next_attempt_at: sql<Date>`now()`,
        queued_until: null,
        lease_until: null,
        updated_at: sql<Date>`now()`,
      })
      .where('id', '=', id)
      .where('status', 'in', ['sent', 'failed', 'cancelled'])
      .returning(['id'])
      .executeTakeFirst();
  },

  /** Counts by status (tests, health and benchmarks). */
  async countByStatus(db: Executor): Promise<Record<string, number>> {
    const rows = await db
      .selectFrom('notification_deliveries')
      .select(['status', (eb) => eb.fn.countAll<string>().as('n')])
      .groupBy('status')
      .execute();
    return Object.fromEntries(rows.map((r) => [r.status, Number(r.n)]));
  },
};

export const inboxRepository = {
  /**
   * Batched: one statement for the whole fan-out, its rows in one JSON parameter (see `insertNew`); an item already
   * there (repeated event) is skipped. Returns the number inserted.
   */
  async insertMany(db: Executor, items: readonly InboxWrite[]): Promise<number> {
    if (items.length === 0) return 0;
    const input = items.map((i) => ({
      id: newId(),
      recipient_kind: i.recipient.kind,
      recipient_id: i.recipient.id,
      event_id: i.eventId,
      event_type: i.eventType,
      subject_trainee_id: i.subjectTraineeId,
      title: i.title,
      body: i.body,
      data: i.data,
    }));
    const result = await sql`
      INSERT INTO inbox_items
        (id, recipient_kind, recipient_id, event_id, event_type, subject_trainee_id, title, body, data)
      SELECT r.id, r.recipient_kind, r.recipient_id, r.event_id, r.event_type, r.subject_trainee_id, r.title, r.body,
             r.data
      FROM jsonb_to_recordset(${JSON.stringify(input)}::jsonb) AS r(
        id uuid, recipient_kind text, recipient_id uuid, event_id uuid, event_type text, subject_trainee_id uuid,
        title text, body text, data jsonb)
      ON CONFLICT (event_id, recipient_kind, recipient_id) DO NOTHING`.execute(db);
    return Number(result.numAffectedRows ?? 0n);
  },

  list(db: Executor, recipient: InboxRecipient, filter: { unread?: boolean | undefined }, page: Page) {
    return pageById(page, (after, limit) => {
      let q = db
        .selectFrom('inbox_items')
        .select(['id', 'event_id', 'event_type', 'title', 'body', 'data', 'created_at', 'read_at'])
        .where('recipient_kind', '=', recipient.kind)
        .where('recipient_id', '=', recipient.id);
      if (filter.unread === true) q = q.where('read_at', 'is', null);
      if (filter.unread === false) q = q.where('read_at', 'is not', null);
      if (after) q = q.where('id', '<', after);
      return q.orderBy('id', 'desc').limit(limit).execute();
    });
  },

  async unreadCount(db: Executor, recipient: InboxRecipient): Promise<number> {
    const row = await db
      .selectFrom('inbox_items')
      .select((eb) => eb.fn.countAll<string>().as('n'))
      .where('recipient_kind', '=', recipient.kind)
      .where('recipient_id', '=', recipient.id)
      .where('read_at', 'is', null)
      .executeTakeFirstOrThrow();
    return Number(row.n);
  },

  /** Marks an item read (idempotent); undefined when the item is not the recipient's. */
  markRead(db: Executor, recipient: InboxRecipient, id: string) {
    return db
      .updateTable('inbox_items')
      .set({ read_at: sql<Date>`coalesce(read_at, now())` })
      .where('id', '=', id)
      .where('recipient_kind', '=', recipient.kind)
      .where('recipient_id', '=', recipient.id)
      .returning(['id', 'read_at'])
      .executeTakeFirst();
  },

  markAllRead(db: Executor, recipient: InboxRecipient) {
    return db
      .updateTable('inbox_items')
      .set({ read_at: sql<Date>`now()` })
      .where('recipient_kind', '=', recipient.kind)
      .where('recipient_id', '=', recipient.id)
      .where('read_at', 'is', null)
      .executeTakeFirst()
      .then((r) => Number(r.numUpdatedRows));
  },
};

export const disclosuresRepository = {
  /** Records a release of a trainee's identity to one organization (once per placement). */
  record(
    db: Executor,
    d: { traineeId: string; organizationId: string; placementId: string | null; fields: string[]; reason: string },
  ) {
    return db
      .insertInto('disclosures')
      .values({
        trainee_id: d.traineeId,
        organization_id: d.organizationId,
        placement_id: d.placementId,
        fields: d.fields,
        reason: d.reason,
      })
      .onConflict((oc) => oc.columns(['trainee_id', 'organization_id', 'placement_id']).doNothing())
      .execute()
      .then(() => undefined);
  },

  forTrainee(db: Executor, traineeId: string) {
    return db
      .selectFrom('disclosures')
      .select(['id', 'organization_id', 'placement_id', 'fields', 'reason', 'at'])
      .where('trainee_id', '=', traineeId)
      .orderBy('id')
      .execute();
  },
};

/**
 * Erasure's part in notifications: the trainee's inbox and preferences go; emails to them that have not gone out
 * are cancelled; the pseudonymised facts in messages about them are blanked (the ledger keeps that a delivery
 * happened, for the tenant's log, not what it said).
 */
export async function eraseTraineeNotifications(trx: Executor, traineeId: string): Promise<void> {
  await trx
    .deleteFrom('inbox_items')
    .where((eb) =>
      eb.or([
        eb.and([eb('recipient_kind', '=', 'trainee'), eb('recipient_id', '=', traineeId)]),
        eb('subject_trainee_id', '=', traineeId),
      ]),
    )
    .execute();
  await trx
    .deleteFrom('notification_preferences')
    .where('recipient_kind', '=', 'trainee')
    .where('recipient_id', '=', traineeId)
    .execute();
  await trx
    .updateTable('notification_deliveries')
    .set({ status: 'cancelled', last_error: 'the trainee was erased', updated_at: sql<Date>`now()` })
    .where((eb) => eb.or([eb('trainee_id', '=', traineeId), eb('subject_trainee_id', '=', traineeId)]))
    .where('status', 'in', ['pending', 'sending'])
    .execute();
  // A digest lists several candidates: only this trainee's items go (keyed by placement id).
  await sql`
    UPDATE notification_deliveries d
      SET data = jsonb_set(d.data, '{items}', (d.data->'items') - p.ids)
    FROM (SELECT array_agg(id::text) AS ids FROM placements WHERE trainee_id = ${traineeId}) p
    WHERE p.ids IS NOT NULL AND d.template = 'employer.shortlist' AND (d.data->'items') ?| p.ids`.execute(trx);
  await trx
    .updateTable('notification_deliveries')
    .set({ data: JSON.stringify({ erased: true }) })
    .where((eb) => eb.or([eb('trainee_id', '=', traineeId), eb('subject_trainee_id', '=', traineeId)]))
    .execute();
}

/** What fan-out and sending need to know about the objects an event names. */
export const notificationFactsRepository = {
  placements(db: Executor, ids: readonly string[]) {
    if (ids.length === 0) return Promise.resolve([]);
    return db
      .selectFrom('placements')
      .innerJoin('vacancies', 'vacancies.id', 'placements.vacancy_id')
      .innerJoin('trainees', 'trainees.id', 'placements.trainee_id')
      .select([
        'placements.id',
        'placements.vacancy_id',
        'placements.trainee_id',
        'placements.status',
        'placements.score',
        'placements.withdrawn_reason',
        'placements.trainee_decision',
        'vacancies.title',
        'vacancies.destination',
        'vacancies.isco08 as vacancy_isco08',
        'vacancies.employer_id',
        'vacancies.created_by_org_id',
        'vacancies.start_date',
        'trainees.owner_org_id',
        'trainees.status as trainee_status',
        'trainees.nationality',
        'trainees.date_of_birth',
        'trainees.isco08 as trainee_isco08',
        'trainees.profile',
        'trainees.consent_share_profile',
        'trainees.consent_contact_email',
      ])
      .where('placements.id', 'in', [...ids])
      .execute();
  },

  trainees(db: Executor, ids: readonly string[]) {
    if (ids.length === 0) return Promise.resolve([]);
    return db
      .selectFrom('trainees')
      .select(['id', 'owner_org_id', 'status', 'consent_contact_email'])
      .where('id', 'in', [...ids])
      .execute();
  },

  vacancies(db: Executor, ids: readonly string[]) {
    if (ids.length === 0) return Promise.resolve([]);
    return db
      .selectFrom('vacancies')
      .select(['id', 'title', 'employer_id', 'created_by_org_id', 'destination', 'isco08', 'status', 'headcount'])
      .where('id', 'in', [...ids])
      .execute();
  },

  /** Addresses, read at send time only (never copied into the ledger). */
  traineeAddresses(db: Executor, ids: readonly string[]) {
    if (ids.length === 0) return Promise.resolve([]);
    return db
      .selectFrom('trainees')
      .select(['id', 'status', 'email', 'given_name', 'consent_contact_email'])
      .where('id', 'in', [...ids])
      .execute();
  },
};
