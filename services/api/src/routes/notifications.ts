import {
  type Database,
  deliveriesRepository,
  disclosuresRepository,
  type InboxRecipient,
  inboxRepository,
  notificationContactsRepository,
  notificationPreferencesRepository,
  traineesRepository,
  webhookEndpointsRepository,
} from '@corridor/db';
import { type Actor, PageQuery } from '@corridor/domain';
import {
  checkWebhookUrl,
  NOTIFYING_EVENTS,
  newWebhookSecret,
  SUPPORTED_LOCALES,
  WEBHOOK_EVENT_TYPES,
  type WebhookTargetPolicy,
} from '@corridor/notify';
import type { FastifyInstance } from 'fastify';
import type { ZodTypeProvider } from 'fastify-type-provider-zod';
import { z } from 'zod';
import { IdParams, isUuid, writeErrors } from '../modules/views.ts';
import { requireActor } from '../plugins/auth.ts';
import { conflict, forbidden, notFound, unprocessable } from '../problems.ts';

// The in-app inbox, webhook endpoints with their delivery log, organization contacts and notification
// preferences (issue 5). Tenancy: an organization sees its own inbox, endpoints and deliveries; a trainee key its
// own inbox; anything else is 404.

const WebhookEventType = z.enum(WEBHOOK_EVENT_TYPES as unknown as [string, ...string[]]);
const PreferenceEventType = z.enum(NOTIFYING_EVENTS as unknown as [string, ...string[]]);
/** After a rotation the previous secret keeps signing (a second signature) for a day. */
const ROTATION_GRACE_MS = 24 * 3_600_000;

const InboxItem = z.object({
  id: z.string(),
  eventId: z.string(),
  type: z.string(),
  title: z.string(),
  body: z.string(),
  data: z.record(z.string(), z.unknown()),
  createdAt: z.string(),
  readAt: z.string().nullable(),
});

const Endpoint = z.object({
  id: z.string(),
  organizationId: z.string(),
  url: z.string(),
  events: z.array(z.string()),
  description: z.string().nullable(),
  status: z.enum(['enabled', 'disabled']),
  disabledReason: z.string().nullable(),
  disabledAt: z.string().nullable(),
  consecutiveFailures: z.number().int(),
  throttledUntil: z.string().nullable(),
  createdAt: z.string(),
});
const EndpointWithSecret = Endpoint.extend({ secret: z.string() });

const Delivery = z.object({
  id: z.string(),
  eventId: z.string(),
  type: z.string(),
  channel: z.enum(['email', 'webhook']),
  endpointId: z.string().nullable(),
  contactId: z.string().nullable(),
  status: z.enum(['pending', 'sending', 'sent', 'failed', 'cancelled']),
  attempts: z.number().int(),
  nextAttemptAt: z.string().nullable(),
  lastError: z.string().nullable(),
  lastStatusCode: z.number().int().nullable(),
  sentAt: z.string().nullable(),
  createdAt: z.string(),
});

const Contact = z.object({
  id: z.string(),
  organizationId: z.string(),
  email: z.string(),
  name: z.string().nullable(),
  locale: z.string(),
  createdAt: z.string(),
});

const Preferences = z.object({
  recipient: z.enum(['contact', 'trainee']),
  channels: z.record(z.string(), z.array(z.enum(['email', 'inbox']))),
  emailUnsubscribed: z.boolean(),
  eventTypes: z.array(z.string()),
});

const iso = (d: Date | null) => (d ? d.toISOString() : null);

const endpointView = (e: Awaited<ReturnType<typeof webhookEndpointsRepository.create>>) => ({
  id: e.id,
  organizationId: e.organization_id,
  url: e.url,
  events: e.events,
  description: e.description,
  status: e.status,
  disabledReason: e.disabled_reason,
  disabledAt: iso(e.disabled_at),
  consecutiveFailures: e.consecutive_failures,
  throttledUntil: iso(e.throttled_until),
  createdAt: e.created_at.toISOString(),
});

const deliveryView = (d: NonNullable<Awaited<ReturnType<typeof deliveriesRepository.find>>>) => ({
  id: d.id,
  eventId: d.event_id,
  type: d.event_type,
  channel: d.channel,
  endpointId: d.endpoint_id,
  contactId: d.contact_id,
  status: d.status,
  attempts: d.attempts,
  nextAttemptAt: d.status === 'pending' ? d.next_attempt_at.toISOString() : null,
  lastError: d.last_error,
  lastStatusCode: d.last_status_code,
  sentAt: iso(d.sent_at),
  createdAt: d.created_at.toISOString(),
});

