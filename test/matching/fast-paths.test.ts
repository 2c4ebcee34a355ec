import { Readable } from 'node:stream';
import { matchingRepository } from '@corridor/db';
import { importTrainees, importVacancies } from '@corridor/ingest';
import { checkCandidate, prepareMatchVacancy, runRound, type VacancyForMatching } from '@corridor/jobs';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { generateTrainees, generateVacancies } from '../../bench/src/generator.ts';
import { buildTestApp, type TestApp } from '../helpers/app.ts';
import { book, bruteForceLists, type Org, partnershipWorld, requestRound } from './helpers.ts';

// A round and a new trainee's match check one trainee row against many vacancies, and skip the rules where the
// person alone closes every pathway of a start date, or the WHO safeguard list keeps them from a kind of vacancy
// (checkCandidate's `manyVacancies`). Those answers are memoised per trainee row, so a wrong memo key would
// silently drop or admit candidates. Here every pair of a generated population (the benchmarks' own generator:
// many origins, occupations, languages, pathways and start dates) is checked both ways, against the vacancies of a
// partnership without a government-to-government agreement and of one with it (which lifts the WHO restriction
// for its own trainees: everyone here is enrolled in it), in both orders, so that a memo filled by one kind is
// read by the other.

/** Pathways whose rules read the offered salary, among those the generator's vacancies accept. */
const PAY_READING = ['au-482-core', 'au-186-trt', 'uk-skilled-worker', 'fi-employed-person', 'de-blue-card'];

const jsonl = (items: Iterable<unknown>) => Readable.from([[...items].map((i) => JSON.stringify(i)).join('\n')]);

