import { Readable } from 'node:stream';
import { matchingRepository } from '@corridor/db';
import { composePacks } from '@corridor/evaluation';
import { importTrainees, importVacancies } from '@corridor/ingest';
import {
  checkCandidate,
  collectCohortLists,
  type ListWork,
  MAX_CHANGED_VACANCIES,
  prepareMatchVacancy,
  prepareRoundLists,
  type RoundPlacement,
  type RoundVacancyRow,
  runRound,
  type VacancyForMatching,
} from '@corridor/jobs';
import { DEFAULT_OCCUPATION_BRIDGES, vacancyScorer } from '@corridor/matching';
import { createRuleBook, type RuleBook, shippedPacks } from '@corridor/rules';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { generateTrainees, generateVacancies } from '../../bench/src/generator.ts';
import { buildTestApp, type TestApp } from '../helpers/app.ts';
import { book, type Org, partnershipWorld, requestRound } from './helpers.ts';

// A round reuses each trainee's stored list unless something it was built from changed in a way that can change it
// (packages/jobs/src/stored-lists.ts). A list wrongly kept would silently put a trainee on a vacancy they may not
// take, or leave out one they may. So after each kind of change (a trainee's profile, a vacancy's terms, a new
// vacancy, a closed one, places filled and pairs declined, a stated order, many vacancies at once, the rules), the
// lists a round reads are compared with the lists checking every pair gives, and the work with what should be
// rebuilt. Lists are cut at 2, so that many are cut and a full place can push the next vacancy in.

const LENGTH = 2;
const COHORT = 'stored';
const jsonl = (items: Iterable<unknown>) => Readable.from([[...items].map((i) => JSON.stringify(i)).join('\n')]);
const ROLLBACK = new Error('rollback');

type Lists = Map<string, { vacancies: string[]; scores: number[] }>;

