import { randomUUID } from 'node:crypto';
import { deliveriesRepository, inboxRepository } from '@corridor/db';
import { createWebhookSender, STRICT_POLICY } from '@corridor/notify';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { buildTestApp, createOrganization, type TestApp } from '../helpers/app.ts';
import { startWebhookReceiver, type WebhookReceiver } from './receivers.ts';

// Webhook targets are tenant input: without the development allow-list, private, loopback, link-local and
// metadata addresses are refused when an endpoint is registered, and again on the socket at send time.
// And one tenant's inbox, deliveries and endpoints are invisible to another (404).

let t: TestApp;
let receiver: WebhookReceiver;

beforeAll(async () => {
  t = await buildTestApp(); // no allow-list: the production default
  receiver = await startWebhookReceiver();
});
afterAll(async () => {
  await t.close();
  await receiver.close();
});

describe('SSRF guard', () => {
  it.each([
    ['loopback', 'http://127.0.0.1:8080/hook'],
    ['loopback over https', 'https://127.0.0.1/hook'],
    ['private 10.x', 'https://10.1.2.3/hook'],
    ['private 192.168.x', 'https://192.168.0.10/hook'],
    ['link-local', 'https://169.254.10.20/hook'],
    ['cloud metadata', 'https://169.254.169.254/latest/meta-data/'],
    ['IPv6 loopback', 'https://[::1]/hook'],
    ['IPv4-mapped IPv6 loopback', 'https://[::ffff:127.0.0.1]/hook'],
    ['unspecified', 'https://0.0.0.0/hook'],
    ['a name resolving to loopback', 'https://localhost/hook'],
    ['plain http to a public host', 'http://example.com/hook'],
    ['credentials in the URL', 'https://user:secret@example.com/hook'],
    ['not a URL', 'not a url'],
  ])('refuses %s', async (_label, url) => {
    const employer = await createOrganization(t, 'employer');
    const res = await t.call({
      method: 'POST',
      url: '/v1/webhook-endpoints',
      headers: employer.headers,
      payload: { url, events: ['placement.proposed'] },
    });
    expect(res.statusCode).toBe(422);
    expect(res.headers['content-type']).toContain('application/problem+json');
    expect(res.json().errors[0].path).toBe('url');
    expect(await t.database.db.selectFrom('webhook_endpoints').select('id').execute()).toHaveLength(0);
  });

  it('refuses at send time too, on the address the socket would connect to (DNS rebinding)', async () => {
    // `localhost` is a name: the registration check would see whatever DNS said then; the sender checks the
    // answer it connects to. Without the allow-list the connection is refused and nothing reaches the receiver.
    const sender = createWebhookSender({ policy: STRICT_POLICY, timeoutMs: 2_000 });
    const port = new URL(receiver.url).port;
    const byName = await sender.send(
      { url: `https://localhost:${port}/hooks`, secrets: ['whsec_dGVzdA=='] },
      'msg_1',
      '{}',
    );
    expect(byName.kind).toBe('refused');
    const byAddress = await sender.send({ url: receiver.url, secrets: ['whsec_dGVzdA=='] }, 'msg_2', '{}');
    expect(byAddress.kind).toBe('refused');
    await sender.close();
    expect(receiver.received).toHaveLength(0);
    expect(receiver.rejected).toBe(0);
  });

  it('refuses unknown event types by name', async () => {
    const employer = await createOrganization(t, 'employer');
    const res = await t.call({
      method: 'POST',
      url: '/v1/webhook-endpoints',
      headers: employer.headers,
      payload: { url: 'https://example.com/hook', events: ['placement.proposed', 'everything'] },
    });
    expect(res.statusCode).toBe(400);
    expect(res.json().errors.map((e: { path: string }) => e.path)).toContain('events.1');
  });
});