describe('the many-vacancies fast path', () => {
  let t: TestApp;
  let padmin: Org;
  const partnerships: string[] = [];

  beforeAll(async () => {
    t = await buildTestApp();
    const world = await partnershipWorld(t);
    partnerships.push(world.partnershipId);
    const covered = await partnershipWorld(t, { g2g: true });
    padmin = covered.padmin;
    partnerships.push(covered.partnershipId);
    const employers = [world.employer, covered.employer];
    const trainees = await importTrainees(
      t.database,
      covered.provider.id,
      jsonl(
        [...generateTrainees(300, 31, 'fast')].map((p) => ({
          ...p,
          programme: { ...p.programme, partnershipId: partnerships[1], cohort: 'fast' },
        })),
      ),
      { format: 'jsonl' },
    );
    expect(trainees.accepted).toBe(300);
    for (const [i, partnershipId] of partnerships.entries()) {
      const vacancies = await importVacancies(
        t.database,
        {
          type: 'organization',
          organizationId: employers[i]!.id,
          organizationKind: 'employer',
          role: 'employer',
          keyId: 'test',
        },
        async () => employers[i]!.id,
        jsonl(
          [...generateVacancies(60, 32 + i, `fast${i}`)].flatMap((v) => [
            { ...v, partnershipId },
            // The round's partnership also has three siblings of each vacancy that accept only the pathways whose
            // rules read the pay: two paid more (alike: one evaluation, check and score serve both) and one paid
            // less than every threshold (another offer class, evaluated on its own).
            ...(i === 1 && v.salary && v.pathways.some((id) => PAY_READING.includes(id))
              ? [1.1, 1.2, 0.3].map((factor) => ({
                  ...v,
                  externalRef: `${v.externalRef}-paid-${factor}`,
                  partnershipId,
                  pathways: v.pathways.filter((id) => PAY_READING.includes(id)),
                  salary: { ...v.salary!, amount: Math.round(v.salary!.amount * factor) },
                }))
              : []),
          ]),
        ),
        { format: 'jsonl' },
      );
      expect(vacancies.accepted).toBeGreaterThan(i === 1 ? 100 : 59);
    }
  });
  afterAll(() => t.close());

  it('accepts and rejects exactly the pairs the full check does', async () => {
    const rules = await book(t.database);
    const prepared = [];
    for (const id of partnerships)
      for (const row of await matchingRepository.partnershipOpenVacancies(t.database.db, id))
        prepared.push(prepareMatchVacancy(row as VacancyForMatching, 0)!);
    const cohort = await matchingRepository.cohortTrainees(t.database.db, partnerships[1]!, 'fast');
    expect(prepared.length).toBeGreaterThan(160);
    expect(cohort).toHaveLength(300);
    const fastRejections = new Map<string, number>();
    let accepted = 0;
    for (const order of [prepared, [...prepared].reverse()]) {
      for (const row of cohort) {
        const trainee = { ...row }; // a fresh row: memos start empty, filled in this order
        for (const pv of order) {
          const full = checkCandidate(rules, trainee, pv);
          const fast = checkCandidate(rules, trainee, pv, undefined, { reasons: false, manyVacancies: true });
          if (fast.ok !== full.ok)
            throw new Error(`fast ${fast.ok}, full ${full.ok}: ${trainee.id} → ${pv.vacancy.id}`);
          if (full.ok) accepted++;
          else if (!fast.ok) fastRejections.set(fast.filters[0]!, (fastRejections.get(fast.filters[0]!) ?? 0) + 1);
        }
      }
    }
    // Both memoised shortcuts (and plain rejections) are exercised, and some pairs pass: the comparison says something.
    expect(accepted).toBeGreaterThan(100);
    expect(fastRejections.get('pathway') ?? 0).toBeGreaterThan(1000);
    expect(fastRejections.get('who-safeguard-list') ?? 0).toBeGreaterThan(100);
  });

  it("lists each trainee's best acceptable vacancies in the round exactly as checking every pair would", async () => {
    // The round walks vacancies by bound groups, start months and bounds on experience, and stops once a list is
    // settled; over a generated population (many occupations, dates, languages and experiences) its lists must be
    // the brute-force ones.
    const rules = await book(t.database);
    const partnershipId = partnerships[1]!;
    const best = await bruteForceLists(t.database, partnershipId, 'fast');
    expect([...best.values()].filter((list) => list.length >= 3).length).toBeGreaterThan(10);
    // Some lists hold both better-paid siblings of a vacancy, which the round checks as one.
    const refs = new Map(
      (await t.database.db.selectFrom('vacancies').select(['id', 'external_ref']).execute()).map((v) => [
        v.id,
        v.external_ref,
      ]),
    );
    const twinned = [...best.values()].filter((list) => {
      const listed = new Set(list.map((id) => refs.get(id)));
      return [...listed].some((ref) => ref?.endsWith('-paid-1.1') && listed.has(ref.replace(/1\.1$/, '1.2')));
    });
    expect(twinned.length).toBeGreaterThan(2);
    // Lists cut at 1 (one page, this thread), 3 (pages of 40, this thread), 20 and 5 (pages of 40 shared with two
    // worker threads): where a page is built must not change it.
    const settings = [
      { roundListLength: 1 },
      { roundListLength: 3, cohortPage: 40, roundThreads: 0 },
      { roundListLength: 20, cohortPage: 40, roundThreads: 2, waitForThreads: true },
      // The same two threads again (kept by the process), now for lists of 5: nothing of the last round may stay.
      { roundListLength: 5, cohortPage: 40, roundThreads: 2, waitForThreads: true },
    ];
    for (const options of settings) {
      const cut = options.roundListLength;
      const run = await runRound(t.database, rules, await requestRound(t, padmin, partnershipId, 'fast'), options);
      if (run.status !== 'done') throw new Error(run.reason);
      if (options.roundThreads) expect(run.work.slicesOnThreads).toBeGreaterThanOrEqual(2);
      else expect(run.work.slicesOnThreads).toBe(0);
      expect(run.instance.trainees.length).toBeGreaterThan(250);
      for (const trainee of run.instance.trainees) expect(trainee.ranking).toEqual(best.get(trainee.id)!.slice(0, cut));
      // Proposals from this round would change the next one's data: start each cut afresh.
      await t.database.db.deleteFrom('placement_events').execute();
      await t.database.db.deleteFrom('placements').execute();
    }
  });
});
