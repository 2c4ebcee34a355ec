import { randomUUID } from 'node:crypto';
import { placementsRepository, roundRankingsRepository } from '@corridor/db';
import { runRound } from '@corridor/jobs';
import { findBlockingPairs, findRoundViolations } from '@corridor/matching';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { buildTestApp, createOrganization, type TestApp } from '../helpers/app.ts';
import {
  asRoundResult,
  book,
  createCohort,
  type Org,
  partnershipWorld,
  postTrainee,
  postVacancy,
  requestRound,
  traineeKey,
} from './helpers.ts';

// Stated rank lists in cohort rounds: a trainee's own order of vacancies and an employer's own order of
// candidates take the place of the engine's order; the result is still stable for the lists the round used.

let t: TestApp;
let employer: Org;
let provider: Org;
let padmin: Org;
let partnershipId: string;
let strong: string;
let weak: string;
let ward: string;
let icu: string;

async function round() {
  const roundId = await requestRound(t, padmin, partnershipId);
  const done = await runRound(t.database, await book(t.database), roundId);
  if (done.status !== 'done') throw new Error(done.reason);
  const run = Object.assign(done, { roundId });
  const result = asRoundResult(run.result);
  expect(findBlockingPairs(run.instance, result)).toEqual([]);
  expect(findRoundViolations(run.instance, result)).toEqual([]);
  const pairs = Object.fromEntries(result.matches.map((m) => [m.traineeId, m.vacancyId]));
  return { run, pairs, result };
}

const put = (url: string, headers: Record<string, string>, payload: Record<string, unknown>) =>
  t.call({ method: 'PUT', url, headers, payload });

beforeAll(async () => {
  t = await buildTestApp();
  ({ employer, provider, padmin, partnershipId } = await partnershipWorld(t));
  await createCohort(t, padmin, partnershipId);
  const programme = { partnershipId, cohort: '2026-A', track: 'away' as const };
  strong = await postTrainee(t, provider, {
    externalRef: 'strong',
    programme,
    languages: [
      { language: 'en', cefr: 'C1' },
      { language: 'de', cefr: 'C1' },
    ],
  });
  weak = await postTrainee(t, provider, { externalRef: 'weak', programme });
  // The ward does not pay the visa: both trainees score the ICU higher, so the engine sends both there first.
  ward = await postVacancy(t, employer, {
    externalRef: 'ward',
    headcount: 1,
    partnershipId,
    costSharing: { employerPaysTraining: true, employerPaysTravel: true, employerPaysVisa: false, workerFees: 0 },
  });
  icu = await postVacancy(t, employer, { externalRef: 'icu', headcount: 1, partnershipId });
});
afterAll(() => t.close());

