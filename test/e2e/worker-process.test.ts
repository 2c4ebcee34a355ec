import { type ChildProcess, spawn } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import { join } from 'node:path';
import type { Database } from '@corridor/db';
import type pg from 'pg';
import { afterAll, beforeAll, expect, it } from 'vitest';
import { endRun } from '../faults/helpers.ts';
import { buildTestApp, createOrganization, type TestApp } from '../helpers/app.ts';
import { createOwnDatabase, TEST_DATABASE_URL } from '../helpers/db.ts';
import { nurseProfile } from '../helpers/factories.ts';

// The real-services path end to end: the API writes rows and outbox events to Postgres; a separate
// `pnpm worker` process relays them to BullMQ on Redis, runs the handlers and stores eligibility results.
// The worker gets its own database and queue prefix, so this runs beside the rest of the suite.

const REDIS_URL = process.env.TEST_REDIS_URL ?? 'redis://127.0.0.1:6379';
const dbName = `corridor_e2e_${randomBytes(4).toString('hex')}`;
const prefix = `e2e-${randomBytes(4).toString('hex')}`;
const databaseUrl = TEST_DATABASE_URL.replace(/\/[^/]*$/, `/${dbName}`);
let admin: pg.Client;
let database: Database;
let t: TestApp;
let worker: ChildProcess;
const workerOutput: string[] = [];

beforeAll(async () => {
  ({ admin, database } = await createOwnDatabase(dbName, databaseUrl));
  t = await buildTestApp({ database });
  worker = spawn(
    process.execPath,
    ['--import', 'tsx', join(import.meta.dirname, '..', '..', 'services', 'worker', 'src', 'main.ts')],
    {
      env: { ...process.env, DATABASE_URL: databaseUrl, REDIS_URL, CORRIDOR_QUEUE_PREFIX: prefix, LOG_LEVEL: 'warn' },
      stdio: ['ignore', 'pipe', 'pipe'],
    },
  );
  worker.stdout!.on('data', (d) => workerOutput.push(String(d)));
  worker.stderr!.on('data', (d) => workerOutput.push(String(d)));
}, 60_000);

afterAll(async () => {
  await endRun({ processes: [worker], app: t, database, admin, dbName, redisUrl: REDIS_URL, prefix });
});

async function until<T>(probe: () => Promise<T | undefined>, timeoutMs = 20_000): Promise<T> {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    const value = await probe();
    if (value !== undefined) return value;
    if (Date.now() > deadline) throw new Error(`timed out; worker said:\n${workerOutput.join('')}`);
    await new Promise((r) => setTimeout(r, 100));
  }
}

it('a trainee posted to the API gets stored eligibility results from the worker, and a profile edit that flips a status emits eligibility.changed', async () => {
  const provider = await createOrganization(t, 'training_provider', 'Provider', 'PH');
  const created = await t.call({
    method: 'POST',
    url: '/v1/trainees',
    headers: provider.headers,
    payload: nurseProfile({
      languages: [
        { language: 'en', cefr: 'C1' },
        { language: 'de', cefr: 'A1' },
      ],
    }),
  });
  expect(created.statusCode).toBe(201);
  const id = created.json().id as string;

  const first = await until(async () => {
    const res = await t.call({ method: 'GET', url: `/v1/trainees/${id}/eligibility`, headers: provider.headers });
    const results = res.json().results as { pathwayId: string; status: string }[];
    return results.length === 21 ? results : undefined;
  });
  const before = first.find((r) => r.pathwayId === 'de-recognition-partnership')!.status;

  // German A1 → B2 changes what the German pathways say.
  await t.call({
    method: 'PATCH',
    url: `/v1/trainees/${id}`,
    headers: provider.headers,
    payload: {
      languages: [
        { language: 'en', cefr: 'C1' },
        { language: 'de', cefr: 'B2' },
      ],
    },
  });
  const changed = await until(async () => {
    const rows = await database.db
      .selectFrom('outbox')
      .select(['payload'])
      .where('type', '=', 'eligibility.changed')
      .where('aggregate_id', '=', id)
      .execute();
    return rows.length > 0 ? rows.map((r) => r.payload as { pathwayId: string; from: string; to: string }) : undefined;
  });
  const german = changed.find((c) => c.pathwayId === 'de-recognition-partnership');
  expect(german).toBeDefined();
  expect(german!.from).toBe(before);
  expect(german!.to).not.toBe(before);
  expect(worker.exitCode).toBeNull();
}, 60_000);

