import { type ChildProcess, spawn } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import { once } from 'node:events';
import { join } from 'node:path';
import type { Database } from '@corridor/db';
import { createBullmqRuntime } from '@corridor/queue';
import type pg from 'pg';
import { afterAll, beforeAll, expect, it } from 'vitest';
import { buildTestApp, type TestApp } from '../helpers/app.ts';
import { createOwnDatabase, TEST_DATABASE_URL } from '../helpers/db.ts';
import { partnershipWorld, postTrainee, postVacancy } from '../matching/helpers.ts';
import {
  addMatchEvents,
  drainQueues,
  endRun,
  expectNoDuplicatePlacements,
  pendingOutbox,
  waitForPendingAtMost,
} from './helpers.ts';

// Fault tests: the process running the jobs is killed with SIGKILL in the middle of 10,000 match jobs and
// started again, once as a BullMQ worker and once as the embedded runner (the service without Redis). Every
// job must complete (nothing left waiting, active, delayed or failed; every outbox event relayed), no proposal
// may be duplicated, and no placement may be announced twice. BullMQ gives a killed worker's jobs back after
// their lock expires (30 s), so the first test takes about a minute.

const REDIS_URL = process.env.TEST_REDIS_URL ?? 'redis://127.0.0.1:6379';
const dbName = `corridor_fault_${randomBytes(4).toString('hex')}`;
const prefix = `fault-${randomBytes(4).toString('hex')}`;
const databaseUrl = TEST_DATABASE_URL.replace(/\/[^/]*$/, `/${dbName}`);
const JOBS = 10_000;
const SERVICES = join(import.meta.dirname, '..', '..', 'services');
let admin: pg.Client;
let database: Database;
let t: TestApp;
const vacancies: string[] = [];
const processes: ChildProcess[] = [];

/** `pnpm worker` with Redis, or the embedded runner: `pnpm start` without Redis, jobs in-process. */
function startJobs(kind: 'bullmq' | 'embedded'): ChildProcess {
  const { REDIS_URL: _ignored, ...env } = process.env;
  const entry =
    kind === 'bullmq' ? join(SERVICES, 'worker', 'src', 'main.ts') : join(SERVICES, 'api', 'src', 'server.ts');
  const child = spawn(process.execPath, ['--import', 'tsx', entry], {
    env:
      kind === 'bullmq'
        ? { ...env, DATABASE_URL: databaseUrl, REDIS_URL, CORRIDOR_QUEUE_PREFIX: prefix, LOG_LEVEL: 'error' }
        : {
            ...env,
            DATABASE_URL: databaseUrl,
            PORT: '0',
            CORRIDOR_ADMIN_KEY: 'fault-test-admin-key-0123',
            LOG_LEVEL: 'error',
          },
    stdio: 'ignore',
  });
  processes.push(child);
  return child;
}

beforeAll(async () => {
  ({ admin, database } = await createOwnDatabase(dbName, databaseUrl));
  t = await buildTestApp({ database });
  const { employer, provider, partnershipId } = await partnershipWorld(t);
  for (let i = 0; i < 8; i++) {
    await postTrainee(t, provider, {
      externalRef: `f-${i}`,
      programme: { partnershipId, cohort: '2026-A', track: 'away' },
    });
  }
  for (let i = 0; i < 50; i++) {
    vacancies.push(
      await postVacancy(t, employer, { headcount: 1, partnershipId, startDate: '2027-03-01', externalRef: `v-${i}` }),
    );
  }
}, 60_000);

afterAll(async () => {
  await endRun({ processes, app: t, database, admin, dbName, redisUrl: REDIS_URL, prefix });
});

async function killWhenPendingBelow(child: ChildProcess, fraction: number) {
  await waitForPendingAtMost(database, JOBS * fraction);
  child.kill('SIGKILL');
  await once(child, 'exit');
}

it('BullMQ worker: loses no job and duplicates no proposal when SIGKILLed mid-run', async () => {
  await addMatchEvents(database, vacancies, JOBS);
  const observer = createBullmqRuntime({ redisUrl: REDIS_URL, prefix });
  await killWhenPendingBelow(startJobs('bullmq'), 0.6);
  const atKill = await observer.counts();
  expect(
    atKill['match.vacancy'].waiting + atKill['match.vacancy'].active + (await pendingOutbox(database)),
  ).toBeGreaterThan(0);

  startJobs('bullmq');
  const failed = await drainQueues(database, observer, 150_000);
  await observer.close();
  expect(failed).toEqual([]);
  await expectNoDuplicatePlacements(database);
}, 240_000);

it('embedded runner: the service (jobs in-process, no Redis) is SIGKILLed and restarted, and still loses nothing', async () => {
  await addMatchEvents(database, vacancies, JOBS);
  // In-process, an event is marked relayed only once its jobs have run, so unfinished work stays in the outbox.
  await killWhenPendingBelow(startJobs('embedded'), 0.7);
  expect(await pendingOutbox(database)).toBeGreaterThan(0);
  startJobs('embedded');
  const finish = Date.now() + 150_000;
  while ((await pendingOutbox(database)) > 0) {
    if (Date.now() > finish) throw new Error(`not finished: outbox pending ${await pendingOutbox(database)}`);
    await new Promise((r) => setTimeout(r, 250));
  }
  await expectNoDuplicatePlacements(database);
}, 240_000);