describe('cohort rounds with stated rank lists', () => {
  it("in the engine's order, the stronger trainee takes the ICU both prefer", async () => {
    const { pairs, run } = await round();
    expect(pairs).toEqual({ [strong]: icu, [weak]: ward });
    expect(run.instance.trainees.find((x) => x.id === weak)!.ranking).toEqual([icu, ward]);
  });

  it("a trainee's own order and an employer's own order take the engine's place", async () => {
    expect(
      (await put(`/v1/trainees/${strong}/round-preferences`, provider.headers, { vacancyIds: [ward, icu] })).statusCode,
    ).toBe(200);
    const own = await traineeKey(t, provider, weak);
    expect((await put(`/v1/trainees/${weak}/round-preferences`, own, { vacancyIds: [icu] })).statusCode).toBe(200);
    expect(
      (await put(`/v1/vacancies/${icu}/round-ranking`, employer.headers, { traineeIds: [weak, strong] })).statusCode,
    ).toBe(200);

    const { pairs, run } = await round();
    expect(pairs).toEqual({ [strong]: ward, [weak]: icu });
    expect(run.instance.trainees.find((x) => x.id === strong)!.ranking).toEqual([ward, icu]);
    expect(run.instance.trainees.find((x) => x.id === weak)!.ranking).toEqual([icu]);
  });

  it("reads a round's employer orders and its vacancies' places for more ids than Postgres has bind parameters (65,535)", async () => {
    const many = Array.from({ length: 70_000 }, () => randomUUID());
    const orders = await roundRankingsRepository.vacancyOrders(t.database.db, [...many, icu]);
    expect(orders.get(icu)).toEqual([weak, strong]);
    expect(await placementsRepository.forVacancies(t.database.db, many)).toEqual([]);
  });

  it('a trainee the employer leaves out of its order is not acceptable to that vacancy', async () => {
    expect(
      (await put(`/v1/vacancies/${ward}/round-ranking`, employer.headers, { traineeIds: [weak] })).statusCode,
    ).toBe(200);
    const { pairs, result, run } = await round();
    // strong is refused by the ward, and the ICU prefers weak: strong stays unmatched and the ward unfilled.
    expect(pairs).toEqual({ [weak]: icu });
    expect(result.unmatchedTrainees).toEqual([strong]);
    // The report says why: the ward had no candidate (strong listed it, but its own order leaves them out), and
    // strong had one option, the ICU, which preferred weak.
    const report = await t.call({ method: 'GET', url: `/v1/match-rounds/${run.roundId}`, headers: padmin.headers });
    expect(report.json().result.unfilled).toEqual([{ vacancyId: ward, places: 1, candidates: 0 }]);
    expect(report.json().result.stats.traineesWithoutOptions).toBe(0);
  });

  it("the report counts a trainee no vacancy could take, and an unfilled vacancy's candidates", async () => {
    // strong now lists the ward alone, which leaves them out: nothing in the round could match them.
    expect(
      (await put(`/v1/trainees/${strong}/round-preferences`, provider.headers, { vacancyIds: [ward] })).statusCode,
    ).toBe(200);
    let { pairs, result, run } = await round();
    expect(pairs).toEqual({ [weak]: icu });
    expect(run.result.stats.traineesWithoutOptions).toBe(1);
    expect(run.result.unfilled).toEqual([{ vacancyId: ward, places: 1, candidates: 0 }]);
    // The ward takes strong again, and weak too: its one place has two candidates, and weak goes to the ICU they
    // prefer, so the ward is filled by strong.
    expect(
      (await put(`/v1/vacancies/${ward}/round-ranking`, employer.headers, { traineeIds: [weak, strong] })).statusCode,
    ).toBe(200);
    expect(
      (await put(`/v1/trainees/${weak}/round-preferences`, provider.headers, { vacancyIds: [icu, ward] })).statusCode,
    ).toBe(200);
    ({ pairs, result, run } = await round());
    expect(pairs).toEqual({ [weak]: icu, [strong]: ward });
    expect(result.unmatchedTrainees).toEqual([]);
    expect(run.result.stats.traineesWithoutOptions).toBe(0);
    expect(run.result.unfilled).toEqual([]);
    // Back to the lists the next tests expect.
    expect(
      (await put(`/v1/trainees/${strong}/round-preferences`, provider.headers, { vacancyIds: [ward, icu] })).statusCode,
    ).toBe(200);
    expect(
      (await put(`/v1/trainees/${weak}/round-preferences`, provider.headers, { vacancyIds: [icu] })).statusCode,
    ).toBe(200);
    expect(
      (await put(`/v1/vacancies/${ward}/round-ranking`, employer.headers, { traineeIds: [weak] })).statusCode,
    ).toBe(200);
  });

  it('a trainee who already holds a place anywhere is left out of the round', async () => {
    // weak's proposal for the ICU, from the rounds above, as if both sides had accepted it.
    const held = await t.database.db
      .updateTable('placements')
      .set({ status: 'matched' })
      .where('trainee_id', '=', weak)
      .where('vacancy_id', '=', icu)
      .returning('id')
      .executeTakeFirstOrThrow();
    try {
      const { run } = await round();
      expect(run.instance.trainees.map((x) => x.id)).toEqual([strong]);
    } finally {
      await t.database.db.updateTable('placements').set({ status: 'proposed' }).where('id', '=', held.id).execute();
    }
    // Back to proposed: weak is in the round again.
    const { run } = await round();
    expect(run.instance.trainees.map((x) => x.id).sort()).toEqual([strong, weak].sort());
  });

  it('DELETE returns a trainee to the engine order; erasure deletes the stated list', async () => {
    const del = await t.call({
      method: 'DELETE',
      url: `/v1/trainees/${strong}/round-preferences`,
      headers: provider.headers,
    });
    expect(del.statusCode).toBe(204);
    const get = await t.call({
      method: 'GET',
      url: `/v1/trainees/${strong}/round-preferences`,
      headers: provider.headers,
    });
    expect(get.json()).toEqual({ vacancyIds: null });
    const erase = await t.call({ method: 'DELETE', url: `/v1/trainees/${weak}`, headers: provider.headers });
    expect(erase.statusCode).toBe(204);
    const rows = await t.database.db.selectFrom('trainee_round_preferences').selectAll().execute();
    expect(rows).toEqual([]);
  });

  it("a vacancy with no place left is on nobody's list", async () => {
    // Two more trainees like strong (engine order), one of whom takes the ICU's one place; and a second ICU with the
    // same terms, which a round checks together with the first for each trainee (one check, one score), and which
    // keeps its place.
    const icu2 = await postVacancy(t, employer, { externalRef: 'icu-2', headcount: 1, partnershipId });
    const programme = { partnershipId, cohort: '2026-A', track: 'away' as const };
    const languages = [
      { language: 'en', cefr: 'C1' as const },
      { language: 'de', cefr: 'C1' as const },
    ];
    const taker = await postTrainee(t, provider, { externalRef: 'taker', programme, languages });
    const other = await postTrainee(t, provider, { externalRef: 'other', programme, languages });
    const before = await round();
    for (const id of [strong, other])
      expect(before.run.instance.trainees.find((x) => x.id === id)!.ranking).toEqual(
        expect.arrayContaining([icu, icu2]),
      );
    const [held] = await placementsRepository.insertProposals(t.database.db, [
      {
        vacancy_id: icu,
        trainee_id: taker,
        source: 'shortlist',
        match_round_id: null,
        rank: null,
        score: 0.5,
        breakdown: [],
        pathways: [],
        pack_versions: {},
        below_skill: false,
      },
    ]);
    await t.database.db.updateTable('placements').set({ status: 'matched' }).where('id', '=', held!.id).execute();
    const { run } = await round();
    expect(run.instance.trainees.map((x) => x.id).sort()).toEqual([strong, other].sort());
    for (const trainee of run.instance.trainees) {
      expect(trainee.ranking).not.toContain(icu);
      expect(trainee.ranking).toEqual(expect.arrayContaining([icu2, ward]));
    }
  });
});