it('a vacancy posted to the API gets a shortlist from the worker, with breakdowns naming the pathway used; a later trainee enters it; one who becomes ineligible is withdrawn with the reason', async () => {
  const { partnershipWorld, postTrainee, postVacancy } = await import('../matching/helpers.ts');
  const { employer, provider, partnershipId } = await partnershipWorld(t);
  const traineeId = await postTrainee(t, provider, {
    externalRef: 'e2e-1',
    programme: { partnershipId, cohort: '2026-A', track: 'away' },
  });
  const vacancyId = await postVacancy(t, employer, { headcount: 1, partnershipId, startDate: '2027-03-01' });
  const items = await until(async () => {
    const res = await t.call({ method: 'GET', url: `/v1/vacancies/${vacancyId}/matches`, headers: employer.headers });
    const list = res.json().items as {
      traineeId: string;
      breakdown: { factor: string }[];
      pathways: { pathwayId: string }[];
      profile: Record<string, unknown>;
    }[];
    return list.length > 0 ? list : undefined;
  });
  expect(items.map((i) => i.traineeId)).toEqual([traineeId]);
  expect(items[0]!.pathways.map((p) => p.pathwayId)).toContain('de-recognition-partnership');
  expect(items[0]!.breakdown.length).toBeGreaterThan(3);
  // Pseudonymised until the trainee consents or accepts.
  expect(JSON.stringify(items[0]!.profile)).not.toContain('Maria');
  expect(items[0]!.profile).not.toHaveProperty('dateOfBirth');

  // A trainee posted later who qualifies enters the same shortlist (match.trainee in the worker), ahead of the first.
  const later = await postTrainee(t, provider, {
    externalRef: 'e2e-2',
    programme: { partnershipId, cohort: '2026-A', track: 'away' },
    languages: [
      { language: 'en', cefr: 'C1' },
      { language: 'de', cefr: 'C1' },
    ],
  });
  const both = await until(async () => {
    const res = await t.call({ method: 'GET', url: `/v1/vacancies/${vacancyId}/matches`, headers: employer.headers });
    const ids = (res.json().items as { traineeId: string }[]).map((i) => i.traineeId);
    return ids.length === 2 ? ids : undefined;
  });
  expect(both).toEqual([later, traineeId]);

  // The first becomes ineligible (German A1: no pathway the vacancy accepts, and two levels short): the worker
  // re-evaluates, withdraws the proposal and says why.
  const patch = await t.call({
    method: 'PATCH',
    url: `/v1/trainees/${traineeId}`,
    headers: provider.headers,
    payload: { languages: [{ language: 'de', cefr: 'A1' }] },
  });
  expect(patch.statusCode).toBe(200);
  const withdrawn = await until(async () => {
    const res = await t.call({
      method: 'GET',
      url: `/v1/vacancies/${vacancyId}/matches?status=withdrawn`,
      headers: employer.headers,
    });
    const list = res.json().items as { traineeId: string; withdrawnReason: string }[];
    return list.length > 0 ? list : undefined;
  });
  expect(withdrawn.map((w) => w.traineeId)).toEqual([traineeId]);
  expect(withdrawn[0]!.withdrawnReason).toMatch(/neither eligible nor conditionally eligible/);
  expect(worker.exitCode).toBeNull();
}, 60_000);
