import { randomBytes } from 'node:crypto';
import { type BullmqRuntime, type CorridorJobs, createBullmqRuntime } from '@corridor/queue';
import { afterAll, beforeAll, expect, it } from 'vitest';
import { ADMIN_KEY, buildTestApp, createOrganization, type TestApp } from '../helpers/app.ts';
import { isolatedDatabase } from '../helpers/db.ts';

// The BullMQ dashboard for platform admins: HTTP Basic auth with the admin key, every catalog queue listed.

const REDIS_URL = process.env.TEST_REDIS_URL ?? 'redis://127.0.0.1:6379';
let runtime: BullmqRuntime<CorridorJobs>;
let t: TestApp;
let database: Awaited<ReturnType<typeof isolatedDatabase>>;

beforeAll(async () => {
  runtime = createBullmqRuntime({ redisUrl: REDIS_URL, prefix: `dash-${randomBytes(4).toString('hex')}` });
  await runtime.counts();
  database = await isolatedDatabase('dash');
  t = await buildTestApp({ database, dashboardQueues: runtime.queues() });
});
afterAll(async () => {
  await t.close();
  await database.drop();
  await Promise.all(runtime.queues().map((q) => q.obliterate({ force: true })));
  await runtime.close();
});

const basic = (password: string) => ({ authorization: `Basic ${Buffer.from(`admin:${password}`).toString('base64')}` });

it('asks for the admin key, and refuses other keys', async () => {
  const none = await t.call({ method: 'GET', url: '/admin/queues' });
  expect(none.statusCode).toBe(401);
  expect(none.headers['www-authenticate']).toMatch(/^Basic/);
  const org = await createOrganization(t, 'employer');
  const orgKey = org.headers.authorization.replace('Bearer ', '');
  expect((await t.call({ method: 'GET', url: '/admin/queues', headers: basic(orgKey) })).statusCode).toBe(401);
  expect((await t.call({ method: 'GET', url: '/admin/queues', headers: org.headers })).statusCode).toBe(401);
});

it('serves the dashboard and lists every catalog queue to the platform admin', async () => {
  const page = await t.call({ method: 'GET', url: '/admin/queues', headers: basic(ADMIN_KEY) });
  expect(page.statusCode).toBe(200);
  expect(page.headers['content-type']).toContain('text/html');
  const api = await t.call({ method: 'GET', url: '/admin/queues/api/queues', headers: basic(ADMIN_KEY) });
  expect(api.statusCode).toBe(200);
  const names = (api.json().queues as { name: string }[]).map((q) => q.name).sort();
  expect(names).toEqual(
    expect.arrayContaining(['corridor.eligibility.evaluate', 'corridor.match.vacancy', 'corridor.notify.deliver']),
  );
});
