import { type ChildProcess, spawn } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import { once } from 'node:events';
import { join } from 'node:path';
import type { Database } from '@corridor/db';
import { type JobSystem, startJobSystem } from '@corridor/jobs';
import { parseWebhookAllowList } from '@corridor/notify';
import { silentLogger } from '@corridor/queue';
import type pg from 'pg';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { buildTestApp, type TestApp } from '../helpers/app.ts';
import { createOwnDatabase, TEST_DATABASE_URL } from '../helpers/db.ts';
import { until } from '../helpers/wait.ts';
import { type Org, partnershipWorld, postTrainee, postVacancy } from '../matching/helpers.ts';
import { type SmtpReceiver, startSmtpReceiver, startWebhookReceiver } from '../notifications/receivers.ts';
import { deliveryCounts, seedProposals, skipOutbox } from '../notifications/seed.ts';
import { endRun, pendingOutbox } from './helpers.ts';

// Notification faults, with real parts: an SMTP server that refuses for a while, a webhook endpoint that always
// answers 500 next to a healthy one, and a BullMQ worker process SIGKILLed with 1,000 webhooks in flight.

const REDIS_URL = process.env.TEST_REDIS_URL ?? 'redis://127.0.0.1:6379';
const dbName = `corridor_notify_fault_${randomBytes(4).toString('hex')}`;
const prefix = `notify-fault-${randomBytes(4).toString('hex')}`;
const databaseUrl = TEST_DATABASE_URL.replace(/\/[^/]*$/, `/${dbName}`);
const ALLOW = '127.0.0.1/32';
const WORKER = join(import.meta.dirname, '..', '..', 'services', 'worker', 'src', 'main.ts');

let admin: pg.Client;
let database: Database;
let t: TestApp;
let employer: Org;
let provider: Org;
const vacancies: string[] = [];
const trainees: string[] = [];
const processes: ChildProcess[] = [];
const receivers: { close(): Promise<void> }[] = [];

async function endpoint(org: Org, url: string, events = ['placement.proposed']) {
  const res = await t.call({
    method: 'POST',
    url: '/v1/webhook-endpoints',
    headers: org.headers,
    payload: { url, events },
  });
  expect(res.statusCode, res.body).toBe(201);
  return res.json() as { id: string; secret: string };
}

beforeAll(async () => {
  ({ admin, database } = await createOwnDatabase(dbName, databaseUrl));
  t = await buildTestApp({ database, webhookPolicy: parseWebhookAllowList(ALLOW) });
  let partnershipId: string;
  ({ employer, provider, partnershipId } = await partnershipWorld(t));
  for (let i = 0; i < 20; i++)
    trainees.push(
      await postTrainee(t, provider, {
        externalRef: `nf-${i}`,
        programme: { partnershipId, cohort: '2026-A', track: 'away' },
      }),
    );
  for (let i = 0; i < 50; i++)
    vacancies.push(await postVacancy(t, employer, { headcount: 1, partnershipId, externalRef: `nv-${i}` }));
  await skipOutbox(database);
}, 60_000);

afterAll(async () => {
  for (const r of receivers) await r.close();
  await endRun({ processes, app: t, database, admin, dbName, redisUrl: REDIS_URL, prefix });
});

