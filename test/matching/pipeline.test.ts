import { databaseRuleBookSource } from '@corridor/evaluation';
import { buildHandlers, corridorRoutes, workerConcurrency } from '@corridor/jobs';
import {
  type CorridorJobs,
  createInProcessRuntime,
  createOutboxRelay,
  defaultCoalesce,
  type InProcessRuntime,
  type OutboxRelay,
  silentLogger,
} from '@corridor/queue';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { buildTestApp, type TestApp } from '../helpers/app.ts';
import { nurseProfile } from '../helpers/factories.ts';
import { until } from '../helpers/wait.ts';
import { type Org, partnershipWorld, placementsOf, postTrainee, postVacancy, TODAY } from './helpers.ts';

// The whole path through the embedded job runtime: API writes + outbox → relay → in-process runtime → the real
// handlers (eligibility.evaluate, match.vacancy, match.trainee) → placements and their events. Nothing is called
// directly: what the test sees is what a running service does.

let t: TestApp;
let runtime: InProcessRuntime<CorridorJobs>;
let relay: OutboxRelay;
let employer: Org;
let provider: Org;
let partnershipId: string;

const pending = async () =>
  Number(
    (
      await t.database.db
        .selectFrom('outbox')
        .select((eb) => eb.fn.countAll<string>().as('n'))
        .where('relayed_at', 'is', null)
        .executeTakeFirstOrThrow()
    ).n,
  );

/** The outbox is empty and stays empty for a moment (handlers write further events; the relay picks them up). */
const settled = () =>
  until(async () => {
    if ((await pending()) > 0) return false;
    await new Promise((r) => setTimeout(r, 300));
    return (await pending()) === 0;
  }, 'the outbox to drain');

beforeAll(async () => {
  t = await buildTestApp();
  ({ employer, provider, partnershipId } = await partnershipWorld(t));
  runtime = createInProcessRuntime({ log: silentLogger, backoffScale: 0.01 });
  await runtime.startWorkers(
    buildHandlers({
      database: t.database,
      ruleBooks: databaseRuleBookSource(t.database.db),
      today: () => TODAY,
      log: silentLogger,
    }),
    { concurrency: workerConcurrency },
  );
  relay = createOutboxRelay({
    database: t.database,
    runtime,
    routes: corridorRoutes,
    coalesce: defaultCoalesce,
    pollMs: 25,
    log: silentLogger,
  });
  relay.start();
});
afterAll(async () => {
  await relay?.stop();
  await runtime?.close();
  await t.close();
});

describe('vacancy posted → placements appear, through the outbox and the embedded runtime', () => {
  it('matches a vacancy, adds a later trainee, withdraws one who becomes ineligible', async () => {
    const programme = { partnershipId, cohort: '2026-A', track: 'away' as const };
    const first = await postTrainee(t, provider, { externalRef: 'p-1', programme });
    await settled();
    const vacancyId = await postVacancy(t, employer, { headcount: 1, partnershipId });
    const proposed = await until(async () => {
      const rows = await placementsOf(t.database, vacancyId);
      return rows.length > 0 && rows;
    }, 'the first proposals');
    expect(proposed.map((p) => p.trainee_id)).toEqual([first]);
    expect(proposed[0]!.pathways.map((p) => p.pathwayId)).toContain('de-recognition-partnership');

    const later = await postTrainee(t, provider, {
      externalRef: 'p-2',
      programme,
      languages: [{ language: 'de', cefr: 'C1' }],
    });
    await until(
      async () => (await placementsOf(t.database, vacancyId)).some((p) => p.trainee_id === later),
      'the later trainee in the shortlist',
    );

    const patch = await t.call({
      method: 'PATCH',
      url: `/v1/trainees/${first}`,
      headers: provider.headers,
      payload: { preferences: { destinations: ['JP'] } },
    });
    expect(patch.statusCode).toBe(200);
    const withdrawn = await until(async () => {
      const p = (await placementsOf(t.database, vacancyId)).find((x) => x.trainee_id === first);
      return p?.status === 'withdrawn' && p;
    }, 'the withdrawal');
    expect(withdrawn.withdrawn_reason).toMatch(/preferred destinations \(JP\) do not include Germany/);
    await settled();
    expect(runtime.failures()).toEqual([]);
  });

  it('matches trainees that arrive by bulk import, each shortlist updated once per import chunk', async () => {
    const programme = { partnershipId, cohort: '2026-B', track: 'away' as const };
    const vacancyId = await postVacancy(t, employer, { headcount: 3, partnershipId, externalRef: 'bulk-v' });
    await settled();
    const before = await placementsOf(t.database, vacancyId);
    const lines = [1, 2, 3]
      .map((i) =>
        JSON.stringify(
          nurseProfile({
            externalRef: `bulk-${i}`,
            programme,
            email: `bulk-${i}@example.org`,
            languages: [{ language: 'de', cefr: 'C1' }],
          }),
        ),
      )
      .join('\n');
    const res = await t.call({
      method: 'POST',
      url: '/v1/trainees/bulk',
      headers: { ...provider.headers, 'content-type': 'application/x-ndjson' },
      payload: `${lines}\n`,
    });
    expect(res.statusCode, res.body).toBe(200);
    expect(res.json().accepted).toBe(3);
    const imported = (
      await t.database.db.selectFrom('trainees').select('id').where('external_ref', 'like', 'bulk-%').execute()
    ).map((r) => r.id);
    await until(async () => {
      const rows = await placementsOf(t.database, vacancyId);
      return imported.every((id) => rows.some((p) => p.trainee_id === id && p.status === 'proposed')) && rows;
    }, 'proposals for the imported trainees');
    expect(before.every((p) => !imported.includes(p.trainee_id))).toBe(true);
    await settled();
    expect(runtime.failures()).toEqual([]);
    // The import's cohort had its round lists built ahead of its rounds (round.lists), each holding the vacancy.
    const lists = await t.database.db
      .selectFrom('round_lists')
      .select(['trainee_id', 'record'])
      .where('trainee_id', 'in', imported)
      .execute();
    expect(lists.map((l) => l.trainee_id).sort()).toEqual([...imported].sort());
    // A record is 17 bytes before its entries (12 bytes each).
    expect(lists.every((l) => l.record.length > 17)).toBe(true);
  });
});
