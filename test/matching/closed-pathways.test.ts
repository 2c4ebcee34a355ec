import { matchVacancy } from '@corridor/jobs';
import { afterAll, beforeAll, expect, it } from 'vitest';
import { buildTestApp, createOrganization, type TestApp } from '../helpers/app.ts';
import { book, fanOutEvents, type Org, postVacancy } from './helpers.ts';

// An employer whose offer cannot work hears why from the matches endpoint, before waiting for candidates that will
// never come: the brief's APTC story is people turned away by thresholds nobody told them about.

let t: TestApp;
let employer: Org;

beforeAll(async () => {
  t = await buildTestApp();
  employer = await createOrganization(t, 'employer', 'Sunshine Aged Care');
});
afterAll(() => t.close());

const australian = (amount: number) => ({
  destination: 'AU',
  region: undefined,
  isco08: '2221',
  salary: { amount, currency: 'AUD', period: 'year' },
  hoursPerWeek: 38,
  startDate: '2026-06-01',
  requirements: { languages: [{ language: 'en', cefr: 'B2' }] },
  pathways: ['au-482-core', 'au-186-trt'],
});

it('lists the pathways the offer closes to everyone, with the criterion and the sentence, and proposes nobody', async () => {
  const vacancyId = await postVacancy(t, employer, australian(70_000));
  const res = await t.call({ method: 'GET', url: `/v1/vacancies/${vacancyId}/matches`, headers: employer.headers });
  expect(res.statusCode).toBe(200);
  const closed = res.json().closedPathways as {
    pathwayId: string;
    criterionId: string;
    outcome: string;
    detail: string;
  }[];
  expect(closed.map((c) => [c.pathwayId, c.criterionId, c.outcome])).toEqual([
    ['au-482-core', 'salary', 'unmet'],
    ['au-186-trt', 'salary', 'unmet'],
  ]);
  expect(closed[0]!.detail).toMatch(/AUD 70,000\/year is below AUD 76,515\/year/);
  expect(res.json().items).toEqual([]);
  const outcome = await matchVacancy(t.database, await book(t.database), vacancyId);
  await tellsTheEmployerOnce(vacancyId);
  expect(outcome).toMatchObject({
    prefiltered: 0,
    checked: 0,
    closedPathways: [
      { pathwayId: 'au-482-core', criterionId: 'salary' },
      { pathwayId: 'au-186-trt', criterionId: 'salary' },
    ],
  });
});

/** One vacancy.offer_closed event, however often the vacancy is matched, and an inbox item saying why. */
async function tellsTheEmployerOnce(vacancyId: string) {
  await matchVacancy(t.database, await book(t.database), vacancyId);
  const events = await fanOutEvents(t.database, 'vacancy.offer_closed', vacancyId);
  expect(events).toHaveLength(1);
  expect(events[0]!.payload).toMatchObject({
    vacancyId,
    all: true,
    pathways: [
      { pathwayId: 'au-482-core', criterionId: 'salary', outcome: 'unmet' },
      { pathwayId: 'au-186-trt', criterionId: 'salary', outcome: 'unmet' },
    ],
  });
  const inbox = await t.call({ method: 'GET', url: '/v1/inbox', headers: employer.headers });
  const item = (inbox.json().items as { title: string; body: string }[]).find((i) => /as offered/.test(i.title));
  expect(item?.title).toMatch(/^No candidate can be proposed for “.*” as offered$/);
  expect(item?.body).toMatch(/au-482-core \(salary\): AUD 70,000\/year is below AUD 76,515\/year/);
}

it('lists none when the offer leaves every pathway open', async () => {
  const au = await postVacancy(t, employer, australian(90_000));
  const de = await postVacancy(t, employer);
  for (const id of [au, de]) {
    const res = await t.call({ method: 'GET', url: `/v1/vacancies/${id}/matches`, headers: employer.headers });
    expect(res.json().closedPathways).toEqual([]);
    await matchVacancy(t.database, await book(t.database), id);
  }
  const told = await t.database.db
    .selectFrom('outbox')
    .select('aggregate_id')
    .where('type', '=', 'vacancy.offer_closed')
    .where('aggregate_id', 'in', [au, de])
    .execute();
  expect(told).toEqual([]);
});