const preferencesView = (p: NonNullable<Awaited<ReturnType<typeof notificationPreferencesRepository.byToken>>>) => ({
  recipient: p.recipient_kind,
  channels: p.channels as Record<string, ('email' | 'inbox')[]>,
  emailUnsubscribed: p.email_unsubscribed,
  eventTypes: [...NOTIFYING_EVENTS],
});

/** Whose inbox the caller reads. A platform admin has none. */
function inboxOf(actor: Actor): InboxRecipient {
  if (actor.type === 'trainee') return { kind: 'trainee', id: actor.traineeId };
  if (actor.type === 'organization') return { kind: 'organization', id: actor.organizationId };
  throw forbidden('a platform admin has no inbox; use an organization or trainee key');
}

/** The organizations whose endpoints and deliveries the caller may see: its own, or all (null) for an admin. */
function scopeOf(actor: Actor): string[] | null {
  if (actor.type === 'platform_admin') return null;
  if (actor.type === 'organization') return [actor.organizationId];
  throw forbidden('a trainee key has no webhook endpoints or delivery log');
}

function requireWriter(actor: Actor, action: string) {
  if (actor.type === 'organization' && actor.role === 'readonly') throw forbidden(`a readonly key cannot ${action}`);
}

const PreferencesChange = z
  .object({
    channels: z.partialRecord(PreferenceEventType, z.array(z.enum(['email', 'inbox'])).max(2)).optional(),
    emailUnsubscribed: z.boolean().optional(),
  })
  .strict();

