import { type JobSystem, startJobSystem } from '@corridor/jobs';
import { parseWebhookAllowList } from '@corridor/notify';
import { silentLogger } from '@corridor/queue';
import { shippedPacks } from '@corridor/rules';
import { Webhook } from 'standardwebhooks';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { admin, buildTestApp, type TestApp } from '../helpers/app.ts';
import { until } from '../helpers/wait.ts';
import { type Org, partnershipWorld, postTrainee, postVacancy, traineeKey } from '../matching/helpers.ts';
import { type SmtpReceiver, startSmtpReceiver, startWebhookReceiver, type WebhookReceiver } from './receivers.ts';

// Notifications end to end with real parts: API writes → outbox → relay → notify.fanout → ledger →
// notify.deliver → a real SMTP server (smtp-server, messages parsed by mailparser) and a real HTTP receiver that
// verifies Standard Webhooks signatures. The inbox is read through the API.

const APP_URL = 'http://corridor.test';
const PII = ['Maria', 'Santos', 'maria.santos@example.org', '1996-04-02'];

let t: TestApp;
let jobs: JobSystem;
let smtp: SmtpReceiver;
let hooks: WebhookReceiver;
let employer: Org;
let provider: Org;
let partnershipId: string;
let endpointSecret: string;

beforeAll(async () => {
  smtp = await startSmtpReceiver();
  hooks = await startWebhookReceiver();
  const allow = '127.0.0.1/32';
  t = await buildTestApp({ webhookPolicy: parseWebhookAllowList(allow) });
  jobs = await startJobSystem(
    { redisUrl: undefined, queuePrefix: 'unused', smtpUrl: smtp.url, webhookAllow: allow, publicUrl: APP_URL },
    t.database,
    silentLogger,
    {
      workers: true,
      relay: true,
      notifications: { digestWindowMs: 400, sweepIntervalMs: 100, retry: { maxAttempts: 4, baseMs: 100, maxMs: 500 } },
    },
  );
  ({ employer, provider, partnershipId } = await partnershipWorld(t));
  const contact = await t.call({
    method: 'POST',
    url: `/v1/organizations/${employer.id}/contacts`,
    headers: employer.headers,
    payload: { email: 'hr@klinikum-nord.example', name: 'Petra Weber' },
  });
  expect(contact.statusCode, contact.body).toBe(201);
  const endpoint = await t.call({
    method: 'POST',
    url: '/v1/webhook-endpoints',
    headers: employer.headers,
    payload: { url: hooks.url, events: ['placement.proposed', 'placement.accepted', 'placement.matched'] },
  });
  expect(endpoint.statusCode, endpoint.body).toBe(201);
  endpointSecret = endpoint.json().secret;
  expect(endpointSecret).toMatch(/^whsec_/);
  hooks.secrets.push(endpointSecret);
});

afterAll(async () => {
  await jobs?.stop();
  await t?.close();
  await smtp?.close();
  await hooks?.close();
});