describe('stored round lists', () => {
  let t: TestApp;
  let employer: Org;
  let provider: Org;
  let padmin: Org;
  let partnershipId: string;
  let rules: RuleBook;
  let cohortSize: number;

  beforeAll(async () => {
    t = await buildTestApp();
    ({ employer, provider, padmin, partnershipId } = await partnershipWorld(t, { g2g: true }));
    const trainees = await importTrainees(
      t.database,
      provider.id,
      jsonl(
        [...generateTrainees(200, 41, 'stored')].map((p) => ({
          ...p,
          programme: { ...p.programme, partnershipId, cohort: COHORT },
        })),
      ),
      { format: 'jsonl' },
    );
    expect(trainees.accepted).toBe(200);
    cohortSize = 200;
    const vacancies = await importVacancies(
      t.database,
      {
        type: 'organization',
        organizationId: employer.id,
        organizationKind: 'employer',
        role: 'employer',
        keyId: 'test',
      },
      async () => employer.id,
      jsonl([...generateVacancies(160, 42, 'stored')].map((v) => ({ ...v, partnershipId }))),
      { format: 'jsonl' },
    );
    expect(vacancies.accepted).toBe(160);
    rules = await book(t.database);
  });
  afterAll(() => t.close());

  /** The partnership's open vacancies, as a round reads them. */
  const openVacancies = () =>
    matchingRepository.partnershipOpenVacancies(t.database.db, partnershipId, { lock: false }) as Promise<
      RoundVacancyRow[]
    >;

  /**
   * The lists a round would take (stored ones where they hold), committed as a round commits them; or, with
   * `ignoreStored`, every list built again and rolled back.
   */
  async function roundLists(
    options: { placements?: RoundPlacement[]; ignoreStored?: boolean; rules?: RuleBook } = {},
  ): Promise<{ lists: Lists; work: ListWork }> {
    let out: { lists: Lists; work: ListWork } | undefined;
    try {
      await t.database.db.transaction().execute(async (trx) => {
        const vacancyRows = (await matchingRepository.partnershipOpenVacancies(trx, partnershipId, {
          lock: false,
        })) as RoundVacancyRow[];
        const collected = await collectCohortLists(
          trx,
          options.rules ?? rules,
          {
            partnershipId,
            cohort: COHORT,
            vacancies: vacancyRows,
            rows: async () => vacancyRows,
            placements: options.placements ?? [],
          },
          {
            bridges: DEFAULT_OCCUPATION_BRIDGES,
            listLength: LENGTH,
            pageSize: 64,
            threads: 0,
            ignoreStored: options.ignoreStored,
          },
        );
        out = {
          lists: new Map(
            collected.lists.traineeIds.map((id, t) => {
              const { listStart, listVacancy, listScore } = collected.lists;
              const entries = [...Array(listStart[t + 1]! - listStart[t]!).keys()].map((j) => listStart[t]! + j);
              return [
                id,
                {
                  vacancies: entries.map((e) => vacancyRows[listVacancy[e]!]!.id),
                  scores: entries.map((e) => listScore[e]!),
                },
              ];
            }),
          ),
          work: collected.work,
        };
        if (options.ignoreStored) throw ROLLBACK;
      });
    } catch (error) {
      if (error !== ROLLBACK) throw error;
    }
    return out!;
  }

  /**
   * Every trainee checked against every open vacancy with a place left that they have not declined: their stated
   * order, or the acceptable ones by score then id; cut at the length.
   */
  async function everyPair(placements: RoundPlacement[] = [], ruleBook = rules): Promise<Lists> {
    const rows = await openVacancies();
    const prepared = rows.map((row) => {
      const held = placements.filter((p) => p.vacancy_id === row.id);
      const filled = held.filter((p) => p.status === 'matched').length;
      return {
        pv: prepareMatchVacancy(row as VacancyForMatching, filled)!,
        declined: new Set(held.filter((p) => p.status === 'declined').map((p) => p.trainee_id)),
      };
    });
    const byId = new Map(prepared.map((v) => [v.pv.vacancy.id, v]));
    const lists: Lists = new Map();
    // The cursor needs a transaction.
    const cohort = await t.database.db.transaction().execute(async (trx) => {
      const all = [];
      for await (const page of matchingRepository.cohortTraineePages(trx, partnershipId, COHORT, 500))
        all.push(...page);
      return all;
    });
    for (const trainee of cohort) {
      if (trainee.placed) continue;
      const order = trainee.stated ? trainee.stated.flatMap((id) => byId.get(id) ?? []) : prepared;
      const ok = order.flatMap(({ pv, declined }) => {
        if (declined.has(trainee.id)) return [];
        const check = checkCandidate(ruleBook, trainee, pv);
        return check.ok ? [{ id: pv.vacancy.id, score: vacancyScorer(pv.vacancy).score(check.candidate) }] : [];
      });
      if (!trainee.stated) ok.sort((a, b) => b.score - a.score || (a.id < b.id ? -1 : 1));
      const cut = ok.slice(0, LENGTH);
      lists.set(trainee.id, { vacancies: cut.map((o) => o.id), scores: cut.map((o) => o.score) });
    }
    return lists;
  }

  /** The round's lists (stored where they hold) must be every pair's, and so must a round that builds them all. */
  async function expectExact(options: { placements?: RoundPlacement[]; rules?: RuleBook } = {}): Promise<ListWork> {
    const truth = await everyPair(options.placements, options.rules);
    const rebuilt = await roundLists({ ...options, ignoreStored: true });
    expect(rebuilt.lists).toEqual(truth);
    const reused = await roundLists(options);
    expect(reused.lists).toEqual(truth);
    return reused.work;
  }

  async function patchVacancy(vacancyId: string, payload: Record<string, unknown>): Promise<void> {
    const res = await t.call({
      method: 'PATCH',
      url: `/v1/vacancies/${vacancyId}`,
      headers: employer.headers,
      payload,
    });
    expect(res.statusCode, res.body).toBe(200);
  }

  const listsHolding = (lists: Lists, vacancyId: string) =>
    [...lists].filter(([, l]) => l.vacancies.includes(vacancyId)).map(([id]) => id);

  async function mostListed(): Promise<string> {
    const lists = await everyPair();
    const count = new Map<string, number>();
    for (const l of lists.values()) for (const v of l.vacancies) count.set(v, (count.get(v) ?? 0) + 1);
    return [...count].sort((a, b) => b[1] - a[1] || (a[0] < b[0] ? -1 : 1))[0]![0];
  }

  it('are built ahead of a round, then reused as long as nothing they were built from changes', async () => {
    const prepared = await prepareRoundLists(t.database, rules, partnershipId, COHORT, { roundListLength: LENGTH });
    expect(prepared.work.built).toBe(cohortSize);
    const lists = await everyPair();
    // The population gives lists of every length, many cut at the length.
    expect([...lists.values()].filter((l) => l.vacancies.length === LENGTH).length).toBeGreaterThan(20);
    expect([...lists.values()].filter((l) => l.vacancies.length === 0).length).toBeGreaterThan(5);
    const work = await expectExact();
    expect(work).toMatchObject({ reused: cohortSize, built: 0, exact: 0, checks: 0 });
  });

  it("a trainee's changed profile rebuilds their list alone", async () => {
    const lists = await everyPair();
    const [someone] = [...lists].find(([, l]) => l.vacancies.length > 0)!;
    const res = await t.call({
      method: 'PATCH',
      url: `/v1/trainees/${someone}`,
      headers: provider.headers,
      payload: { preferences: { destinations: ['JP'] } },
    });
    expect(res.statusCode, res.body).toBe(200);
    const bases = () => t.database.db.selectFrom('round_list_bases').select('id').execute();
    const before = await bases();
    const work = await expectExact();
    expect(work).toMatchObject({ built: 1, reused: cohortSize - 1 });
    expect((await everyPair()).get(someone)!.vacancies).toEqual([]);
    // No vacancy changed: the rebuilt list is stored under the basis the others share, not a new one.
    expect(await bases()).toEqual(before);
    expect(before).toHaveLength(1);
  });

  it("a vacancy's changed terms rebuild the lists that hold it or that it could enter, and no others", async () => {
    const vacancyId = await mostListed();
    const holding = listsHolding(await everyPair(), vacancyId);
    expect(holding.length).toBeGreaterThan(2);
    await patchVacancy(vacancyId, {
      costSharing: { employerPaysTraining: false, employerPaysTravel: false, employerPaysVisa: false, workerFees: 0 },
    });
    const work = await expectExact();
    expect(work.built).toBeGreaterThanOrEqual(holding.length);
    expect(work.reused).toBeGreaterThan(cohortSize / 2);
  });

  it('a vacancy that now asks more than the people holding it have leaves their lists', async () => {
    // Its prefilter no longer lets them through, so only its new version tells that their lists must change.
    const vacancyId = await mostListed();
    const holding = listsHolding(await everyPair(), vacancyId);
    expect(holding.length).toBeGreaterThan(2);
    await patchVacancy(vacancyId, { requirements: { languages: [{ language: 'is', cefr: 'C2' }] } });
    const work = await expectExact();
    expect(listsHolding(await everyPair(), vacancyId)).toEqual([]);
    expect(work.built).toBe(holding.length);
  });

  it('a new vacancy enters the lists of the people it could take', async () => {
    const twinOf = await mostListed();
    const twin = (await openVacancies()).find((v) => v.id === twinOf)!;
    const res = await t.call({
      method: 'POST',
      url: '/v1/vacancies',
      headers: employer.headers,
      payload: {
        title: 'Twin',
        externalRef: 'stored-twin',
        partnershipId,
        headcount: 2,
        sector: twin.sector,
        isco08: twin.isco08.trim(),
        destination: twin.destination.trim(),
        ...(twin.region ? { region: twin.region } : {}),
        startDate: twin.start_date,
        pathways: twin.pathways,
        requirements: twin.requirements,
        costSharing: twin.cost_sharing,
        ...twin.terms,
      },
    });
    expect(res.statusCode, res.body).toBe(201);
    const twinId = res.json().id as string;
    const work = await expectExact();
    // It entered lists it was not built into: a round that kept them would have left it out.
    expect(listsHolding(await everyPair(), twinId).length).toBeGreaterThan(0);
    expect(work.reused).toBeGreaterThan(cohortSize / 2);
  });

  it('a closed vacancy drops out of the lists that hold it; the cut ones that held it are built again', async () => {
    const vacancyId = await mostListed();
    const before = await everyPair();
    const holding = listsHolding(before, vacancyId);
    await patchVacancy(vacancyId, { status: 'closed' });
    const work = await expectExact();
    // Complete lists only lose it; cut ones are built again without it (and stored: the vacancy stays closed).
    expect(work.exact).toBe(0);
    expect(work.built).toBeGreaterThan(0);
    expect(work.built).toBeLessThanOrEqual(holding.length);
    expect(await expectExact()).toMatchObject({ built: 0, reused: cohortSize });
  });

  it('places filled and pairs declined apply to stored lists as to built ones', async () => {
    const lists = await everyPair();
    const vacancyId = await mostListed();
    const row = (await openVacancies()).find((v) => v.id === vacancyId)!;
    const full = Array.from(
      { length: row.headcount },
      (_, i) =>
        ({
          vacancy_id: vacancyId,
          trainee_id: `00000000-0000-4000-8000-${String(i).padStart(12, '0')}`,
          status: 'matched',
        }) as RoundPlacement,
    );
    const [decliner, list] = [...lists].find(([, l]) => l.vacancies.length > 1 && !l.vacancies.includes(vacancyId))!;
    const declined = { vacancy_id: list.vacancies[0]!, trainee_id: decliner, status: 'declined' } as RoundPlacement;
    const work = await expectExact({ placements: [...full, declined] });
    expect(work.built).toBe(0);
    expect(work.exact).toBeGreaterThan(0);
  });

  it("a stated order rebuilds that trainee's list alone, in their order", async () => {
    const lists = await everyPair();
    const [someone, list] = [...lists].find(([, l]) => l.vacancies.length > 1)!;
    const res = await t.call({
      method: 'PUT',
      url: `/v1/trainees/${someone}/round-preferences`,
      headers: provider.headers,
      payload: { vacancyIds: [...list.vacancies].reverse() },
    });
    expect(res.statusCode, res.body).toBe(200);
    const work = await expectExact();
    expect(work).toMatchObject({ built: 1, reused: cohortSize - 1 });
    expect((await everyPair()).get(someone)!.vacancies).toEqual([...list.vacancies].reverse());
  });

  it(`more than ${MAX_CHANGED_VACANCIES} changed vacancies rebuild every list`, async () => {
    const rows = await openVacancies();
    for (const [i, row] of rows.slice(0, MAX_CHANGED_VACANCIES + 1).entries()) {
      await patchVacancy(row.id, { hoursPerWeek: 38 + (i % 2) });
    }
    const work = await expectExact();
    expect(work).toMatchObject({ reused: 0, built: cohortSize });
  });

  it('new rules rebuild every list', async () => {
    // From 2026 the recognition partnership asks a 60-hour offer: none of the vacancies' offers meets it.
    const base = shippedPacks().find((p) => p.id === 'de-recognition-partnership')!;
    const stricter = {
      ...base,
      version: '2026-01-01',
      effectiveFrom: '2026-01-01',
      criteria: base.criteria.map((c) =>
        c.id === 'job-offer' && c.kind === 'jobOffer' ? { ...c, minHoursPerWeek: 60 } : c,
      ),
    };
    const newRules = createRuleBook(composePacks(shippedPacks(), [stricter]));
    expect(await everyPair([], newRules)).not.toEqual(await everyPair());
    const work = await expectExact({ rules: newRules });
    expect(work).toMatchObject({ reused: 0, built: cohortSize });
    // And the lists built under the new rules are reused under them.
    expect(await expectExact({ rules: newRules })).toMatchObject({ reused: cohortSize, built: 0 });
  });

  it('a round reads the stored lists and matches as it would have built them all; erasure deletes a list', async () => {
    await prepareRoundLists(t.database, rules, partnershipId, COHORT, { roundListLength: LENGTH });
    const stored = await runRound(t.database, rules, await requestRound(t, padmin, partnershipId, COHORT), {
      roundListLength: LENGTH,
    });
    if (stored.status !== 'done') throw new Error(stored.reason);
    await t.database.db.deleteFrom('placement_events').execute();
    await t.database.db.deleteFrom('placements').execute();
    const built = await runRound(t.database, rules, await requestRound(t, padmin, partnershipId, COHORT), {
      roundListLength: LENGTH,
      ignoreStoredLists: true,
    });
    if (built.status !== 'done') throw new Error(built.reason);
    expect(built.work.built).toBe(cohortSize);
    expect(stored.work.built).toBe(0);
    const pairs = (r: typeof stored & { status: 'done' }) =>
      r.result.matches.map((m) => `${m.traineeId} ${m.vacancyId} ${m.score}`);
    expect(pairs(stored)).toEqual(pairs(built));
    expect(stored.result.matches.length).toBeGreaterThan(10);

    const someone = stored.result.matches[0]!.traineeId;
    const lists = () => t.database.db.selectFrom('round_lists').select('trainee_id').where('trainee_id', '=', someone);
    expect(await lists().execute()).toHaveLength(1);
    const erase = await t.call({ method: 'DELETE', url: `/v1/trainees/${someone}`, headers: provider.headers });
    expect(erase.statusCode).toBe(204);
    expect(await lists().execute()).toEqual([]);
  });
});
