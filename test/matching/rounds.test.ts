import { evaluateTrainees } from '@corridor/evaluation';
import { buildHandlers, corridorRoutes, matchVacancy, runRound } from '@corridor/jobs';
import { findBlockingPairs, findRoundViolations } from '@corridor/matching';
import { jobCatalog, silentLogger } from '@corridor/queue';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { buildTestApp, createOrganization, type TestApp } from '../helpers/app.ts';
import {
  asRoundResult,
  book,
  bruteForceLists,
  createCohort,
  fanOutEvents,
  type Org,
  outboxOfType,
  partnershipWorld,
  postTrainee,
  postVacancy,
  requestRound,
  TODAY,
  traineeKey,
} from './helpers.ts';

// Cohort match rounds through the API and the match.round job on real Postgres: stable (no blocking pair),
// within capacities, eligibility as a hard constraint, deterministic, and proposed as placements.

let t: TestApp;
let employer: Org;
let provider: Org;
let padmin: Org;
let partnershipId: string;
const vacancies: Record<string, string> = {};
const trainees: string[] = [];

const GERMAN = ['B1', 'B2', 'A2', 'C1', 'B1', 'B2', 'A2'] as const;
const YEARS = ['2019', '2015', '2022', '2012', '2023', '2020', '2017'];

beforeAll(async () => {
  t = await buildTestApp();
  ({ employer, provider, padmin, partnershipId } = await partnershipWorld(t));
  await createCohort(t, padmin, partnershipId);
  for (let i = 0; i < GERMAN.length; i++) {
    trainees.push(
      await postTrainee(t, provider, {
        externalRef: `r-${i}`,
        givenName: `Trainee${i}`,
        programme: { partnershipId, cohort: '2026-A', track: 'away' },
        languages: [
          { language: 'en', cefr: 'B2' },
          { language: 'de', cefr: GERMAN[i]! },
        ],
        experience: [{ isco08: '2221', country: 'PH', from: `${YEARS[i]}-01-01`, to: '2025-10-31', hoursPerWeek: 40 }],
      }),
    );
  }
  // Not in the cohort: never part of the round.
  await postTrainee(t, provider, {
    externalRef: 'outsider',
    programme: { partnershipId, cohort: '2026-B', track: 'away' },
  });
  await evaluateTrainees(t.database, await book(t.database), trainees, { asOf: TODAY });
  vacancies.ward = await postVacancy(t, employer, { externalRef: 'ward', headcount: 1, partnershipId });
  vacancies.icu = await postVacancy(t, employer, {
    externalRef: 'icu',
    headcount: 2,
    partnershipId,
    requirements: { languages: [{ language: 'de', cefr: 'B2' }], minExperienceMonths: 60 },
  });
  vacancies.care = await postVacancy(t, employer, {
    externalRef: 'care',
    headcount: 2,
    partnershipId,
    isco08: '5321',
    title: 'Care assistant while recognition completes',
    requirements: { languages: [{ language: 'de', cefr: 'A2' }] },
  });
});
afterAll(() => t.close());