describe('in-process job system', () => {
  let jobs: JobSystem;
  let smtp: SmtpReceiver;

  beforeAll(async () => {
    smtp = await startSmtpReceiver();
    receivers.push(smtp);
    jobs = await startJobSystem(
      {
        redisUrl: undefined,
        queuePrefix: 'unused',
        smtpUrl: smtp.url,
        webhookAllow: ALLOW,
        publicUrl: 'http://c.test',
      },
      database,
      silentLogger,
      {
        workers: true,
        relay: true,
        notifications: {
          sweepIntervalMs: 100,
          digestWindowMs: 200,
          retry: { maxAttempts: 10, baseMs: 200, maxMs: 1_000 },
          endpointFailure: { threshold: 3, minDurationMs: 0 },
        },
      },
    );
  });
  afterAll(async () => {
    await jobs.stop();
  });

  it('retries email while the SMTP server refuses (451), then delivers each message once', async () => {
    const contact = await t.call({
      method: 'POST',
      url: `/v1/organizations/${employer.id}/contacts`,
      headers: employer.headers,
      payload: { email: 'ops@klinikum.example' },
    });
    expect(contact.statusCode).toBe(201);
    smtp.refuseWith = 451;
    // Five trainees' proposals to one vacancy → five trainee emails (consented) and one employer digest.
    await seedProposals(database, vacancies.slice(0, 1), trainees.slice(0, 5), 5);
    await until(() => smtp.refused >= 6, 'several refused tries');
    const during = await database.db
      .selectFrom('notification_deliveries')
      .select(['status', 'attempts', 'last_error'])
      .where('channel', '=', 'email')
      .execute();
    expect(during.length).toBe(6);
    expect(during.some((d) => d.attempts >= 1 && /451|try again/i.test(d.last_error ?? ''))).toBe(true);
    smtp.refuseWith = null;
    await until(async () => (await deliveryCounts(database)).sent === 6, 'all six emails sent', 30_000);
    const ids = smtp.emails.map((e) => e.messageId);
    expect(new Set(ids).size).toBe(6);
    expect(smtp.emails.filter((e) => e.to.includes('maria.santos@example.org'))).toHaveLength(5);
    const rows = await database.db.selectFrom('notification_deliveries').select(['attempts', 'status']).execute();
    for (const r of rows) expect(r.status).toBe('sent');
    expect(Math.max(...rows.map((r) => r.attempts))).toBeGreaterThan(1);
    await database.db.deleteFrom('notification_contacts').execute();
  }, 60_000);

  it('disables an endpoint that always answers 500 after the configured failures, and delays nothing else', async () => {
    const broken = await startWebhookReceiver('/broken');
    const healthy = await startWebhookReceiver('/healthy');
    receivers.push(broken, healthy);
    broken.respond = () => ({ status: 500 });
    const b = await endpoint(employer, broken.url);
    const h = await endpoint(employer, healthy.url);
    broken.secrets.push(b.secret);
    healthy.secrets.push(h.secret);

    const placements = await seedProposals(database, vacancies.slice(1, 11), trainees.slice(5, 7), 20);
    await until(() => healthy.counts.size === 20, 'every healthy delivery', 20_000);
    const endpointRow = await until(async () => {
      const row = await database.db
        .selectFrom('webhook_endpoints')
        .selectAll()
        .where('id', '=', b.id)
        .executeTakeFirst();
      return row?.status === 'disabled' && row;
    }, 'the broken endpoint to be disabled');
    expect(endpointRow.disabled_reason).toMatch(/failed deliveries in a row/);
    expect(endpointRow.consecutive_failures).toBeGreaterThanOrEqual(3);
    // The healthy endpoint got everything on the first try, once each: the broken one held nothing up.
    const healthyTries = await until(async () => {
      const rows = await database.db
        .selectFrom('notification_deliveries')
        .select(['status', 'attempts'])
        .where('endpoint_id', '=', h.id)
        .execute();
      return rows.length === 20 && rows.every((r) => r.status !== 'pending' && r.status !== 'sending') && rows;
    }, 'the healthy deliveries recorded');
    expect(healthyTries).toHaveLength(20);
    for (const d of healthyTries) expect(d).toEqual({ status: 'sent', attempts: 1 });
    for (const [, n] of healthy.counts) expect(n).toBe(1);
    expect(new Set(healthy.received.map((r) => JSON.parse(r.body).data.placementId))).toEqual(new Set(placements));

    // The organization hears of it in its inbox; the broken endpoint's deliveries end as failed or cancelled.
    const notice = await until(async () => {
      const inbox = await t.call({ method: 'GET', url: '/v1/inbox', headers: employer.headers });
      return inbox.json().items.find((i: { type: string }) => i.type === 'webhook_endpoint.disabled');
    }, 'the disabled-endpoint notice');
    expect(notice.title).toBe('A webhook endpoint was disabled');
    await until(async () => {
      const rows = await database.db
        .selectFrom('notification_deliveries')
        .select('status')
        .where('endpoint_id', '=', b.id)
        .execute();
      return rows.length === 20 && rows.every((r) => r.status === 'failed' || r.status === 'cancelled');
    }, "the broken endpoint's deliveries to end");
    const tries = broken.received.length;
    await new Promise((r) => setTimeout(r, 1_500));
    expect(broken.received.length).toBe(tries); // nothing more is sent to a disabled endpoint

    // Enabled again, it can be redelivered to from its log.
    const log = await t.call({
      method: 'GET',
      url: `/v1/webhook-endpoints/${b.id}/deliveries`,
      headers: employer.headers,
    });
    expect(log.json().items).toHaveLength(20);
    broken.respond = () => ({ status: 204 });
    const enable = await t.call({
      method: 'PATCH',
      url: `/v1/webhook-endpoints/${b.id}`,
      headers: employer.headers,
      payload: { enabled: true },
    });
    expect(enable.json().status).toBe('enabled');
    const one = log.json().items[0].id as string;
    const redo = await t.call({ method: 'POST', url: `/v1/deliveries/${one}/redeliver`, headers: employer.headers });
    expect(redo.statusCode).toBe(202);
    await until(() => broken.counts.get(one) === 1, 'the redelivery');
    await t.call({ method: 'DELETE', url: `/v1/webhook-endpoints/${b.id}`, headers: employer.headers });
    await t.call({ method: 'DELETE', url: `/v1/webhook-endpoints/${h.id}`, headers: employer.headers });
  }, 60_000);
  it('honours the receiver: 429 with Retry-After holds the endpoint, every try keeps its webhook-id, 410 disables it', async () => {
    const slow = await startWebhookReceiver('/slow');
    receivers.push(slow);
    const ep = await endpoint(employer, slow.url);
    slow.secrets.push(ep.secret);
    let calls = 0;
    slow.respond = () => (++calls <= 2 ? { status: 429, headers: { 'retry-after': '1' } } : { status: 200 });
    await seedProposals(database, vacancies.slice(11, 12), trainees.slice(7, 8), 1);
    const delivered = await until(() => slow.counts.size === 1 && [...slow.counts.keys()][0], 'the held delivery');
    const tries = slow.received.map((r) => ({ id: r.id, at: r.at }));
    expect(tries.length).toBeGreaterThanOrEqual(2);
    expect(new Set(tries.map((x) => x.id))).toEqual(new Set([delivered]));
    expect(tries.at(-1)!.at - tries[0]!.at).toBeGreaterThanOrEqual(900); // waited as asked
    // The receiver has answered 200; the deliverer records it once that answer reaches it, so the row is read until
    // it is no longer being sent (reading it at once raced the write and sometimes found 'sending').
    const row = await until(async () => {
      const r = await database.db
        .selectFrom('notification_deliveries')
        .select(['status', 'attempts'])
        .where('id', '=', delivered)
        .executeTakeFirstOrThrow();
      return r.status !== 'sending' && r;
    }, 'the held delivery to be recorded');
    expect(row.status).toBe('sent');

    slow.respond = () => ({ status: 410 });
    await seedProposals(database, vacancies.slice(12, 13), trainees.slice(7, 8), 1);
    const gone = await until(async () => {
      const e = await database.db
        .selectFrom('webhook_endpoints')
        .selectAll()
        .where('id', '=', ep.id)
        .executeTakeFirst();
      return e?.status === 'disabled' && e;
    }, 'the endpoint disabled by 410');
    expect(gone.disabled_reason).toBe('the receiver answered 410 Gone');
    await t.call({ method: 'DELETE', url: `/v1/webhook-endpoints/${ep.id}`, headers: employer.headers });
  }, 60_000);
});

