import { databaseRuleBookSource } from '@corridor/evaluation';
import { announceRuleChanges, corridorRoutes } from '@corridor/jobs';
import { shippedPacks } from '@corridor/rules';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { admin, buildTestApp, type TestApp } from '../helpers/app.ts';

// A rule-pack version that takes effect on a date re-evaluates its trainees that day, with nobody publishing
// anything then: the calendar announces each day's transitions once, whatever the number of processes.

let t: TestApp;
const base = shippedPacks().find((p) => p.id === 'de-recognition-partnership')!;
const version = (v: string) => ({ ...base, version: v, effectiveFrom: v });

const tookEffect = () =>
  t.database.db
    .selectFrom('outbox')
    .select(['payload'])
    .where('type', '=', 'pathway.took_effect')
    .orderBy('id')
    .execute()
    .then((rows) => rows.map((r) => r.payload));

beforeAll(async () => {
  t = await buildTestApp();
  for (const v of ['2027-02-01', '2027-03-01']) {
    const res = await t.call({
      method: 'PUT',
      url: '/v1/pathways/de-recognition-partnership',
      headers: admin,
      payload: version(v),
    });
    expect(res.statusCode, res.body).toBe(201);
  }
});
afterAll(async () => {
  await t.close();
});

describe('the rule calendar', () => {
  it('starts at today on a new install, then announces each version on the day it takes effect, once', async () => {
    const books = databaseRuleBookSource(t.database.db);
    expect(await announceRuleChanges(t.database, books, '2027-01-15')).toEqual([]);
    expect(await announceRuleChanges(t.database, books, '2027-01-31')).toEqual([]);
    expect(await announceRuleChanges(t.database, books, '2027-02-01')).toEqual([
      { pathwayId: 'de-recognition-partnership', version: '2027-02-01', effectiveFrom: '2027-02-01' },
    ]);
    expect(await announceRuleChanges(t.database, books, '2027-02-01')).toEqual([]);
    expect(await tookEffect()).toHaveLength(1);
  });

  it('catches up on the days it missed, announcing the latest version per pathway, and only once across processes', async () => {
    const books = databaseRuleBookSource(t.database.db);
    // Two "processes" at once, a month later: one announces 2027-03-01, the other finds the days done.
    const runs = await Promise.all([
      announceRuleChanges(t.database, books, '2027-03-10'),
      announceRuleChanges(t.database, databaseRuleBookSource(t.database.db), '2027-03-10'),
    ]);
    const announced = runs.flat().filter((a) => a.pathwayId === 'de-recognition-partnership');
    expect(announced).toEqual([
      { pathwayId: 'de-recognition-partnership', version: '2027-03-01', effectiveFrom: '2027-03-01' },
    ]);
    const events = (await tookEffect()).filter((p) => p.pathwayId === 'de-recognition-partnership');
    expect(events).toHaveLength(2);
  });

  it('routes an announcement to the same re-evaluation and vacancy re-match as publishing', () => {
    const jobs = corridorRoutes['pathway.took_effect']!({
      id: '1',
      eventId: '01a2258e-0000-7000-8000-000000000001',
      type: 'pathway.took_effect',
      aggregateType: 'pathway',
      aggregateId: '01a2258e-0000-7000-8000-000000000002',
      payload: { pathwayId: 'de-recognition-partnership', version: '2027-03-01', effectiveFrom: '2027-03-01' },
      createdAt: new Date(),
    });
    expect(jobs).toEqual([
      { job: 'eligibility.reevaluate', payload: { pathwayId: 'de-recognition-partnership', toVersion: '2027-03-01' } },
      { job: 'match.vacancies', payload: { pathwayId: 'de-recognition-partnership', version: '2027-03-01' } },
    ]);
    expect(jobs).toEqual(
      corridorRoutes['pathway.published']!({
        id: '2',
        eventId: '01a2258e-0000-7000-8000-000000000003',
        type: 'pathway.published',
        aggregateType: 'pathway',
        aggregateId: '01a2258e-0000-7000-8000-000000000002',
        payload: { pathwayId: 'de-recognition-partnership', version: '2027-03-01' },
        createdAt: new Date(),
      }),
    );
  });
});
