import { type ChildProcess, spawn } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import { once } from 'node:events';
import { mkdtempSync, rmSync } from 'node:fs';
import { createServer } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { Database } from '@corridor/db';
import { createBullmqRuntime } from '@corridor/queue';
import type pg from 'pg';
import { afterAll, beforeAll, expect, it } from 'vitest';
import { buildTestApp, type TestApp } from '../helpers/app.ts';
import { createOwnDatabase, dropDatabase, TEST_DATABASE_URL } from '../helpers/db.ts';
import { partnershipWorld, postTrainee, postVacancy } from '../matching/helpers.ts';
import { addMatchEvents, drainQueues, expectNoDuplicatePlacements, waitForPendingAtMost } from './helpers.ts';

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
  ({ admin, database } = await createOwnDatabase(dbName, databaseUrl));
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
  await addMatchEvents(database, vacancies, JOBS);

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
  await waitForPendingAtMost(database, JOBS * 0.6);

  redis!.kill('SIGKILL');
  await once(redis!, 'exit');
  await new Promise((r) => setTimeout(r, 1_500)); // the relay and the workers now see Redis gone
  await startRedis();

  const observer = createBullmqRuntime({ redisUrl, prefix: 'corridor' });
  const failed = await drainQueues(database, observer, 120_000);
  await observer.close();
  expect(failed).toEqual([]);
  expect(worker.exitCode).toBeNull();

  await expectNoDuplicatePlacements(database);
}, 240_000);