describe('stated lists: who may state them, and bad input', () => {
  const paths = (res: { json(): { errors?: { path: string }[] } }) =>
    (res.json().errors ?? []).map((e) => e.path).sort();

  it('names each bad field and stores nothing', async () => {
    const url = `/v1/trainees/${strong}/round-preferences`;
    const dupes = await put(url, provider.headers, { vacancyIds: [ward, ward] });
    expect(dupes.statusCode).toBe(400);
    expect(paths(dupes)).toEqual(['vacancyIds']);
    const notIds = await put(url, provider.headers, { vacancyIds: [ward, 'ward'] });
    expect(notIds.statusCode).toBe(400);
    expect(paths(notIds)).toEqual(['vacancyIds.1']);
    const tooMany = await put(url, provider.headers, {
      vacancyIds: Array.from({ length: 21 }, () => crypto.randomUUID()),
    });
    expect(tooMany.statusCode).toBe(400);
    expect(paths(tooMany)).toEqual(['vacancyIds']);
    expect((await t.call({ method: 'GET', url, headers: provider.headers })).json()).toEqual({ vacancyIds: null });
  });

  it('the trainee side states a trainee list, the employer side a vacancy list; other tenants see nothing', async () => {
    expect(
      (await put(`/v1/trainees/${strong}/round-preferences`, employer.headers, { vacancyIds: [] })).statusCode,
    ).toBe(403);
    expect((await put(`/v1/vacancies/${icu}/round-ranking`, provider.headers, { traineeIds: [] })).statusCode).toBe(
      403,
    );
    const otherProvider = await createOrganization(t, 'training_provider', 'Another academy', 'PH');
    expect(
      (await put(`/v1/trainees/${strong}/round-preferences`, otherProvider.headers, { vacancyIds: [] })).statusCode,
    ).toBe(404);
    const otherEmployer = await createOrganization(t, 'employer', 'Another hospital');
    expect(
      (await put(`/v1/vacancies/${icu}/round-ranking`, otherEmployer.headers, { traineeIds: [] })).statusCode,
    ).toBe(404);
    const mine = await t.call({ method: 'GET', url: `/v1/vacancies/${icu}/round-ranking`, headers: employer.headers });
    expect(mine.json()).toEqual({ traineeIds: [weak, strong] });
  });
});
