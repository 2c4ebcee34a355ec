import { matchTrainee, matchTrainees, matchVacancy } from '@corridor/jobs';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { buildTestApp, type TestApp } from '../helpers/app.ts';
import { book, type Org, outboxOfType, partnershipWorld, placementsOf, postTrainee, postVacancy } from './helpers.ts';

// match.trainee puts a trainee straight into the shortlists they would enter, without re-running those vacancies'
// matches. These tests hold it to the full match: after every entry, re-running match.vacancy changes nothing.

let t: TestApp;
let provider: Org;
let partnershipId: string;
let vacancyId: string;
const ids: Record<string, string> = {};
// Headcount 1 would keep 10; three makes a full shortlist with few people.
const options = { shortlistSize: () => 3 };

const withGerman = (externalRef: string, level: 'A2' | 'B1' | 'B2' | 'C1' | 'C2') => ({
  externalRef,
  programme: { partnershipId, cohort: '2026-A', track: 'away' as const },
  languages: [
    { language: 'en', cefr: 'C1' as const },
    { language: 'de', cefr: level },
  ],
});

const open = async () =>
  (await placementsOf(t.database, vacancyId))
    .filter((p) => p.status === 'proposed')
    .map((p) => ({ trainee: p.trainee_id, rank: p.rank }));

async function expectFullMatchAgrees(with_: { shortlistSize: () => number } = options) {
  const again = await matchVacancy(t.database, await book(t.database), vacancyId, with_);
  expect(again).toMatchObject({ proposed: 0, reproposed: 0, refreshed: 0, withdrawn: 0 });
}

beforeAll(async () => {
  t = await buildTestApp();
  let employer: Org;
  ({ employer, provider, partnershipId } = await partnershipWorld(t));
  ids.a2 = await postTrainee(t, provider, withGerman('a2', 'A2'));
  ids.b1 = await postTrainee(t, provider, withGerman('b1', 'B1'));
  ids.b2 = await postTrainee(t, provider, withGerman('b2', 'B2'));
  vacancyId = await postVacancy(t, employer, { headcount: 1, partnershipId });
  await matchVacancy(t.database, await book(t.database), vacancyId, options);
});
afterAll(() => t.close());

describe('match.trainee enters shortlists directly', () => {
  it('the starting shortlist is the three, best German first', async () => {
    expect(await open()).toEqual([
      { trainee: ids.b2, rank: 1 },
      { trainee: ids.b1, rank: 2 },
      { trainee: ids.a2, rank: 3 },
    ]);
  });

  it('a better trainee enters at the top, the others move down, and the last of a full shortlist is withdrawn with the reason', async () => {
    ids.c1 = await postTrainee(t, provider, withGerman('c1', 'C1'));
    const outcome = await matchTrainee(t.database, await book(t.database), ids.c1, options);
    expect(outcome.rerun).toEqual([]);
    expect(outcome.entered).toEqual({ vacancies: 1, proposed: 1, reproposed: 0, withdrawn: 1 });
    expect(await open()).toEqual([
      { trainee: ids.c1, rank: 1 },
      { trainee: ids.b2, rank: 2 },
      { trainee: ids.b1, rank: 3 },
    ]);
    const out = (await placementsOf(t.database, vacancyId)).find((p) => p.trainee_id === ids.a2)!;
    expect(out.status).toBe('withdrawn');
    expect(out.withdrawn_reason).toMatch(
      /^Other candidates now rank higher: the shortlist keeps the best 3 for 1 place\./,
    );
    expect((await outboxOfType(t.database, 'placement.withdrawn')).map((e) => e.aggregate_id)).toEqual([out.id]);
    await expectFullMatchAgrees();
  });

  it('a trainee who would rank below a full shortlist changes nothing', async () => {
    ids.a2b = await postTrainee(t, provider, withGerman('a2b', 'A2'));
    const before = await placementsOf(t.database, vacancyId);
    const outcome = await matchTrainee(t.database, await book(t.database), ids.a2b, options);
    expect(outcome.entered).toEqual({ vacancies: 0, proposed: 0, reproposed: 0, withdrawn: 0 });
    expect(await placementsOf(t.database, vacancyId)).toEqual(before);
    await expectFullMatchAgrees();
  });

  it('a withdrawn trainee who now ranks high enough is re-proposed', async () => {
    const patch = await t.call({
      method: 'PATCH',
      url: `/v1/trainees/${ids.a2}`,
      headers: provider.headers,
      payload: {
        languages: [
          { language: 'en', cefr: 'C1' },
          { language: 'de', cefr: 'C2' },
        ],
      },
    });
    expect(patch.statusCode).toBe(200);
    const outcome = await matchTrainee(t.database, await book(t.database), ids.a2!, options);
    expect(outcome.entered).toMatchObject({ vacancies: 1, proposed: 0, reproposed: 1, withdrawn: 1 });
    expect((await open()).map((p) => p.trainee)).toEqual([ids.a2, ids.c1, ids.b2]);
    await expectFullMatchAgrees();
  });

  it('match.trainees merges several entrants into one shortlist at once', async () => {
    // Two more at the top score (C1 and C2 both score 1 on language here; ties go by id), into a shortlist of 4:
    // both enter and b2, now fifth, leaves.
    ids.c2 = await postTrainee(t, provider, withGerman('c2', 'C2'));
    ids.c2b = await postTrainee(t, provider, withGerman('c2b', 'C2'));
    const four = { shortlistSize: () => 4 };
    const outcome = await matchTrainees(t.database, await book(t.database), [ids.c2, ids.c2b], four);
    expect(outcome.rerun).toEqual([]);
    expect(outcome.entered).toEqual({ vacancies: 1, proposed: 2, reproposed: 0, withdrawn: 1 });
    expect(await open()).toEqual(
      [ids.a2, ids.c1, ids.c2, ids.c2b].sort().map((trainee, i) => ({ trainee, rank: i + 1 })),
    );
    await expectFullMatchAgrees(four);
  });
});
