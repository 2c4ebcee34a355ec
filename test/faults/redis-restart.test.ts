import { type ChildProcess, spawn } from 'node:child_process';
import { randomBytes, randomUUID } from 'node:crypto';
import { once } from 'node:events';
import { mkdtempSync, rmSync } from 'node:fs';
import { createServer } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { type Database, migrateToLatest, openDatabase } from '@corridor/db';
import { createBullmqRuntime } from '@corridor/queue';
import { sql } from 'kysely';
import pg from 'pg';
import { afterAll, beforeAll, expect, it } from 'vitest';
import { buildTestApp, type TestApp } from '../helpers/app.ts';
import { dropDatabase, TEST_DATABASE_URL } from '../helpers/db.ts';
import { partnershipWorld, postTrainee, postVacancy } from '../matching/helpers.ts';

// Redis is killed (SIGKILL) and restarted in the middle of a run. With the settings infra/ prescribes
// (noeviction, append-only file) nothing is lost: queued jobs come back from the AOF, the relay keeps events
// in Postgres while Redis is away, and the worker reconnects by itself. The test runs its own redis-server on a
// free port, so the shared one the rest of the suite uses is never touched.

const JOBS = 3_000;
const dbName = `corridor_redis_${randomBytes(4).toString('hex')}`;
const databaseUrl = TEST_DATABASE_URL.replace(/\/[^/]*$/, `/${dbName}`);
const redisDir = mkdtempSync(join(tmpdir(), 'corridor-redis-'));
let redisPort = 0;
let redis: ChildProcess | undefined;
let worker: ChildProcess | undefined;
let admin: pg.Client;
let database: Database;
let t: TestApp;

const freePort = () =>
  new Promise<number>((resolve) => {
    const s = createServer().listen(0, '127.0.0.1', () => {
      const port = (s.address() as { port: number }).port;
      s.close(() => resolve(port));
    });
  });

async function startRedis() {
  redis = spawn(
    'redis-server',
    [
      '--port',
      String(redisPort),
      '--bind',
      '127.0.0.1',
      '--save',
      '',
      '--appendonly',
      'yes',
      '--appendfsync',
      'always',
      '--dir',
      redisDir,
      '--maxmemory-policy',
      'noeviction',
    ],
    { stdio: 'ignore' },
  );
  for (let i = 0; i < 100; i++) {
    const probe = createBullmqRuntime({ redisUrl: `redis://127.0.0.1:${redisPort}`, prefix: 'probe' });
    const ok = await probe.counts().then(
      () => true,
      () => false,
    );
    await probe.close();
    if (ok) return;
    await new Promise((r) => setTimeout(r, 100));
  }
  throw new Error('redis-server did not start');
}

beforeAll(async () => {
  redisPort = await freePort();
  await startRedis();
  admin = new pg.Client({ connectionString: TEST_DATABASE_URL });
  await admin.connect();
  await admin.query(`CREATE DATABASE ${dbName}`);
  database = await openDatabase({ url: databaseUrl });
  await migrateToLatest(database.db);
  t = await buildTestApp({ database });
}, 60_000);

afterAll(async () => {
  for (const p of [worker, redis]) {
    if (p && p.exitCode === null && p.signalCode === null) {
      p.kill('SIGTERM');
      await once(p, 'exit');
    }
  }
  await t.close();
  await database.close();
  await dropDatabase(admin, dbName);
  await admin.end();
  rmSync(redisDir, { recursive: true, force: true });
});

const pendingOutbox = async () =>
  Number(
    (await sql<{ n: string }>`SELECT count(*) AS n FROM outbox WHERE relayed_at IS NULL`.execute(database.db)).rows[0]!
      .n,
  );

it('a Redis crash and restart mid-run loses no job and duplicates nothing', async () => {
  const { employer, provider, partnershipId } = await partnershipWorld(t);
  for (let i = 0; i < 6; i++)
    await postTrainee(t, provider, {
      externalRef: `r-${i}`,
      programme: { partnershipId, cohort: '2026-A', track: 'away' },
    });
  const vacancies: string[] = [];
  for (let i = 0; i < 30; i++)
    vacancies.push(
      await postVacancy(t, employer, { headcount: 1, partnershipId, startDate: '2027-03-01', externalRef: `rv-${i}` }),
    );
  const events = Array.from({ length: JOBS }, (_, i) => ({
    event_id: randomUUID(),
    type: 'vacancy.updated',
    aggregate_type: 'vacancy',
    aggregate_id: vacancies[i % vacancies.length]!,
    payload: JSON.stringify({ vacancyId: vacancies[i % vacancies.length] }),
  }));
  await database.db.insertInto('outbox').values(events).execute();

  const redisUrl = `redis://127.0.0.1:${redisPort}`;
  worker = spawn(
    process.execPath,
    ['--import', 'tsx', join(import.meta.dirname, '..', '..', 'services', 'worker', 'src', 'main.ts')],
    {
      env: {
        ...process.env,
        DATABASE_URL: databaseUrl,
        REDIS_URL: redisUrl,
        CORRIDOR_QUEUE_PREFIX: 'corridor',
        LOG_LEVEL: 'fatal',
      },
      stdio: 'ignore',
    },
  );
  const deadline = Date.now() + 60_000;
  while ((await pendingOutbox()) > JOBS * 0.6 && Date.now() < deadline) await new Promise((r) => setTimeout(r, 50));

  redis!.kill('SIGKILL');
  await once(redis!, 'exit');
  await new Promise((r) => setTimeout(r, 1_500)); // the relay and the workers now see Redis gone
  await startRedis();

  const observer = createBullmqRuntime({ redisUrl, prefix: 'corridor' });
  const finish = Date.now() + 120_000;
  for (;;) {
    const c = await observer.counts();
    const open = Object.values(c).reduce((n, x) => n + x.waiting + x.active + x.delayed, 0);
    if (open === 0 && (await pendingOutbox()) === 0) break;
    if (Date.now() > finish)
      throw new Error(`not finished: ${JSON.stringify(c)}, outbox pending ${await pendingOutbox()}`);
    await new Promise((r) => setTimeout(r, 250));
  }
  const failed = (await Promise.all(observer.queues().map((q) => q.getFailed()))).flat();
  await observer.close();
  expect(failed.map((j) => `${j.name}: ${j.failedReason}`)).toEqual([]);
  expect(worker.exitCode).toBeNull();

  const pairs = await sql<{ n: string; distinct_pairs: string }>`
    SELECT count(*) AS n, count(DISTINCT (vacancy_id, trainee_id)) AS distinct_pairs FROM placements`.execute(
    database.db,
  );
  expect(Number(pairs.rows[0]!.n)).toBeGreaterThan(0);
  expect(pairs.rows[0]!.n).toBe(pairs.rows[0]!.distinct_pairs);
  const twice =
    await sql`SELECT aggregate_id FROM outbox WHERE type = 'placement.proposed' GROUP BY aggregate_id HAVING count(*) > 1`.execute(
      database.db,
    );
  expect(twice.rows).toEqual([]);
}, 240_000);
