import {
  type Database,
  type DeliveryOutcome,
  deliveriesRepository,
  notificationContactsRepository,
  notificationFactsRepository,
  notificationPreferencesRepository,
  outboxRepository,
  webhookEndpointsRepository,
} from '@corridor/db';
import { type RetryPolicy, retryDelayMs } from './backoff.ts';
import type { EmailResult, EmailSender } from './email.ts';
import { renderEmail } from './templates/render.ts';
import type { TemplateData, TemplateId } from './templates/types.ts';
import type { WebhookResult, WebhookSender } from './webhook.ts';

export interface EndpointFailurePolicy {
  /** Failed attempts in a row before an endpoint is disabled… */
  readonly threshold: number;
  /** …provided the failures have lasted at least this long ("sustained"). */
  readonly minDurationMs: number;
}

/** 20 failed attempts in a row over at least an hour: a receiver down for a deploy is not switched off. */
export const DEFAULT_ENDPOINT_FAILURE: EndpointFailurePolicy = { threshold: 20, minDurationMs: 3_600_000 };

export interface DeliverOptions {
  appUrl: string;
  email: EmailSender | undefined;
  webhooks: WebhookSender;
  retry: RetryPolicy;
  endpointFailure: EndpointFailurePolicy;
  /** A try holds its rows this long; a worker that dies mid-send leaves them to the sweeper after it. */
  leaseMs: number;
  /** Sends in flight at once within one job. */
  parallel: number;
  random?: () => number;
}

export interface DeliverOutcome {
  claimed: number;
  sent: number;
  retrying: number;
  failed: number;
  cancelled: number;
}

type Claimed = Awaited<ReturnType<typeof deliveriesRepository.claim>>[number];

/** Runs `fn` over `items` with at most `limit` in flight. */
async function eachLimited<T>(items: readonly T[], limit: number, fn: (item: T) => Promise<void>): Promise<void> {
  let next = 0;
  const lanes = Array.from({ length: Math.min(limit, items.length) }, async () => {
    while (next < items.length) await fn(items[next++]!);
  });
  await Promise.all(lanes);
}

/**
 * One try of each named delivery. Claiming (pending → sending) is what makes a repeated job harmless: a row
 * another try holds, or one already sent, is not claimed again. Every attempt of a webhook carries the delivery's
 * id as `webhook-id`, and every attempt of an email the same Message-ID, so a receiver can drop a repeat that a
 * crash between sending and recording caused ("at most once in effect").
 */