describe('tenancy', () => {
  it("one organization cannot list or read another's inbox, deliveries or endpoints: 404", async () => {
    const a = await createOrganization(t, 'employer', 'A');
    const b = await createOrganization(t, 'employer', 'B');
    const provider = await createOrganization(t, 'training_provider', 'P', 'PH');
    // A's endpoint (inserted directly: registering needs a public address) with one delivery and an inbox item.
    const endpoint = await t.database.db
      .insertInto('webhook_endpoints')
      .values({
        id: randomUUID(),
        organization_id: a.id,
        url: 'https://hooks.example.com/a',
        events: ['placement.proposed'],
        description: null,
        secret: 'whsec_dGVzdA==',
        previous_secret: null,
        previous_secret_expires_at: null,
        disabled_reason: null,
        disabled_at: null,
        failing_since: null,
        throttled_until: null,
      })
      .returning('id')
      .executeTakeFirstOrThrow();
    const eventId = randomUUID();
    const [delivery] = await deliveriesRepository.insertNew(t.database.db, [
      {
        dedupeKey: `${eventId}|endpoint:${endpoint.id}|webhook`,
        eventId,
        eventType: 'placement.proposed',
        channel: 'webhook',
        organizationId: a.id,
        endpointId: endpoint.id,
        subjectTraineeId: null,
        template: 'webhook',
        data: { type: 'placement.proposed' },
      },
    ]);
    await inboxRepository.insertMany(t.database.db, [
      {
        recipient: { kind: 'organization', id: a.id },
        eventId,
        eventType: 'placement.proposed',
        subjectTraineeId: null,
        title: 'for A only',
        body: 'A',
        data: {},
      },
    ]);
    const aInbox = await t.call({ method: 'GET', url: '/v1/inbox', headers: a.headers });
    const item = aInbox.json().items[0];
    expect(item.title).toBe('for A only');

    const asB = (method: 'GET' | 'POST' | 'PATCH' | 'DELETE', url: string, payload?: object) =>
      t.call({ method, url, headers: b.headers, ...(payload ? { payload } : {}) });
    expect((await asB('GET', '/v1/inbox')).json().items).toEqual([]);
    expect((await asB('POST', `/v1/inbox/${item.id}/read`)).statusCode).toBe(404);
    expect((await asB('GET', '/v1/webhook-endpoints')).json().items).toEqual([]);
    expect((await asB('GET', `/v1/webhook-endpoints/${endpoint.id}`)).statusCode).toBe(404);
    expect((await asB('PATCH', `/v1/webhook-endpoints/${endpoint.id}`, { enabled: false })).statusCode).toBe(404);
    expect((await asB('POST', `/v1/webhook-endpoints/${endpoint.id}/rotate-secret`)).statusCode).toBe(404);
    expect((await asB('GET', `/v1/webhook-endpoints/${endpoint.id}/deliveries`)).statusCode).toBe(404);
    expect((await asB('DELETE', `/v1/webhook-endpoints/${endpoint.id}`)).statusCode).toBe(404);
    expect((await asB('GET', '/v1/deliveries')).json().items).toEqual([]);
    expect((await asB('GET', `/v1/deliveries/${delivery!.id}`)).statusCode).toBe(404);
    expect((await asB('POST', `/v1/deliveries/${delivery!.id}/redeliver`)).statusCode).toBe(404);
    expect((await asB('GET', `/v1/organizations/${a.id}/contacts`)).statusCode).toBe(404);
    expect((await asB('POST', `/v1/organizations/${a.id}/contacts`, { email: 'x@b.example' })).statusCode).toBe(404);
    // A trainee-side organization is no different.
    expect(
      (await t.call({ method: 'GET', url: `/v1/deliveries/${delivery!.id}`, headers: provider.headers })).statusCode,
    ).toBe(404);

    // A still sees its own, and the item is still unread.
    expect(
      (await t.call({ method: 'GET', url: `/v1/webhook-endpoints/${endpoint.id}`, headers: a.headers })).statusCode,
    ).toBe(200);
    expect(
      (await t.call({ method: 'GET', url: `/v1/deliveries/${delivery!.id}`, headers: a.headers })).statusCode,
    ).toBe(200);
    expect((await t.call({ method: 'GET', url: '/v1/inbox/unread-count', headers: a.headers })).json().unread).toBe(1);
  });

  it('a preferences link with a made-up token finds nothing', async () => {
    const res = await t.call({ method: 'GET', url: '/v1/notification-preferences/made-up-token-0123456789' });
    expect(res.statusCode).toBe(404);
  });
});
