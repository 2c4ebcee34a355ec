import { type ChildProcess, spawn } from 'node:child_process';
import { randomBytes, randomUUID } from 'node:crypto';
import { once } from 'node:events';
import { join } from 'node:path';
import { type Database, migrateToLatest, openDatabase } from '@corridor/db';
import { createBullmqRuntime } from '@corridor/queue';
import { sql } from 'kysely';
import pg from 'pg';
import { afterAll, beforeAll, expect, it } from 'vitest';
import { buildTestApp, type TestApp } from '../helpers/app.ts';
import { dropDatabase, TEST_DATABASE_URL } from '../helpers/db.ts';
import { partnershipWorld, postTrainee, postVacancy } from '../matching/helpers.ts';

// Fault test: a worker process is killed with SIGKILL in the middle of 10,000 match jobs and started again.
// Every job must complete (nothing left waiting, active, delayed or failed; every outbox event relayed), no
// proposal may be duplicated, and no placement may be announced twice. BullMQ gives a killed worker's jobs
// back after their lock expires (30 s), so this test takes about a minute.

const REDIS_URL = process.env.TEST_REDIS_URL ?? 'redis://127.0.0.1:6379';
const dbName = `corridor_fault_${randomBytes(4).toString('hex')}`;
const prefix = `fault-${randomBytes(4).toString('hex')}`;
const databaseUrl = TEST_DATABASE_URL.replace(/\/[^/]*$/, `/${dbName}`);
const JOBS = 10_000;
let admin: pg.Client;
let database: Database;
let t: TestApp;
const workers: ChildProcess[] = [];

function startWorker(): ChildProcess {
  const worker = spawn(
    process.execPath,
    ['--import', 'tsx', join(import.meta.dirname, '..', '..', 'services', 'worker', 'src', 'main.ts')],
    {
      env: { ...process.env, DATABASE_URL: databaseUrl, REDIS_URL, CORRIDOR_QUEUE_PREFIX: prefix, LOG_LEVEL: 'error' },
      stdio: 'ignore',
    },
  );
  workers.push(worker);
  return worker;
}

beforeAll(async () => {
  admin = new pg.Client({ connectionString: TEST_DATABASE_URL });
  await admin.connect();
  await admin.query(`CREATE DATABASE ${dbName}`);
  database = await openDatabase({ url: databaseUrl });
  await migrateToLatest(database.db);
  t = await buildTestApp({ database });
}, 60_000);

afterAll(async () => {
  for (const w of workers) {
    if (w.exitCode === null && w.signalCode === null) {
      w.kill('SIGTERM');
      await once(w, 'exit');
    }
  }
  await t.close();
  await database.close();
  await dropDatabase(admin, dbName);
  await admin.end();
  const runtime = createBullmqRuntime({ redisUrl: REDIS_URL, prefix });
  await Promise.all(runtime.queues().map((q) => q.obliterate({ force: true })));
  await runtime.close();
});

const pendingOutbox = async () =>
  Number(
    (await sql<{ n: string }>`SELECT count(*) AS n FROM outbox WHERE relayed_at IS NULL`.execute(database.db)).rows[0]!
      .n,
  );

it('loses no job and duplicates no proposal when the worker is SIGKILLed mid-run', async () => {
  const { employer, provider, partnershipId } = await partnershipWorld(t);
  for (let i = 0; i < 8; i++) {
    await postTrainee(t, provider, {
      externalRef: `f-${i}`,
      programme: { partnershipId, cohort: '2026-A', track: 'away' },
    });
  }
  const vacancies: string[] = [];
  for (let i = 0; i < 50; i++)
    vacancies.push(
      await postVacancy(t, employer, { headcount: 1, partnershipId, startDate: '2027-03-01', externalRef: `v-${i}` }),
    );
  // 10,000 distinct vacancy.updated events: each becomes its own match.vacancy job.
  const events = Array.from({ length: JOBS }, (_, i) => ({
    event_id: randomUUID(),
    type: 'vacancy.updated',
    aggregate_type: 'vacancy',
    aggregate_id: vacancies[i % vacancies.length]!,
    payload: JSON.stringify({ vacancyId: vacancies[i % vacancies.length], source: 'fault-test' }),
  }));
  for (let i = 0; i < events.length; i += 2_000)
    await database.db
      .insertInto('outbox')
      .values(events.slice(i, i + 2_000))
      .execute();

  const first = startWorker();
  const observer = createBullmqRuntime({ redisUrl: REDIS_URL, prefix });
  // Kill it once a good part of the events has been relayed and jobs are being processed.
  const deadline = Date.now() + 60_000;
  while ((await pendingOutbox()) > JOBS * 0.6 && Date.now() < deadline) await new Promise((r) => setTimeout(r, 100));
  first.kill('SIGKILL');
  await once(first, 'exit');
  const atKill = await observer.counts();
  expect(atKill['match.vacancy'].waiting + atKill['match.vacancy'].active + (await pendingOutbox())).toBeGreaterThan(0);

  startWorker();
  const finish = Date.now() + 150_000;
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

  const pairs = await sql<{ n: string; distinct_pairs: string }>`
    SELECT count(*) AS n, count(DISTINCT (vacancy_id, trainee_id)) AS distinct_pairs FROM placements`.execute(
    database.db,
  );
  expect(Number(pairs.rows[0]!.n)).toBeGreaterThan(0);
  expect(pairs.rows[0]!.n).toBe(pairs.rows[0]!.distinct_pairs);
  const announcedTwice = await sql<{ aggregate_id: string }>`
    SELECT aggregate_id FROM outbox WHERE type = 'placement.proposed' GROUP BY aggregate_id HAVING count(*) > 1`.execute(
    database.db,
  );
  expect(announcedTwice.rows).toEqual([]);
  const proposed = await sql<{ n: string }>`SELECT count(*) AS n FROM outbox WHERE type = 'placement.proposed'`.execute(
    database.db,
  );
  expect(Number(proposed.rows[0]!.n)).toBe(Number(pairs.rows[0]!.n));
}, 240_000);