describe('POST /v1/partnerships/{id}/match-rounds', () => {
  it("only the partnership's admin may run a round: members get 403, other tenants 404, unknown cohorts 422", async () => {
    const asEmployer = await t.call({
      method: 'POST',
      url: `/v1/partnerships/${partnershipId}/match-rounds`,
      headers: employer.headers,
      payload: { cohort: '2026-A' },
    });
    expect(asEmployer.statusCode).toBe(403);
    const otherAdmin = await createOrganization(t, 'partnership_admin', 'Another programme');
    const asOther = await t.call({
      method: 'POST',
      url: `/v1/partnerships/${partnershipId}/match-rounds`,
      headers: otherAdmin.headers,
      payload: { cohort: '2026-A' },
    });
    expect(asOther.statusCode).toBe(404);
    const unknown = await t.call({
      method: 'POST',
      url: `/v1/partnerships/${partnershipId}/match-rounds`,
      headers: padmin.headers,
      payload: { cohort: 'nope' },
    });
    expect(unknown.statusCode).toBe(422);
    expect((await t.database.db.selectFrom('match_rounds').selectAll().execute()).length).toBe(0);
  });

  it('queues the round with a match_round.requested event, runs it stably within capacities, and proposes the pairs', async () => {
    const roundId = await requestRound(t, padmin, partnershipId);
    const queued = await t.call({ method: 'GET', url: `/v1/match-rounds/${roundId}`, headers: padmin.headers });
    expect(queued.json()).toMatchObject({ status: 'queued', result: null });
    expect((await outboxOfType(t.database, 'match_round.requested')).map((e) => e.aggregate_id)).toEqual([roundId]);

    const run = await runRound(t.database, await book(t.database), roundId);
    if (run.status !== 'done') throw new Error(`round not run: ${run.reason}`);
    const res = await t.call({ method: 'GET', url: `/v1/match-rounds/${roundId}`, headers: padmin.headers });
    expect(res.statusCode).toBe(200);
    const round = res.json();
    expect(round.status).toBe('done');
    const result = asRoundResult(round.result);

    // Stable, within capacities, only acceptable (eligible) pairs.
    expect(findBlockingPairs(run.instance, result)).toEqual([]);
    expect(findRoundViolations(run.instance, result)).toEqual([]);
    const perVacancy = new Map<string, number>();
    for (const m of result.matches) perVacancy.set(m.vacancyId, (perVacancy.get(m.vacancyId) ?? 0) + 1);
    expect(perVacancy.get(vacancies.ward!) ?? 0).toBeLessThanOrEqual(1);
    expect(perVacancy.get(vacancies.icu!) ?? 0).toBeLessThanOrEqual(2);
    expect(perVacancy.get(vacancies.care!) ?? 0).toBeLessThanOrEqual(2);
    expect(result.matches.length + result.unmatchedTrainees.length).toBe(trainees.length);
    // 7 trainees for 5 places; every place can be filled by someone acceptable.
    expect(result.matches.length).toBe(5);
    expect(round.result.unfilled).toEqual([]);
    // The ICU asks for B2 German: an A2 trainee (two levels short) is never matched there.
    const a2 = trainees.filter((_, i) => GERMAN[i] === 'A2');
    expect(result.matches.filter((m) => a2.includes(m.traineeId) && m.vacancyId === vacancies.icu)).toEqual([]);
    // A nurse in the care-assistant job is flagged below skill.
    const belowSkill = round.result.matches.find((m: { vacancyId: string }) => m.vacancyId === vacancies.care);
    expect(belowSkill).toBeDefined();
    {
      const p = await t.database.db
        .selectFrom('placements')
        .selectAll()
        .where('id', '=', belowSkill.placementId)
        .executeTakeFirstOrThrow();
      expect(p.below_skill).toBe(true);
    }

    // Every matched pair is proposed, tagged with the round.
    const placements = await t.database.db
      .selectFrom('placements')
      .selectAll()
      .where('match_round_id', '=', roundId)
      .execute();
    expect(placements.map((p) => `${p.trainee_id}|${p.vacancy_id}`).sort()).toEqual(
      result.matches.map((m) => `${m.traineeId}|${m.vacancyId}`).sort(),
    );
    expect(placements.every((p) => p.status === 'proposed' && p.source === 'round')).toBe(true);

    // Running the same round again (a redelivered job) changes nothing.
    expect((await runRound(t.database, await book(t.database), roundId)).status).toBe('skipped');
  });

  it("lists each trainee's best acceptable vacancies exactly as checking every pair would (lists cut at 1 and 2)", async () => {
    const rules = await book(t.database);
    // Brute force: every trainee against every vacancy, ranked by score then vacancy id.
    const best = await bruteForceLists(t.database, partnershipId, '2026-A');
    expect([...best.values()].some((list) => list.length >= 2)).toBe(true);
    for (const cut of [1, 2]) {
      const run = await runRound(t.database, rules, await requestRound(t, padmin, partnershipId), {
        roundListLength: cut,
      });
      if (run.status !== 'done') throw new Error('not run');
      for (const trainee of run.instance.trainees) expect(trainee.ranking).toEqual(best.get(trainee.id)!.slice(0, cut));
    }
  });

  it('is deterministic: a second round over the same data gives the same matching', async () => {
    const rounds = await t.database.db.selectFrom('match_rounds').selectAll().orderBy('created_at').execute();
    const first = rounds[0]!.result!;
    const secondId = await requestRound(t, padmin, partnershipId);
    const second = await runRound(t.database, await book(t.database), secondId);
    if (second.status !== 'done') throw new Error('not run');
    expect(asRoundResult(second.result)).toEqual(asRoundResult(first));
  });

  it("a vacancy's own shortlist run keeps valid round proposals (it only withdraws invalid ones)", async () => {
    const before = await t.database.db
      .selectFrom('placements')
      .select(['id', 'status'])
      .where('source', '=', 'round')
      .execute();
    for (const id of Object.values(vacancies)) await matchVacancy(t.database, await book(t.database), id);
    const after = await t.database.db
      .selectFrom('placements')
      .select(['id', 'status'])
      .where('source', '=', 'round')
      .execute();
    expect(after).toEqual(expect.arrayContaining(before));
  });

  it('GET /v1/match-rounds/{id} is 404 for anyone but the partnership admin (and platform admin)', async () => {
    const [round] = await t.database.db.selectFrom('match_rounds').select('id').execute();
    expect(
      (await t.call({ method: 'GET', url: `/v1/match-rounds/${round!.id}`, headers: employer.headers })).statusCode,
    ).toBe(404);
    const other = await createOrganization(t, 'partnership_admin', 'Third programme');
    expect(
      (await t.call({ method: 'GET', url: `/v1/match-rounds/${round!.id}`, headers: other.headers })).statusCode,
    ).toBe(404);
    expect(
      (
        await t.call({
          method: 'GET',
          url: `/v1/match-rounds/${round!.id}`,
          headers: { authorization: 'Bearer test-admin-key-0123456789' },
        })
      ).statusCode,
    ).toBe(200);
  });

  it("reads a finished round's lists page by page, in the round's order; 409 before it has a result", async () => {
    const roundId = await requestRound(t, padmin, partnershipId);
    const get = (path: string, headers = padmin.headers) =>
      t.call({ method: 'GET', url: `/v1/match-rounds/${roundId}/${path}`, headers });
    const queued = await get('matches');
    expect(queued.statusCode).toBe(409);
    expect(queued.json().detail).toBe('the round is queued: it has no result yet');
    const run = await runRound(t.database, await book(t.database), roundId);
    if (run.status !== 'done') throw new Error(`round not run: ${run.reason}`);

    const all = async (path: string) => {
      const items: unknown[] = [];
      let cursor: string | null = null;
      let pages = 0;
      do {
        const res = await get(`${path}?limit=2${cursor ? `&cursor=${cursor}` : ''}`);
        expect(res.statusCode, res.body).toBe(200);
        expect(res.json().items.length).toBeLessThanOrEqual(2);
        items.push(...res.json().items);
        cursor = res.json().nextCursor;
        pages++;
      } while (cursor);
      return { items, pages };
    };
    const { result } = run;
    const matches = await all('matches');
    expect(matches.items).toEqual(result.matches);
    expect(matches.pages).toBe(Math.ceil(result.matches.length / 2));
    expect((await all('unfilled')).items).toEqual(result.unfilled);
    expect((await all('unmatched')).items).toEqual(
      result.unmatchedTrainees.map((traineeId, i) => ({ traineeId, options: result.unmatchedOptions![i] })),
    );

    // A cursor this API did not issue names the field; others than the admin find no round.
    const forged = await get(`matches?cursor=${Buffer.from('@x').toString('base64url')}`);
    expect(forged.statusCode).toBe(400);
    expect(JSON.stringify(forged.json())).toContain('query.cursor');
    expect((await get('matches', employer.headers)).statusCode).toBe(404);
  });

  it("tells the partnership's admin once the round is done: what was matched, and why places and people were left", async () => {
    const roundId = await requestRound(t, padmin, partnershipId);
    expect(await outboxOfType(t.database, 'match_round.completed')).not.toContainEqual(
      expect.objectContaining({ aggregate_id: roundId }),
    );
    // A vacancy nobody in the cohort can take: it asks for French, which none of them has.
    const french = await postVacancy(t, employer, {
      externalRef: 'french',
      headcount: 3,
      partnershipId,
      requirements: { languages: [{ language: 'fr', cefr: 'B1' }] },
    });
    try {
      const run = await runRound(t.database, await book(t.database), roundId);
      if (run.status !== 'done') throw new Error(`round not run: ${run.reason}`);
      const unfilled = run.result.unfilled.find((u) => u.vacancyId === french);
      expect(unfilled).toEqual({ vacancyId: french, places: 3, candidates: 0 });
      const events = await fanOutEvents(t.database, 'match_round.completed', roundId);
      expect(events).toHaveLength(1);
      expect(events[0]!.payload).toEqual({
        roundId,
        partnershipId,
        cohort: '2026-A',
        organizationId: padmin.id,
        trainees: 7,
        matched: 5,
        places: 8,
        unfilledPlaces: 3,
        unfilledVacancies: 1,
        vacanciesWithoutCandidates: 1,
        unmatchedTrainees: 2,
        traineesWithoutOptions: 0,
      });
      const inbox = await t.call({ method: 'GET', url: '/v1/inbox', headers: padmin.headers });
      const item = (inbox.json().items as { title: string; body: string }[]).find((i) =>
        i.title.startsWith('Match round'),
      );
      expect(item?.title).toBe('Match round for cohort 2026-A: 5 trainees matched');
      expect(item?.body).toContain('5 trainees of 7 matched to 8 open places');
      expect(item?.body).toContain(
        '3 places in 1 vacancy stayed unfilled; 1 vacancy of these had no candidate: nobody in the cohort meets what it asks.',
      );
      expect(item?.body).toContain(
        '2 trainees stayed unmatched: each could be taken somewhere, but lost out to candidates the employers ranked higher.',
      );
    } finally {
      await t.call({
        method: 'PATCH',
        url: `/v1/vacancies/${french}`,
        headers: employer.headers,
        payload: { status: 'closed' },
      });
    }
  });

  it("tells the partnership's admin when a round fails on its last try, and only then", async () => {
    const roundId = await requestRound(t, padmin, partnershipId);
    const broken = buildHandlers({
      database: t.database,
      ruleBooks: { current: () => Promise.reject(new Error('rule book unavailable')), invalidate: () => {} },
      today: () => TODAY,
      log: silentLogger,
    })['match.round'];
    const tryRound = (attempt: number) =>
      broken(
        { roundId },
        { jobId: `round-${attempt}`, attempt, signal: new AbortController().signal, log: silentLogger },
      );
    const attempts = jobCatalog['match.round'].attempts;
    for (let attempt = 1; attempt < attempts; attempt++) {
      await expect(tryRound(attempt)).rejects.toThrow('rule book unavailable');
      expect(await outboxOfType(t.database, 'match_round.failed')).toEqual([]);
    }
    await expect(tryRound(attempts)).rejects.toThrow('rule book unavailable');
    const round = await t.call({ method: 'GET', url: `/v1/match-rounds/${roundId}`, headers: padmin.headers });
    expect(round.json()).toMatchObject({ status: 'failed', error: 'rule book unavailable', result: null });
    const events = await fanOutEvents(t.database, 'match_round.failed', roundId);
    expect(events.map((e) => e.payload)).toEqual([
      { roundId, partnershipId, cohort: '2026-A', organizationId: padmin.id, attempts },
    ]);
    const inbox = await t.call({ method: 'GET', url: '/v1/inbox', headers: padmin.headers });
    const item = (inbox.json().items as { title: string; body: string }[]).find((i) =>
      i.title.endsWith('could not be completed'),
    );
    expect(item).toEqual(
      expect.objectContaining({
        title: 'Match round for cohort 2026-A could not be completed',
        body: expect.stringContaining(`The round failed on each of its ${attempts} tries.`),
      }),
    );
  });

  it('tells each unmatched trainee why, once: outranked wherever they could go, or no vacancy of the round could take them', async () => {
    // In the cohort, but wants to go to France only: no vacancy of the round (all in Germany) can take them.
    const elsewhere = await postTrainee(t, provider, {
      externalRef: 'france-only',
      programme: { partnershipId, cohort: '2026-A', track: 'away' },
      preferences: { destinations: ['FR'], earliestStart: '2026-09-01' },
    });
    try {
      await evaluateTrainees(t.database, await book(t.database), [elsewhere], { asOf: TODAY });
      const roundId = await requestRound(t, padmin, partnershipId);
      const run = await runRound(t.database, await book(t.database), roundId);
      if (run.status !== 'done') throw new Error(`round not run: ${run.reason}`);
      // 8 trainees for 5 places: the two who lost out, and the one nobody could take.
      const { unmatchedTrainees, unmatchedOptions } = run.result;
      expect(unmatchedTrainees).toHaveLength(3);
      expect(unmatchedTrainees).toContain(elsewhere);
      const optionsOf = new Map(unmatchedTrainees.map((id, i) => [id, unmatchedOptions![i]!]));
      expect(optionsOf.get(elsewhere)).toBe(0);
      const outranked = unmatchedTrainees.filter((id) => id !== elsewhere);
      // Each listed at least one vacancy that accepts them, and each such vacancy is full (deferred acceptance).
      for (const id of outranked) expect(optionsOf.get(id)).toBeGreaterThan(0);
      const round = await t.call({ method: 'GET', url: `/v1/match-rounds/${roundId}`, headers: padmin.headers });
      expect(round.json().result.unmatchedOptions).toEqual(unmatchedOptions);

      // The round's completion routes to this job (and to the admin's notification); run twice here, as a
      // redelivery would: one event, naming each of them.
      const [completed] = await t.database.db
        .selectFrom('outbox')
        .selectAll()
        .where('type', '=', 'match_round.completed')
        .where('aggregate_id', '=', roundId)
        .execute();
      const routed = corridorRoutes['match_round.completed']!({
        id: completed!.id,
        eventId: completed!.event_id,
        type: completed!.type,
        aggregateType: 'match_round',
        aggregateId: roundId,
        payload: completed!.payload as Record<string, unknown>,
        createdAt: completed!.created_at,
      }).map((j) => j.job);
      expect(routed).toEqual(['round.unmatched', 'notify.fanout']);
      const handlers = buildHandlers({
        database: t.database,
        ruleBooks: { current: () => book(t.database), invalidate: () => {} },
        today: () => TODAY,
        log: silentLogger,
      });
      const ctx = { jobId: 'unmatched', attempt: 1, signal: new AbortController().signal, log: silentLogger };
      await handlers['round.unmatched']({ roundId }, ctx);
      await handlers['round.unmatched']({ roundId }, ctx);
      const events = await fanOutEvents(t.database, 'match_round.unmatched', roundId);
      expect(events.map((e) => e.payload)).toEqual([
        { roundId, partnershipId, cohort: '2026-A', trainees: unmatchedTrainees, options: unmatchedOptions },
      ]);

      const inboxOf = async (traineeId: string) => {
        const res = await t.call({
          method: 'GET',
          url: '/v1/inbox',
          headers: await traineeKey(t, provider, traineeId),
        });
        return (res.json().items as { title: string; body: string }[]).filter((i) =>
          i.title.startsWith('Match round for cohort 2026-A'),
        );
      };
      const nowhere = await inboxOf(elsewhere);
      expect(nowhere).toEqual([
        expect.objectContaining({
          title: 'Match round for cohort 2026-A: no placement for you this time',
          body: expect.stringContaining('No vacancy in this round could take you'),
        }),
      ]);
      for (const id of outranked) {
        const n = optionsOf.get(id)!;
        const told = await inboxOf(id);
        expect(told).toHaveLength(1);
        expect(told[0]!.body).toContain(
          n === 1
            ? '1 vacancy in this round could take you; it filled its places with candidates its employer ranked higher.'
            : `${n} vacancies in this round could take you; each filled its places with candidates its employer ranked higher.`,
        );
      }
      // The matched are told by their proposals, not by this.
      const matched = run.result.matches[0]!.traineeId;
      expect(await inboxOf(matched)).toEqual([]);
    } finally {
      const erase = await t.call({ method: 'DELETE', url: `/v1/trainees/${elsewhere}`, headers: provider.headers });
      expect(erase.statusCode).toBe(204);
    }
  });
});