export async function deliver(
  database: Pick<Database, 'db'>,
  deliveryIds: readonly string[],
  options: DeliverOptions,
): Promise<DeliverOutcome> {
  const db = database.db;
  const rows = await deliveriesRepository.claim(db, deliveryIds, options.leaseMs);
  const outcome: DeliverOutcome = { claimed: rows.length, sent: 0, retrying: 0, failed: 0, cancelled: 0 };
  if (rows.length === 0) return outcome;

  const endpointIds = [...new Set(rows.flatMap((r) => (r.endpoint_id ? [r.endpoint_id] : [])))];
  const contactIds = [...new Set(rows.flatMap((r) => (r.contact_id ? [r.contact_id] : [])))];
  const traineeIds = [...new Set(rows.flatMap((r) => (r.trainee_id ? [r.trainee_id] : [])))];
  const [endpoints, contacts, trainees, contactPrefs, traineePrefs] = await Promise.all([
    webhookEndpointsRepository.byIds(db, endpointIds),
    notificationContactsRepository.byIds(db, contactIds),
    notificationFactsRepository.traineeAddresses(db, traineeIds),
    // Fan-out created every recipient's row (and its link token); a try only reads them.
    notificationPreferencesRepository.forRecipients(db, 'contact', contactIds),
    notificationPreferencesRepository.forRecipients(db, 'trainee', traineeIds),
  ]);
  const endpointById = new Map(endpoints.map((e) => [e.id, e]));
  const contactById = new Map(contacts.map((c) => [c.id, c]));
  const traineeById = new Map(trainees.map((t) => [t.id, t]));
  const contactPrefsById = new Map(contactPrefs.map((p) => [p.recipient_id, p]));
  const traineePrefsById = new Map(traineePrefs.map((p) => [p.recipient_id, p]));
  const prefsFor = (kind: 'contact' | 'trainee', id: string) =>
    (kind === 'contact' ? contactPrefsById : traineePrefsById).get(id);

  const outcomes: DeliveryOutcome[] = [];
  const succeeded = new Set<string>();
  const failures = new Map<string, number>();
  const gone = new Map<string, string>();
  const throttles = new Map<string, Date>();
  const random = options.random ?? Math.random;

  function retryOrFail(row: Claimed, error: string, statusCode: number | null, afterMs?: number): DeliveryOutcome {
    if (row.attempts >= options.retry.maxAttempts)
      return { id: row.id, status: 'failed', error: `${error} (gave up after ${row.attempts} tries)`, statusCode };
    const wait = Math.max(afterMs ?? 0, retryDelayMs(row.attempts, options.retry, random));
    return {
      id: row.id,
      status: 'pending',
      retryAt: new Date(Date.now() + wait),
      error,
      statusCode,
      countsAsAttempt: true,
    };
  }

  async function sendWebhook(row: Claimed): Promise<DeliveryOutcome> {
    const endpoint = row.endpoint_id ? endpointById.get(row.endpoint_id) : undefined;
    if (!endpoint) return { id: row.id, status: 'cancelled', error: 'the endpoint was deleted' };
    if (endpoint.status !== 'enabled')
      return { id: row.id, status: 'cancelled', error: `the endpoint is disabled: ${endpoint.disabled_reason ?? ''}` };
    if (endpoint.throttled_until && endpoint.throttled_until.getTime() > Date.now())
      return {
        id: row.id,
        status: 'pending',
        retryAt: endpoint.throttled_until,
        error: 'held: the receiver asked us to slow down (429)',
        countsAsAttempt: false,
      };
    const secrets = [endpoint.secret];
    if (
      endpoint.previous_secret &&
      endpoint.previous_secret_expires_at &&
      endpoint.previous_secret_expires_at > new Date()
    )
      secrets.push(endpoint.previous_secret);
    const result: WebhookResult = await options.webhooks.send(
      { url: endpoint.url, secrets },
      row.id,
      JSON.stringify(row.data),
    );
    switch (result.kind) {
      case 'sent':
        succeeded.add(endpoint.id);
        return { id: row.id, status: 'sent', statusCode: result.status };
      case 'gone':
        gone.set(endpoint.id, 'the receiver answered 410 Gone');
        return { id: row.id, status: 'failed', error: 'the receiver answered 410 Gone', statusCode: 410 };
      case 'refused':
        return { id: row.id, status: 'failed', error: result.error };
      case 'retry':
        if (result.throttled) {
          const until = new Date(Date.now() + (result.retryAfterMs ?? 60_000));
          throttles.set(endpoint.id, until);
          return {
            id: row.id,
            status: 'pending',
            retryAt: until,
            error: result.error,
            statusCode: result.status,
            countsAsAttempt: false,
          };
        }
        failures.set(endpoint.id, (failures.get(endpoint.id) ?? 0) + 1);
        return retryOrFail(row, result.error, result.status, result.retryAfterMs);
    }
  }

  async function sendEmail(row: Claimed): Promise<DeliveryOutcome> {
    if (!options.email) return { id: row.id, status: 'cancelled', error: 'no SMTP server is configured (SMTP_URL)' };
    let to: string;
    let name: string | null;
    let locale = 'en';
    let prefs: ReturnType<typeof prefsFor>;
    if (row.contact_id) {
      const contact = contactById.get(row.contact_id);
      if (!contact) return { id: row.id, status: 'cancelled', error: 'the contact was removed' };
      to = contact.email;
      name = contact.name;
      locale = contact.locale;
      prefs = prefsFor('contact', contact.id);
    } else {
      const trainee = row.trainee_id ? traineeById.get(row.trainee_id) : undefined;
      if (trainee?.status !== 'active' || !trainee.email)
        return { id: row.id, status: 'cancelled', error: 'the trainee has no email address (or was erased)' };
      // Consent is checked again at send time: it may have been withdrawn since the event.
      if (!trainee.consent_contact_email)
        return { id: row.id, status: 'cancelled', error: 'the trainee has not consented to email' };
      to = trainee.email;
      name = trainee.given_name;
      prefs = prefsFor('trainee', trainee.id);
    }
    if (prefs?.email_unsubscribed) return { id: row.id, status: 'cancelled', error: 'the recipient unsubscribed' };
    const data = row.data as Record<string, unknown>;
    if (row.template === 'employer.shortlist' && Object.keys((data.items as object | undefined) ?? {}).length === 0)
      return { id: row.id, status: 'cancelled', error: 'nothing left to report (the candidates were erased)' };
    // Pages for people (services/api routes/preferences-pages.ts); the JSON API lives under /v1/notification-preferences.
    const base = `${options.appUrl}/preferences/${prefs?.token ?? ''}`;
    const links = {
      app: options.appUrl,
      ...(prefs ? { preferences: base, unsubscribe: `${base}/unsubscribe` } : {}),
    };
    const rendered = renderEmail(row.template as TemplateId, data as unknown as TemplateData[TemplateId], {
      locale,
      links,
      name,
    });
    const result: EmailResult = await options.email.send({
      to,
      subject: rendered.subject,
      text: rendered.text,
      html: rendered.html,
      locale: rendered.locale,
      messageId: `<${row.id}@corridor.notifications>`,
      unsubscribeUrl: links.unsubscribe,
    });
    if (result.kind === 'sent') return { id: row.id, status: 'sent' };
    if (result.kind === 'failed') return { id: row.id, status: 'failed', error: result.error, statusCode: result.code };
    return retryOrFail(row, result.error, result.code);
  }

  await eachLimited(rows, options.parallel, async (row) => {
    let o: DeliveryOutcome;
    try {
      o = row.channel === 'webhook' ? await sendWebhook(row) : await sendEmail(row);
    } catch (err) {
      o = retryOrFail(row, err instanceof Error ? err.message : String(err), null);
    }
    outcomes.push(o);
    if (o.status === 'sent') outcome.sent++;
    else if (o.status === 'pending') outcome.retrying++;
    else if (o.status === 'failed') outcome.failed++;
    else outcome.cancelled++;
  });

  await deliveriesRepository.complete(db, outcomes);
  await webhookEndpointsRepository.recordSuccess(
    db,
    [...succeeded].filter((id) => !failures.has(id)),
  );
  for (const [id, until] of throttles) await webhookEndpointsRepository.throttle(db, id, until);
  const disabled = await webhookEndpointsRepository.recordFailures(
    db,
    failures,
    options.endpointFailure.threshold,
    options.endpointFailure.minDurationMs,
  );
  const notices: { id: string; organization_id: string; url: string; reason: string }[] = disabled.map((d) => ({
    ...d,
    reason: `${d.consecutive_failures} deliveries in a row failed`,
  }));
  for (const [id, reason] of gone) {
    const d = await webhookEndpointsRepository.disable(db, id, reason);
    if (d) notices.push({ ...d, reason });
  }
  // Each endpoint is disabled once (the UPDATE matched only while enabled), so each notice is written once.
  await outboxRepository.append(
    db,
    notices.map((d) => ({
      type: 'webhook_endpoint.disabled',
      aggregateType: 'webhook_endpoint' as const,
      aggregateId: d.id,
      payload: { endpointId: d.id, organizationId: d.organization_id, url: d.url, reason: d.reason },
    })),
  );
  return outcome;
}