it('a BullMQ worker SIGKILLed with 1,000 webhooks in flight: after a restart each arrives exactly once in effect', async () => {
  const hooks = await startWebhookReceiver('/kill');
  receivers.push(hooks);
  const ep = await endpoint(employer, hooks.url);
  hooks.secrets.push(ep.secret);
  // Slow enough that hundreds are in flight when the worker dies.
  hooks.respond = () => ({ status: 200, delayMs: 20 });
  const worker = () => {
    const child = spawn(process.execPath, ['--import', 'tsx', WORKER], {
      env: {
        ...process.env,
        DATABASE_URL: databaseUrl,
        REDIS_URL,
        CORRIDOR_QUEUE_PREFIX: prefix,
        CORRIDOR_WEBHOOK_ALLOW: ALLOW,
        LOG_LEVEL: 'error',
      },
      stdio: 'ignore',
    });
    processes.push(child);
    return child;
  };
  await database.db.deleteFrom('placements').execute(); // the earlier tests' pairs
  const placements = await seedProposals(database, vacancies, trainees, 1_000);
  const first = worker();
  await until(() => hooks.counts.size >= 250, 'a quarter of the webhooks', 60_000);
  first.kill('SIGKILL');
  await once(first, 'exit');
  const atKill = hooks.counts.size;
  expect(atKill).toBeLessThan(1_000);

  worker();
  await until(() => hooks.counts.size === 1_000, 'all 1,000 webhooks', 150_000);
  await until(async () => (await pendingOutbox(database)) === 0, 'the outbox to drain', 30_000);
  // Every delivery ended as sent; every one reached the receiver under its own webhook-id, which a receiver
  // uses to drop a repeat (a try cut off after sending but before recording is sent again with the same id).
  // Tries that were cut off by the kill after their webhook went out stay `sending` until their lease (60 s) runs
  // out; the sweeper then hands them over again and they are sent a second time with the same webhook-id.
  const rows = await until(
    async () => {
      const all = await database.db
        .selectFrom('notification_deliveries')
        .select(['id', 'status'])
        .where('endpoint_id', '=', ep.id)
        .execute();
      return all.length === 1_000 && all.every((r) => r.status === 'sent') && all;
    },
    'every delivery recorded as sent',
    120_000,
  );
  expect(new Set(hooks.counts.keys())).toEqual(new Set(rows.map((r) => r.id)));
  const bodies = new Set(hooks.received.map((r) => JSON.parse(r.body).data.placementId));
  expect(bodies).toEqual(new Set(placements));
  const repeats = hooks.received.length - hooks.counts.size;
  // Repeats are bounded by what was in flight when the worker died (one notify.deliver job holds ≤ 50).
  expect(repeats).toBeLessThanOrEqual(8 * 50);
  console.info(`worker kill: ${atKill} delivered before the kill, ${repeats} repeated tries dropped by webhook-id`);
}, 360_000);