export default async function notificationRoutes(
  app: FastifyInstance,
  opts: { database: Database; webhookPolicy: WebhookTargetPolicy },
) {
  const { database, webhookPolicy } = opts;
  const db = database.db;
  const r = app.withTypeProvider<ZodTypeProvider>();

  async function updatePreferences(token: string, change: z.infer<typeof PreferencesChange>) {
    const channels = change.channels
      ? Object.fromEntries(Object.entries(change.channels).map(([k, v]) => [k, [...new Set(v ?? [])]]))
      : undefined;
    const row = await notificationPreferencesRepository.update(db, token, {
      ...(channels ? { channels } : {}),
      ...(change.emailUnsubscribed !== undefined ? { emailUnsubscribed: change.emailUnsubscribed } : {}),
    });
    if (!row) throw notFound('preferences');
    return row;
  }

  // ----------------------------------------------------------------------------------------------- inbox
  r.get(
    '/v1/inbox',
    {
      schema: {
        tags: ['notifications'],
        summary: "The caller's inbox (its organization's, or the trainee's own), newest first",
        querystring: PageQuery.extend({ unread: z.enum(['true', 'false']).optional() }),
        response: {
          200: z.object({ items: z.array(InboxItem), nextCursor: z.string().nullable(), unreadCount: z.number() }),
          ...writeErrors,
        },
      },
    },
    async (req) => {
      const recipient = inboxOf(requireActor(req));
      const { limit, cursor, unread } = req.query;
      const [page, unreadCount] = await Promise.all([
        inboxRepository.list(
          db,
          recipient,
          { unread: unread === undefined ? undefined : unread === 'true' },
          {
            limit,
            cursor,
          },
        ),
        inboxRepository.unreadCount(db, recipient),
      ]);
      return {
        items: page.items.map((i) => ({
          id: i.id,
          eventId: i.event_id,
          type: i.event_type,
          title: i.title,
          body: i.body,
          data: i.data,
          createdAt: i.created_at.toISOString(),
          readAt: iso(i.read_at),
        })),
        nextCursor: page.nextCursor,
        unreadCount,
      };
    },
  );

  r.get(
    '/v1/inbox/unread-count',
    {
      schema: {
        tags: ['notifications'],
        summary: 'How many inbox items are unread',
        response: { 200: z.object({ unread: z.number().int() }), ...writeErrors },
      },
    },
    async (req) => ({ unread: await inboxRepository.unreadCount(db, inboxOf(requireActor(req))) }),
  );

  r.post(
    '/v1/inbox/:id/read',
    {
      schema: {
        tags: ['notifications'],
        summary: 'Mark an inbox item read (idempotent)',
        params: IdParams,
        response: { 200: z.object({ id: z.string(), readAt: z.string() }), ...writeErrors },
      },
    },
    async (req) => {
      const recipient = inboxOf(requireActor(req));
      const row = isUuid(req.params.id) ? await inboxRepository.markRead(db, recipient, req.params.id) : undefined;
      if (!row?.read_at) throw notFound('inbox item');
      return { id: row.id, readAt: row.read_at.toISOString() };
    },
  );

  r.post(
    '/v1/inbox/read-all',
    {
      schema: {
        tags: ['notifications'],
        summary: 'Mark every inbox item read',
        response: { 200: z.object({ marked: z.number().int() }), ...writeErrors },
      },
    },
    async (req) => ({ marked: await inboxRepository.markAllRead(db, inboxOf(requireActor(req))) }),
  );

  // ------------------------------------------------------------------------------------- webhook endpoints
  r.post(
    '/v1/webhook-endpoints',
    {
      schema: {
        tags: ['notifications'],
        summary: 'Register a webhook endpoint; the signing secret is shown once',
        description:
          'Deliveries are signed per the Standard Webhooks spec (`webhook-id`, `webhook-timestamp`, `webhook-signature`, HMAC-SHA256 with the `whsec_` secret). Targets must be public addresses: private, loopback, link-local and metadata addresses are refused unless the operator allow-lists them for development (`CORRIDOR_WEBHOOK_ALLOW`). The address is checked again on every send, so DNS rebinding cannot get round it.',
        body: z.object({
          url: z.string().max(2048),
          events: z.array(WebhookEventType).min(1).max(WEBHOOK_EVENT_TYPES.length),
          description: z.string().max(500).optional(),
          organizationId: z.uuid().optional().describe('Platform admins only: whose endpoint this is.'),
        }),
        response: { 201: EndpointWithSecret, ...writeErrors },
      },
    },
    async (req, reply) => {
      const actor = requireActor(req);
      requireWriter(actor, 'register webhook endpoints');
      let organizationId: string;
      if (actor.type === 'organization') organizationId = actor.organizationId;
      else if (actor.type === 'platform_admin' && req.body.organizationId) organizationId = req.body.organizationId;
      else if (actor.type === 'platform_admin')
        throw unprocessable([{ path: 'organizationId', message: 'required for a platform admin' }], 'whose endpoint?');
      else throw forbidden('a trainee key cannot register webhook endpoints');
      const problem = await checkWebhookUrl(req.body.url, webhookPolicy);
      if (problem) throw unprocessable([{ path: 'url', message: problem }], 'the webhook URL is refused');
      const secret = newWebhookSecret();
      let row: Awaited<ReturnType<typeof webhookEndpointsRepository.create>>;
      try {
        row = await webhookEndpointsRepository.create(db, {
          organizationId,
          url: req.body.url,
          events: [...new Set(req.body.events)],
          description: req.body.description,
          secret,
        });
      } catch (err) {
        if ((err as { code?: string }).code === '23503') throw notFound('organization');
        throw err;
      }
      return reply.code(201).send({ ...endpointView(row), secret });
    },
  );

  r.get(
    '/v1/webhook-endpoints',
    {
      schema: {
        tags: ['notifications'],
        summary: "The caller's webhook endpoints",
        querystring: PageQuery,
        response: { 200: z.object({ items: z.array(Endpoint), nextCursor: z.string().nullable() }), ...writeErrors },
      },
    },
    async (req) => {
      const page = await webhookEndpointsRepository.list(db, scopeOf(requireActor(req)), req.query);
      return { items: page.items.map(endpointView), nextCursor: page.nextCursor };
    },
  );

  async function loadEndpoint(actor: Actor, id: string) {
    const row = isUuid(id) ? await webhookEndpointsRepository.find(db, scopeOf(actor), id) : undefined;
    if (!row) throw notFound('webhook endpoint');
    return row;
  }

  r.get(
    '/v1/webhook-endpoints/:id',
    {
      schema: {
        tags: ['notifications'],
        summary: 'One webhook endpoint, with its status',
        params: IdParams,
        response: { 200: Endpoint, ...writeErrors },
      },
    },
    async (req) => endpointView(await loadEndpoint(requireActor(req), req.params.id)),
  );

  r.patch(
    '/v1/webhook-endpoints/:id',
    {
      schema: {
        tags: ['notifications'],
        summary: 'Change an endpoint: URL, events, description, or enable it again after it was disabled',
        params: IdParams,
        body: z
          .object({
            url: z.string().max(2048).optional(),
            events: z.array(WebhookEventType).min(1).optional(),
            description: z.string().max(500).nullable().optional(),
            enabled: z.boolean().optional(),
          })
          .strict(),
        response: { 200: Endpoint, ...writeErrors },
      },
    },
    async (req) => {
      const actor = requireActor(req);
      requireWriter(actor, 'change webhook endpoints');
      const row = await loadEndpoint(actor, req.params.id);
      if (req.body.url !== undefined) {
        const problem = await checkWebhookUrl(req.body.url, webhookPolicy);
        if (problem) throw unprocessable([{ path: 'url', message: problem }], 'the webhook URL is refused');
      }
      const updated = await webhookEndpointsRepository.update(db, row.id, {
        ...(req.body.url !== undefined ? { url: req.body.url } : {}),
        ...(req.body.events !== undefined ? { events: [...new Set(req.body.events)] } : {}),
        ...(req.body.description !== undefined ? { description: req.body.description } : {}),
        ...(req.body.enabled !== undefined ? { enabled: req.body.enabled } : {}),
      });
      if (!updated) throw notFound('webhook endpoint');
      return endpointView(updated);
    },
  );

  r.delete(
    '/v1/webhook-endpoints/:id',
    {
      schema: {
        tags: ['notifications'],
        summary: 'Delete an endpoint (its pending deliveries go with it)',
        params: IdParams,
        response: { 204: z.null(), ...writeErrors },
      },
    },
    async (req, reply) => {
      const actor = requireActor(req);
      requireWriter(actor, 'delete webhook endpoints');
      const row = await loadEndpoint(actor, req.params.id);
      await webhookEndpointsRepository.remove(db, row.id);
      return reply.code(204).send(null);
    },
  );

  r.post(
    '/v1/webhook-endpoints/:id/rotate-secret',
    {
      schema: {
        tags: ['notifications'],
        summary: 'Rotate the signing secret; the previous one keeps signing too for 24 h',
        params: IdParams,
        response: { 200: EndpointWithSecret, ...writeErrors },
      },
    },
    async (req) => {
      const actor = requireActor(req);
      requireWriter(actor, 'rotate webhook secrets');
      const row = await loadEndpoint(actor, req.params.id);
      const secret = newWebhookSecret();
      const updated = await webhookEndpointsRepository.rotateSecret(
        db,
        row.id,
        secret,
        new Date(Date.now() + ROTATION_GRACE_MS),
      );
      if (!updated) throw notFound('webhook endpoint');
      return { ...endpointView(updated), secret };
    },
  );

  const DeliveryQuery = PageQuery.extend({
    status: z.enum(['pending', 'sending', 'sent', 'failed', 'cancelled']).optional(),
    channel: z.enum(['email', 'webhook']).optional(),
  });

  r.get(
    '/v1/webhook-endpoints/:id/deliveries',
    {
      schema: {
        tags: ['notifications'],
        summary: "An endpoint's delivery log, newest first",
        params: IdParams,
        querystring: DeliveryQuery,
        response: { 200: z.object({ items: z.array(Delivery), nextCursor: z.string().nullable() }), ...writeErrors },
      },
    },
    async (req) => {
      const actor = requireActor(req);
      const endpoint = await loadEndpoint(actor, req.params.id);
      const { limit, cursor, status, channel } = req.query;
      const page = await deliveriesRepository.list(
        db,
        scopeOf(actor),
        { status, channel, endpointId: endpoint.id },
        { limit, cursor },
      );
      return { items: page.items.map(deliveryView), nextCursor: page.nextCursor };
    },
  );

  r.get(
    '/v1/deliveries',
    {
      schema: {
        tags: ['notifications'],
        summary: "The organization's delivery log (email and webhooks), newest first",
        querystring: DeliveryQuery,
        response: { 200: z.object({ items: z.array(Delivery), nextCursor: z.string().nullable() }), ...writeErrors },
      },
    },
    async (req) => {
      const { limit, cursor, status, channel } = req.query;
      const page = await deliveriesRepository.list(
        db,
        scopeOf(requireActor(req)),
        { status, channel },
        { limit, cursor },
      );
      return { items: page.items.map(deliveryView), nextCursor: page.nextCursor };
    },
  );

  r.get(
    '/v1/deliveries/:id',
    {
      schema: {
        tags: ['notifications'],
        summary: 'One delivery: status, attempts, last error',
        params: IdParams,
        response: { 200: Delivery, ...writeErrors },
      },
    },
    async (req) => {
      const row = isUuid(req.params.id)
        ? await deliveriesRepository.find(db, scopeOf(requireActor(req)), req.params.id)
        : undefined;
      if (!row) throw notFound('delivery');
      return deliveryView(row);
    },
  );

  r.post(
    '/v1/deliveries/:id/redeliver',
    {
      schema: {
        tags: ['notifications'],
        summary: 'Send a delivery again (a failed one from the dead letters, or a sent one on request)',
        description:
          'A fresh run of tries with the same id: a webhook carries the same `webhook-id`, so a receiver that already processed it can drop it. Pending or in-flight deliveries are not touched (409).',
        params: IdParams,
        response: { 202: Delivery, ...writeErrors },
      },
    },
    async (req, reply) => {
      const actor = requireActor(req);
      requireWriter(actor, 'redeliver notifications');
      const scope = scopeOf(actor);
      const row = isUuid(req.params.id) ? await deliveriesRepository.find(db, scope, req.params.id) : undefined;
      if (!row) throw notFound('delivery');
      const requeued = await deliveriesRepository.requeue(db, row.id);
      if (!requeued)
        throw conflict(`the delivery is ${row.status}; only sent, failed or cancelled deliveries can be redelivered`);
      const fresh = await deliveriesRepository.find(db, scope, row.id);
      return reply.code(202).send(deliveryView(fresh!));
    },
  );

  // ----------------------------------------------------------------------------------------------- contacts
  function ownOrganization(actor: Actor, id: string, write: boolean) {
    const mine = actor.type === 'platform_admin' || (actor.type === 'organization' && actor.organizationId === id);
    if (!mine || !isUuid(id)) throw notFound('organization');
    if (write) requireWriter(actor, 'change contacts');
  }

  r.post(
    '/v1/organizations/:id/contacts',
    {
      schema: {
        tags: ['notifications'],
        summary: "Add a person who receives the organization's notification emails",
        params: IdParams,
        body: z.object({
          email: z.email().max(320),
          name: z.string().min(1).max(200).optional(),
          locale: z
            .string()
            .regex(/^[a-z]{2}(-[A-Z]{2})?$/, 'a language tag such as en or en-GB')
            .default('en')
            .describe(`Messages are written in ${SUPPORTED_LOCALES.join(', ')}; other languages fall back to English.`),
        }),
        response: { 201: Contact, ...writeErrors },
      },
    },
    async (req, reply) => {
      const actor = requireActor(req);
      ownOrganization(actor, req.params.id, true);
      let row: Awaited<ReturnType<typeof notificationContactsRepository.create>>;
      try {
        row = await notificationContactsRepository.create(db, req.params.id, req.body);
      } catch (err) {
        if ((err as { code?: string }).code === '23503') throw notFound('organization');
        throw err;
      }
      if (!row) throw conflict('this email is already a contact of the organization');
      return reply.code(201).send(contactView(row));
    },
  );

  const contactView = (c: NonNullable<Awaited<ReturnType<typeof notificationContactsRepository.create>>>) => ({
    id: c.id,
    organizationId: c.organization_id,
    email: c.email,
    name: c.name,
    locale: c.locale,
    createdAt: c.created_at.toISOString(),
  });

  r.get(
    '/v1/organizations/:id/contacts',
    {
      schema: {
        tags: ['notifications'],
        summary: "The organization's notification contacts",
        params: IdParams,
        response: { 200: z.object({ items: z.array(Contact) }), ...writeErrors },
      },
    },
    async (req) => {
      ownOrganization(requireActor(req), req.params.id, false);
      return { items: (await notificationContactsRepository.list(db, req.params.id)).map(contactView) };
    },
  );

  r.delete(
    '/v1/organizations/:orgId/contacts/:id',
    {
      schema: {
        tags: ['notifications'],
        summary: 'Remove a contact (their preferences go with them; pending emails are cancelled)',
        params: z.object({ orgId: z.string().max(64), id: z.string().max(64) }),
        response: { 204: z.null(), ...writeErrors },
      },
    },
    async (req, reply) => {
      ownOrganization(requireActor(req), req.params.orgId, true);
      const removed = isUuid(req.params.id)
        ? await notificationContactsRepository.remove(db, req.params.orgId, req.params.id)
        : false;
      if (!removed) throw notFound('contact');
      return reply.code(204).send(null);
    },
  );

  // --------------------------------------------------------------------------------- the trainee's own side
  /** The trainee's own key, or the organization that registered them (their provider or agency). */
  async function traineeSide(actor: Actor, id: string) {
    const row = isUuid(id) ? await traineesRepository.findVisible(db, actor, id) : undefined;
    const own =
      actor.type === 'trainee' ||
      actor.type === 'platform_admin' ||
      (actor.type === 'organization' && row?.owner_org_id === actor.organizationId);
    if (!row || !own) throw notFound('trainee');
    return row;
  }

  r.get(
    '/v1/trainees/:id/disclosures',
    {
      schema: {
        tags: ['notifications'],
        summary: "Who was given this trainee's identity and contact details, for which placement, when and why",
        params: IdParams,
        response: {
          200: z.object({
            items: z.array(
              z.object({
                organizationId: z.string(),
                placementId: z.string().nullable(),
                fields: z.array(z.string()),
                reason: z.string(),
                at: z.string(),
              }),
            ),
          }),
          ...writeErrors,
        },
      },
    },
    async (req) => {
      const row = await traineeSide(requireActor(req), req.params.id);
      const items = await disclosuresRepository.forTrainee(db, row.id);
      return {
        items: items.map((d) => ({
          organizationId: d.organization_id,
          placementId: d.placement_id,
          fields: d.fields,
          reason: d.reason,
          at: d.at.toISOString(),
        })),
      };
    },
  );

  r.get(
    '/v1/trainees/:id/notification-preferences',
    {
      schema: {
        tags: ['notifications'],
        summary: "The trainee's channels per event type (the trainee's own key)",
        params: IdParams,
        response: { 200: Preferences, ...writeErrors },
      },
    },
    async (req) => {
      const actor = requireActor(req);
      if (actor.type !== 'trainee') throw notFound('trainee');
      const row = await traineeSide(actor, req.params.id);
      const [prefs] = await notificationPreferencesRepository.ensure(db, 'trainee', [row.id]);
      return preferencesView(prefs!);
    },
  );

  r.put(
    '/v1/trainees/:id/notification-preferences',
    {
      schema: {
        tags: ['notifications'],
        summary: "Choose channels per event type (the trainee's own key); email also needs consent.contactByEmail",
        params: IdParams,
        body: PreferencesChange,
        response: { 200: Preferences, ...writeErrors },
      },
    },
    async (req) => {
      const actor = requireActor(req);
      if (actor.type !== 'trainee') throw notFound('trainee');
      const row = await traineeSide(actor, req.params.id);
      const [prefs] = await notificationPreferencesRepository.ensure(db, 'trainee', [row.id]);
      return preferencesView(await updatePreferences(prefs!.token, req.body));
    },
  );

  // ------------------------------------------------------------------------------------------- preferences
  // Reached from the links in every email: the token is the credential (a random secret per recipient).
  const TokenParams = z.object({ token: z.string().min(16).max(64) });

  async function byToken(token: string) {
    const row = await notificationPreferencesRepository.byToken(db, token);
    if (!row) throw notFound('preferences');
    return row;
  }

  r.get(
    '/v1/notification-preferences/:token',
    {
      schema: {
        tags: ['notifications'],
        summary: "A recipient's channels per event type (from the link in their emails)",
        params: TokenParams,
        response: { 200: Preferences, ...writeErrors },
      },
    },
    async (req) => preferencesView(await byToken(req.params.token)),
  );

  r.put(
    '/v1/notification-preferences/:token',
    {
      schema: {
        tags: ['notifications'],
        summary: 'Choose channels per event type; an event type not listed keeps every channel',
        params: TokenParams,
        body: PreferencesChange,
        response: { 200: Preferences, ...writeErrors },
      },
    },
    async (req) => {
      await byToken(req.params.token);
      return preferencesView(await updatePreferences(req.params.token, req.body));
    },
  );

  r.post(
    '/v1/notification-preferences/:token/unsubscribe',
    {
      schema: {
        tags: ['notifications'],
        summary: 'One-click unsubscribe from all email (RFC 8058); the inbox is unaffected',
        params: TokenParams,
        response: { 200: Preferences, ...writeErrors },
      },
    },
    async (req) => {
      await byToken(req.params.token);
      const row = await notificationPreferencesRepository.update(db, req.params.token, { emailUnsubscribed: true });
      return preferencesView(row!);
    },
  );
}