describe('a proposal, then the trainee accepts', () => {
  let vacancyId: string;
  let traineeId: string;
  let placementId: string;

  it('tells the employer by a signed webhook, a shortlist digest email and the inbox, without identifying the trainee', async () => {
    traineeId = await postTrainee(t, provider, {
      externalRef: 'n-1',
      programme: { partnershipId, cohort: '2026-A', track: 'away' },
    });
    vacancyId = await postVacancy(t, employer, { headcount: 1, partnershipId, title: 'Registered nurse, ICU' });

    const hook = await until(
      () => hooks.received.find((h) => JSON.parse(h.body).type === 'placement.proposed'),
      'the placement.proposed webhook',
    );
    const body = JSON.parse(hook.body);
    placementId = body.data.placementId;
    expect(body.data).toMatchObject({ vacancyId, status: 'proposed', contactReleased: false });
    expect(body.data.candidate.pseudonym).toMatch(/^Candidate [0-9A-F]{8}$/);
    expect(body.data.candidate.ageBand).toBe('30–34');
    expect(body.data.candidate.nationality).toBe('PH');
    expect(body.data.candidate.languages).toEqual([
      { language: 'en', cefr: 'C1' },
      { language: 'de', cefr: 'B1' },
    ]);
    for (const pii of PII) expect(hook.body).not.toContain(pii);
    expect(hook.headers['webhook-signature']).toMatch(/^v1,/);

    const digest = await until(
      () => smtp.emails.find((e) => e.to.includes('hr@klinikum-nord.example')),
      'the employer shortlist email',
    );
    expect(digest.subject).toBe('1 new candidate for Registered nurse, ICU');
    expect(digest.text).toContain(`${APP_URL}/v1/vacancies/${vacancyId}/matches`);
    expect(digest.text).toMatch(new RegExp(`${APP_URL}/preferences/[\\w-]{16,}`));
    const unsubscribe = digest.raw.headerLines.find((l) => l.key === 'list-unsubscribe');
    expect(unsubscribe?.line).toMatch(/\/unsubscribe>$/);
    expect(digest.raw.headerLines.find((l) => l.key === 'list-unsubscribe-post')?.line).toContain('One-Click');
    expect(digest.text).toContain('Hello Petra Weber,');
    expect(digest.html).toContain('<a href="http://corridor.test/v1/vacancies/');
    for (const pii of PII) {
      expect(digest.text).not.toContain(pii);
      expect(digest.html).not.toContain(pii);
    }

    const inbox = await t.call({ method: 'GET', url: '/v1/inbox', headers: employer.headers });
    expect(inbox.statusCode).toBe(200);
    const items = inbox.json().items as {
      type: string;
      data: { placementId?: string };
      title: string;
      eventId: string;
    }[];
    const item = items.find((i) => i.type === 'placement.proposed');
    expect(item?.data.placementId).toBe(placementId);
    expect(item?.title).toContain('Registered nurse, ICU');
    expect(inbox.json().unreadCount).toBeGreaterThanOrEqual(1);
    for (const pii of PII) expect(inbox.body).not.toContain(pii);
  });

  it('asks the consenting trainee to decide, by email and in their own inbox', async () => {
    const mail = await until(
      () => smtp.emails.find((e) => e.to.includes('maria.santos@example.org')),
      'the trainee email',
    );
    expect(mail.subject).toBe('New match: Registered nurse, ICU (DE)');
    expect(mail.text).toContain('Hello Maria,');
    expect(mail.text).toContain(`${APP_URL}/v1/placements/${placementId}`);
    expect(mail.text).toMatch(/Unsubscribe from all email: http:\/\/corridor\.test\/preferences\/[\w-]+\/unsubscribe/);
    expect(mail.messageId).toMatch(/@corridor\.notifications>?$/);

    const key = await traineeKey(t, provider, traineeId);
    const inbox = await t.call({ method: 'GET', url: '/v1/inbox?unread=true', headers: key });
    expect(inbox.statusCode).toBe(200);
    const mine = inbox.json().items.find((i: { type: string }) => i.type === 'placement.proposed');
    expect(mine).toBeDefined();
    const read = await t.call({ method: 'POST', url: `/v1/inbox/${mine.id}/read`, headers: key });
    expect(read.statusCode).toBe(200);
    const after = await t.call({ method: 'GET', url: '/v1/inbox/unread-count', headers: key });
    expect(after.json().unread).toBe(inbox.json().unreadCount - 1);
  });

  it("releases the trainee's contact details to that employer once they accept, and records the release", async () => {
    const key = await traineeKey(t, provider, traineeId);
    const before = await t.call({ method: 'GET', url: `/v1/placements/${placementId}`, headers: employer.headers });
    expect(before.json().profile.email).toBeUndefined();
    const accept = await t.call({
      method: 'POST',
      url: `/v1/placements/${placementId}/decisions`,
      headers: key,
      payload: { decision: 'accept' },
    });
    expect(accept.statusCode, accept.body).toBe(200);

    const hook = await until(
      () => hooks.received.find((h) => JSON.parse(h.body).type === 'placement.accepted'),
      'the placement.accepted webhook',
    );
    const body = JSON.parse(hook.body);
    expect(body.data).toMatchObject({ placementId, by: 'trainee', contactReleased: true });
    // Webhooks stay thin even after release: the details are fetched through the API, where access is checked.
    for (const pii of PII) expect(hook.body).not.toContain(pii);
    const after = await t.call({ method: 'GET', url: `/v1/placements/${placementId}`, headers: employer.headers });
    expect(after.json().profile).toMatchObject({ email: 'maria.santos@example.org', givenName: 'Maria' });
    const audit = await t.database.db
      .selectFrom('disclosures')
      .selectAll()
      .where('trainee_id', '=', traineeId)
      .execute();
    expect(audit).toHaveLength(1);
    expect(audit[0]).toMatchObject({ organization_id: employer.id, placement_id: placementId });
    expect(audit[0]!.fields).toEqual(['givenName', 'familyName', 'email', 'dateOfBirth']);
    // The trainee can see who got their details; the employer cannot read the trainee's record at all.
    const mine = await t.call({ method: 'GET', url: `/v1/trainees/${traineeId}/disclosures`, headers: key });
    expect(mine.json().items).toEqual([
      expect.objectContaining({
        organizationId: employer.id,
        placementId,
        reason: 'the trainee accepted the placement',
      }),
    ]);
    const theirs = await t.call({
      method: 'GET',
      url: `/v1/trainees/${traineeId}/disclosures`,
      headers: employer.headers,
    });
    expect(theirs.statusCode).toBe(404);

    const mail = await until(
      () => smtp.emails.find((e) => e.to.includes('hr@klinikum-nord.example') && e.subject.includes('accepted')),
      'the employer acceptance email',
    );
    expect(mail.text).toContain('now shown to you in Corridor');
  });

  it('every webhook verifies, carries one id per delivery, and the receiver rejects a tampered body or an old timestamp', async () => {
    expect(hooks.rejected).toBe(0);
    for (const [, n] of hooks.counts) expect(n).toBe(1);
    const hook = hooks.received[0]!;
    const replay = (body: string, headers: Record<string, string>) =>
      fetch(hooks.url, { method: 'POST', body, headers: { 'content-type': 'application/json', ...headers } });
    const h = hook.headers as Record<string, string>;
    const signed = {
      'webhook-id': h['webhook-id']!,
      'webhook-timestamp': h['webhook-timestamp']!,
      'webhook-signature': h['webhook-signature']!,
    };
    const tampered = await replay(hook.body.replace('"proposed"', '"matched"'), signed);
    expect(tampered.status).toBe(400);
    const old = new Date(Date.now() - 10 * 60_000);
    const stale = await replay(hook.body, {
      'webhook-id': signed['webhook-id'],
      'webhook-timestamp': String(Math.floor(old.getTime() / 1000)),
      'webhook-signature': new Webhook(endpointSecret).sign(signed['webhook-id'], old, hook.body),
    });
    expect(stale.status).toBe(400);
    const genuine = await replay(hook.body, {
      ...signed,
      'webhook-timestamp': String(Math.floor(Date.now() / 1000)),
      'webhook-signature': new Webhook(endpointSecret).sign(signed['webhook-id'], new Date(), hook.body),
    });
    expect(genuine.status).toBe(200);
  });

  it('lists every delivery in the log with its status, and the inbox holds the same events', async () => {
    // The receiver has every webhook, but the worker records a delivery as sent only after the response: wait for
    // the log to settle (no delivery still sending) before reading it.
    type Delivery = { id: string; eventId: string; status: string; attempts: number };
    const deliveries = await until(async () => {
      const log = await t.call({ method: 'GET', url: '/v1/deliveries?channel=webhook', headers: employer.headers });
      expect(log.statusCode).toBe(200);
      const items = log.json().items as Delivery[];
      return items.length >= 2 && items.every((d) => d.status !== 'sending' && d.status !== 'pending') && items;
    }, 'every webhook delivery recorded as sent');
    for (const d of deliveries) expect(d).toMatchObject({ status: 'sent', attempts: 1 });
    const webhookIds = new Set(hooks.received.map((h) => h.id));
    for (const d of deliveries) expect(webhookIds.has(d.id)).toBe(true);
    const inbox = (await t.call({ method: 'GET', url: '/v1/inbox', headers: employer.headers })).json().items as {
      eventId: string;
    }[];
    const inboxEvents = new Set(inbox.map((i) => i.eventId));
    for (const d of deliveries) expect(inboxEvents.has(d.eventId)).toBe(true);
  });
});

describe('rule changes, preferences and erasure', () => {
  it('tells the trainee that their eligibility changed because rule X changed on date D', async () => {
    const base = shippedPacks().find((p) => p.id === 'de-recognition-partnership')!;
    const stricter = {
      ...base,
      version: '2026-11-01',
      effectiveFrom: '2026-11-01',
      criteria: base.criteria.map((c) =>
        c.id === 'german' && c.kind === 'language'
          ? { ...c, label: 'German at least C1', anyOf: [{ language: 'de', minCefr: 'C1' as const }] }
          : c,
      ),
    };
    const res = await t.call({
      method: 'PUT',
      url: '/v1/pathways/de-recognition-partnership',
      headers: admin,
      payload: stricter,
    });
    expect(res.statusCode, res.body).toBe(201);
    const mail = await until(
      () => smtp.emails.find((e) => e.to.includes('maria.santos@example.org') && e.subject.includes('eligibility')),
      'the eligibility email',
      30_000,
    );
    expect(mail.subject).toBe(`Your eligibility for ${base.name} changed`);
    expect(mail.text).toContain('version 2026-11-01, in force from 1 November 2026');
    expect(mail.text).toContain('German at least C1');
    expect(mail.text).toMatch(/as of \d+ \w+ 2026 you are /);
    const providerInbox = await t.call({ method: 'GET', url: '/v1/inbox', headers: provider.headers });
    const item = providerInbox.json().items.find((i: { type: string }) => i.type === 'eligibility.changed');
    expect(item.data).toMatchObject({
      pathwayId: 'de-recognition-partnership',
      reason: 'rules_changed',
      packVersion: '2026-11-01',
    });
    for (const pii of PII) expect(providerInbox.body).not.toContain(pii);
  });

  it("lets the trainee choose channels per event type with their own key, and no one else's", async () => {
    const { id } = await t.database.db
      .selectFrom('trainees')
      .select('id')
      .where('external_ref', '=', 'n-1')
      .executeTakeFirstOrThrow();
    const key = await traineeKey(t, provider, id);
    const put = await t.call({
      method: 'PUT',
      url: `/v1/trainees/${id}/notification-preferences`,
      headers: key,
      payload: { channels: { 'placement.proposed': ['inbox'] } },
    });
    expect(put.statusCode, put.body).toBe(200);
    expect(put.json().channels).toEqual({ 'placement.proposed': ['inbox'] });
    const bad = await t.call({
      method: 'PUT',
      url: `/v1/trainees/${id}/notification-preferences`,
      headers: key,
      payload: { channels: { 'placement.proposed': ['pigeon'] } },
    });
    expect(bad.statusCode).toBe(400);
    expect(bad.json().errors[0].path).toContain('channels');
    const byProvider = await t.call({
      method: 'GET',
      url: `/v1/trainees/${id}/notification-preferences`,
      headers: provider.headers,
    });
    expect(byProvider.statusCode).toBe(404);
    await t.call({
      method: 'PUT',
      url: `/v1/trainees/${id}/notification-preferences`,
      headers: key,
      payload: { channels: {} },
    });
  });

  it('serves the preferences link as a page whose form saves the choices', async () => {
    const mail = smtp.emails.find((e) => e.to.includes('hr@klinikum-nord.example'))!;
    const link = /Choose which messages you receive: (\S+)/.exec(mail.text)![1]!;
    const path = link.replace(APP_URL, '');
    const view = await t.call({ method: 'GET', url: path });
    expect(view.statusCode).toBe(200);
    expect(view.body).toContain(
      'name="placement.proposed:email" aria-label="New matches and candidates: email" checked',
    );
    const saved = await t.call({
      method: 'POST',
      url: path,
      headers: { 'content-type': 'application/x-www-form-urlencoded' },
      payload: 'email=on&placement.proposed%3Ainbox=on&placement.matched%3Aemail=on',
    });
    expect(saved.statusCode).toBe(303);
    const token = path.split('/')[2]!;
    const json = (await t.call({ method: 'GET', url: `/v1/notification-preferences/${token}` })).json();
    expect(json.channels['placement.proposed']).toEqual(['inbox']);
    expect(json.channels['placement.matched']).toEqual(['email']);
    expect(json.emailUnsubscribed).toBe(false);
    const again = await t.call({ method: 'GET', url: path });
    expect(again.body).not.toContain(
      'name="placement.proposed:email" aria-label="New matches and candidates: email" checked',
    );
    expect((await t.call({ method: 'GET', url: '/preferences/not-a-real-token-0123456789' })).statusCode).toBe(404);
  });

  it('honours one-click unsubscribe: no more email, the inbox still gets everything', async () => {
    const mail = smtp.emails.find((e) => e.to.includes('maria.santos@example.org'))!;
    const link = /Unsubscribe from all email: (\S+)/.exec(mail.text)![1]!;
    const path = link.replace(APP_URL, '');
    const token = /\/preferences\/([\w-]+)\/unsubscribe/.exec(path)![1]!;
    const prefs = async () =>
      (await t.call({ method: 'GET', url: `/v1/notification-preferences/${token}` })).json().emailUnsubscribed;
    // A person clicking the link gets a page with a button: a GET (a mail scanner following links) changes nothing.
    const pageView = await t.call({ method: 'GET', url: path });
    expect(pageView.statusCode).toBe(200);
    expect(pageView.headers['content-type']).toContain('text/html');
    expect(pageView.body).toContain('<button type="submit">Unsubscribe</button>');
    expect(await prefs()).toBe(false);
    // The mail client's one-click POST (RFC 8058) unsubscribes.
    const res = await t.call({
      method: 'POST',
      url: path,
      headers: { 'content-type': 'application/x-www-form-urlencoded' },
      payload: 'List-Unsubscribe=One-Click',
    });
    expect(res.statusCode).toBe(200);
    expect(await prefs()).toBe(true);
    const unsubscribedAt = new Date();
    const emailsBefore = smtp.emails.filter((e) => e.to.includes('maria.santos@example.org')).length;
    // A rule change that flips Maria back is told to her inbox only.
    const key = await traineeKey(
      t,
      provider,
      (
        await t.database.db
          .selectFrom('trainees')
          .select('id')
          .where('external_ref', '=', 'n-1')
          .executeTakeFirstOrThrow()
      ).id,
    );
    const unreadBefore = (await t.call({ method: 'GET', url: '/v1/inbox/unread-count', headers: key })).json().unread;
    await t.call({
      method: 'PUT',
      url: '/v1/pathways/de-recognition-partnership',
      headers: admin,
      payload: {
        ...shippedPacks().find((p) => p.id === 'de-recognition-partnership')!,
        version: '2026-11-20',
        effectiveFrom: '2026-11-20',
      },
    });
    await until(
      async () =>
        (await t.call({ method: 'GET', url: '/v1/inbox/unread-count', headers: key })).json().unread > unreadBefore,
      'the inbox item about the change back',
      30_000,
    );
    await new Promise((r) => setTimeout(r, 1_000));
    expect(smtp.emails.filter((e) => e.to.includes('maria.santos@example.org')).length).toBe(emailsBefore);
    // Fan-out reads the preference: no email delivery is even created for her after the unsubscribe.
    const after = await t.database.db
      .selectFrom('notification_deliveries')
      .select('id')
      .where('channel', '=', 'email')
      .where('trainee_id', 'is not', null)
      .where('created_at', '>', unsubscribedAt)
      .execute();
    expect(after).toEqual([]);
  });

  it('erasure really erases: the inbox about and for the trainee goes, and the ledger keeps no facts about them', async () => {
    const { id } = await t.database.db
      .selectFrom('trainees')
      .select('id')
      .where('external_ref', '=', 'n-1')
      .executeTakeFirstOrThrow();
    const res = await t.call({ method: 'DELETE', url: `/v1/trainees/${id}`, headers: provider.headers });
    expect(res.statusCode).toBe(204);
    const inbox = await t.database.db
      .selectFrom('inbox_items')
      .select('id')
      .where((eb) => eb.or([eb('recipient_id', '=', id), eb('subject_trainee_id', '=', id)]))
      .execute();
    expect(inbox).toEqual([]);
    const ledger = await t.database.db
      .selectFrom('notification_deliveries')
      .select(['data', 'status'])
      .where((eb) => eb.or([eb('trainee_id', '=', id), eb('subject_trainee_id', '=', id)]))
      .execute();
    expect(ledger.length).toBeGreaterThan(0);
    for (const d of ledger) expect(d.data).toEqual({ erased: true });
    const digests = await t.database.db
      .selectFrom('notification_deliveries')
      .select('data')
      .where('template', '=', 'employer.shortlist')
      .execute();
    const placementIds = (
      await t.database.db.selectFrom('placements').select('id').where('trainee_id', '=', id).execute()
    ).map((p) => p.id);
    for (const d of digests)
      for (const p of placementIds) expect(Object.keys((d.data as { items: object }).items)).not.toContain(p);
    expect(
      await t.database.db
        .selectFrom('notification_preferences')
        .select('token')
        .where('recipient_id', '=', id)
        .execute(),
    ).toEqual([]);
  });
});
