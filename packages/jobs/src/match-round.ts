import {
  type Database,
  type MatchRoundResult,
  matchingRepository,
  matchRoundsRepository,
  placementsRepository,
  roundRankingsRepository,
  withSession,
} from '@corridor/db';
import { DEFAULT_OCCUPATION_BRIDGES, type RoundInstance, rankCandidates } from '@corridor/matching';
import { yieldToEventLoop } from '@corridor/queue';
import type { RuleBook } from '@corridor/rules';
import { collectCohortLists, fullRows, type ListWork, stopwatch } from './cohort-lists.ts';
import {
  checkCandidate,
  filledPlaces,
  type MatchingOptions,
  PlacementChanges,
  type PreparedMatchVacancy,
  placementFields,
  prepareMatchVacancy,
} from './match-vacancy.ts';
import { assembleArrays, instanceOf, matchAssembled, roundOptions } from './round-instance.ts';
import type { RoundPlacement, RoundVacancyRow } from './round-lists.ts';
import { defaultRoundThreads } from './round-threads.ts';

/** Longest list a trainee submits, as in the NRMP's practical limit; the engine's order fills it. */
export const ROUND_LIST_LENGTH = 20;

export interface RoundOptions extends MatchingOptions {
  /** Longest list per trainee; default `ROUND_LIST_LENGTH`. */
  roundListLength?: number;
  /** Worker threads building lists beside the job's own; default one fewer than the cores, at most 4. */
  roundThreads?: number;
  /** Trainees read at a time; default 2,000. */
  cohortPage?: number;
  /**
   * Wait for the worker threads to start before listing, rather than listing on this thread meanwhile, so that
   * they are sure to take part (tests of the threads; off by default).
   */
  waitForThreads?: boolean;
  /** Build every list again, as if none were stored (the benchmark's cold rounds); they are stored all the same. */
  ignoreStoredLists?: boolean;
}

export type RunRoundOutcome =
  /** `instance` is the round as deferred acceptance saw it, for checkers such as `findBlockingPairs` (built when first read). */
  | {
      status: 'done';
      result: MatchRoundResult;
      instance: RoundInstance;
      /** Stored lists reused, lists built (and the exact checks they took), on which threads: see `ListWork`. */
      work: ListWork;
      /**
       * Milliseconds the round spent loading its vacancies and placements, on the lists, on deferred acceptance
       * (with putting the lists together), explaining and proposing the matched pairs, and recording the result.
       */
      ms: { load: number; lists: number; match: number; propose: number; record: number };
    }
  | { status: 'skipped'; reason: string };

/**
 * match.round: many-to-one, trainee-proposing deferred acceptance over a cohort's trainees and the partnership's
 * open vacancies (capacity = headcount − places filled). Eligibility and every hard filter are hard constraints:
 * only pairs that pass them are ranked at all. Trainees rank vacancies in their stated order
 * (`PUT /v1/trainees/{id}/round-preferences`), or else in the engine's (score, then vacancy id), keeping at most
 * `roundListLength` (20, the NRMP's practical limit); vacancies rank the trainees who listed them in the employer's
 * own order (`PUT /v1/vacancies/{id}/round-ranking`: those it leaves out are not acceptable to it), or else by
 * score, then trainee id (a vacancy is only ever proposed to by trainees who listed it). Pairs a person declined,
 * and trainees already matched anywhere, are left out. Matched pairs are proposed as placements (source `round`),
 * and the result is stored with the round, all in one transaction: a crash leaves the round to be re-run whole.
 * Deterministic: inputs are sorted by id, so the same data gives the same matching.
 *
 * Each trainee's list is the one stored for them when it still holds (nothing it was built from has changed in a way
 * that can change it; see stored-lists.ts), else built again, without checking every pair (see round-lists.ts), on
 * worker threads beside this one when many need it, and stored for the next round (see cohort-lists.ts).
 * `prepareRoundLists` builds them ahead of a round, so that the round itself reads them.
 */
export async function runRound(
  database: Database,
  book: RuleBook,
  roundId: string,
  options: RoundOptions = {},
): Promise<RunRoundOutcome> {
  const bridges = options.bridges ?? DEFAULT_OCCUPATION_BRIDGES;
  const listLength = options.roundListLength ?? ROUND_LIST_LENGTH;
  const pageSize = options.cohortPage ?? COHORT_PAGE;
  // One connection in one transaction, with its raw queries: the stored lists are read in binary.
  return withSession(database, async (session): Promise<RunRoundOutcome> => {
    const trx = session.db;
    const lap = stopwatch();
    const round = await matchRoundsRepository.lock(trx, roundId);
    if (!round) return { status: 'skipped', reason: 'no such round' };
    if (round.status === 'done') return { status: 'skipped', reason: 'already done' };
    await matchRoundsRepository.markRunning(trx, roundId);

    // Vacancies first (locked, id order, as match.vacancy locks them), then their placements; the cohort is read
    // page by page.
    const vacancies = await matchingRepository.partnershipVacancyVersions(trx, round.partnership_id);
    const vacancyIds = vacancies.map((v) => v.id);
    const rows = fullRows(trx, vacancies);
    const placements = await placementsRepository.forVacancies(trx, vacancyIds);
    // Employers' own orders of candidates take the place of the engine's.
    const statedByVacancy = await roundRankingsRepository.vacancyOrders(trx, vacancyIds);
    const loaded = lap();
    // Each trainee's list: stored where it still holds, else built (and stored) again; see cohort-lists.ts.
    const collected = await collectCohortLists(
      trx,
      book,
      { partnershipId: round.partnership_id, cohort: round.cohort, vacancies, rows, placements },
      {
        bridges,
        listLength,
        pageSize,
        threads: options.roundThreads ?? defaultRoundThreads(),
        waitForThreads: options.waitForThreads,
        ignoreStored: options.ignoreStoredLists,
        binaryQuery: session.binaryQuery,
      },
    );
    const built = lap();
    const pairs = collected.lists.listStart[collected.lists.traineeIds.length]!;
    // Lists name vacancies by their position among the round's: they are ranked and matched as arrays (see
    // round-instance.ts).
    const assembled = assembleArrays(
      collected.lists,
      vacancies.map((v, i) => ({ id: v.id, capacity: collected.capacity[i]!, ownOrder: statedByVacancy.get(v.id) })),
    );
    const outcome = matchAssembled(assembled);
    const matched = lap();

    // Propose the matched pairs, with the full explanation (built for these pairs only).
    const position = new Map(vacancyIds.map((id, i) => [id, i]));
    // The full rows of the matched vacancies only (all of them if lists were built).
    const matchedRows = new Map(
      (await matchingRepository.vacanciesByIds(trx, [...new Set(outcome.matches.map((m) => m.vacancyId))])).map(
        (row) => [row.id, row as RoundVacancyRow],
      ),
    );
    const prepared = new Map<string, PreparedMatchVacancy>();
    const heldPairs = new Map<string, RoundPlacement>();
    const filled = new Map<string, RoundPlacement[]>();
    for (const p of placements) {
      heldPairs.set(`${p.vacancy_id} ${p.trainee_id}`, p);
      const list = filled.get(p.vacancy_id);
      if (list) list.push(p);
      else filled.set(p.vacancy_id, [p]);
    }
    const preparedFor = (vacancyId: string): PreparedMatchVacancy => {
      let pv = prepared.get(vacancyId);
      if (!pv) {
        const row = matchedRows.get(vacancyId)!;
        pv = prepareMatchVacancy(row, filledPlaces(filled.get(vacancyId) ?? []))!;
        prepared.set(vacancyId, pv);
      }
      return pv;
    };
    // Only the matched trainees' rows are read again, for their explanations. Each chunk's proposals (one statement
    // that also writes their history and events), then the history and events of any re-proposed pairs, are written
    // while this thread explains the next chunk: one chain of queries in flight on the connection at a time, so
    // Postgres writes while this thread explains.
    const traineeById = new Map<string, Awaited<ReturnType<typeof matchingRepository.traineesByIds>>[number]>();
    for (let i = 0; i < outcome.matches.length; i += COHORT_PAGE)
      for (const row of await matchingRepository.traineesByIds(
        trx,
        outcome.matches.slice(i, i + COHORT_PAGE).map((m) => m.traineeId),
      ))
        traineeById.set(row.id, row);
    const changes = new PlacementChanges();
    const matches: MatchRoundResult['matches'] = [];
    const ids = new Map<string, string>();
    let inserting: Promise<Map<string, string>> | undefined;
    const settleInsert = async () => {
      if (inserting) for (const [pair, id] of await inserting) ids.set(pair, id);
      inserting = undefined;
    };
    for (let from = 0; from < outcome.matches.length; from += WRITE_CHUNK) {
      const inserts: Parameters<PlacementChanges['proposeMany']>[1][number][] = [];
      const held: { pair: RoundPlacement; fields: ReturnType<typeof placementFields> }[] = [];
      for (const m of outcome.matches.slice(from, from + WRITE_CHUNK)) {
        const pv = preparedFor(m.vacancyId);
        const check = checkCandidate(book, traineeById.get(m.traineeId)!, pv, bridges);
        if (!check.ok) throw new Error(`round pair ${m.traineeId} → ${m.vacancyId} no longer passes its checks`);
        const [explained] = rankCandidates(pv.vacancy, [check.candidate], { prefiltered: true, limit: 1, bridges });
        const fields = placementFields(explained!, check.packVersions, {
          source: 'round',
          match_round_id: roundId,
          rank: null,
        });
        const heldPair = heldPairs.get(`${m.vacancyId} ${m.traineeId}`);
        if (!heldPair) inserts.push({ vacancyId: m.vacancyId, traineeId: m.traineeId, fields });
        else held.push({ pair: heldPair, fields });
        matches.push({
          traineeId: m.traineeId,
          vacancyId: m.vacancyId,
          score: explained!.score,
          placementId: heldPair?.id ?? null,
        });
      }
      await settleInsert();
      for (const { pair, fields } of held) {
        if (pair.status === 'withdrawn') await changes.repropose(trx, pair, fields);
        else if (pair.status === 'proposed') await changes.refresh(trx, pair, fields);
        // Accepted by one side already: people are deciding; the round's match only confirms the pair.
      }
      // The history and events of the pairs re-proposed above go in the same chain (new proposals' own are written by
      // the statement that inserts them).
      inserting = changes.proposeMany(trx, inserts).then(async (inserted) => {
        await changes.flush(trx);
        return inserted;
      });
      // Awaited on the next chunk or below: if this thread fails first (the transaction rolls back), the insert's own
      // failure is not news.
      inserting.catch(() => undefined);
      await yieldToEventLoop();
    }
    await settleInsert();
    for (const m of matches)
      if (m.placementId === null) m.placementId = ids.get(`${m.vacancyId} ${m.traineeId}`) ?? null;
    const proposed = lap();
    await changes.flush(trx);

    const listed = roundOptions(assembled);
    const result: MatchRoundResult = {
      matches,
      unfilled: outcome.unfilled.map((u) => ({ ...u, candidates: listed.candidates[position.get(u.vacancyId)!]! })),
      unmatchedTrainees: outcome.unmatchedTrainees,
      unmatchedOptions: optionsOfUnmatched(assembled.traineeIds, outcome.unmatchedTrainees, listed.options),
      stats: {
        trainees: assembled.traineeIds.length,
        vacancies: vacancies.length,
        places: collected.capacity.reduce((sum, c) => sum + c, 0),
        eligiblePairs: pairs,
        proposals: outcome.stats.proposals,
        traineesWithoutOptions: listed.traineesWithoutOptions,
      },
    };
    await matchRoundsRepository.markDone(trx, roundId, result);
    const recorded = lap();
    let instance: RoundInstance | undefined;
    return {
      status: 'done',
      result,
      get instance() {
        instance ??= instanceOf(assembled);
        return instance;
      },
      work: collected.work,
      ms: { load: loaded, lists: built, match: matched, propose: proposed, record: recorded },
    };
  });
}

/**
 * How many vacancies accepted each unmatched trainee (in the order of `unmatched`, which is the round's trainee
 * order): what tells "no vacancy of the round could take you" from "every vacancy that could filled its places with
 * people it ranked higher".
 */
function optionsOfUnmatched(
  traineeIds: readonly string[],
  unmatched: readonly string[],
  options: Int32Array,
): number[] {
  const out = new Array<number>(unmatched.length);
  let t = 0;
  for (let u = 0; u < unmatched.length; u++) {
    while (t < traineeIds.length && traineeIds[t] !== unmatched[u]) t++;
    if (t === traineeIds.length) throw new Error(`unmatched trainee ${unmatched[u]} is not in the round's order`);
    out[u] = options[t]!;
  }
  return out;
}

/** Trainees read at a time. */
const COHORT_PAGE = 2_000;
/** Matched pairs explained and proposed at a time. */
const WRITE_CHUNK = 1_000;

export interface PreparedLists {
  /** The trainees listed, and how many lists were reused, built or built from the placements (see `ListWork`). */
  trainees: number;
  work: ListWork;
}

/**
 * round.lists: builds and stores the lists of a cohort whose stored list no longer holds, ahead of its rounds, so
 * that a round reads them instead of building them (a round of a million trainees whose lists all hold reads them
 * in seconds; building them takes minutes). It locks nothing: each list records the vacancies' and the trainee's
 * versions it was built from, so a change made meanwhile is seen by the next round, which builds that list again.
 */
export async function prepareRoundLists(
  database: Database,
  book: RuleBook,
  partnershipId: string,
  cohort: string,
  options: RoundOptions = {},
): Promise<PreparedLists> {
  return withSession(database, async (session) => {
    const trx = session.db;
    const vacancies = await matchingRepository.partnershipVacancyVersions(trx, partnershipId, { lock: false });
    // Places filled and pairs declined do not enter a stored list (the round applies them), so none are read.
    const collected = await collectCohortLists(
      trx,
      book,
      { partnershipId, cohort, vacancies, rows: fullRows(trx, vacancies), placements: [] },
      {
        bridges: options.bridges ?? DEFAULT_OCCUPATION_BRIDGES,
        listLength: options.roundListLength ?? ROUND_LIST_LENGTH,
        pageSize: options.cohortPage ?? COHORT_PAGE,
        threads: options.roundThreads ?? defaultRoundThreads(),
        waitForThreads: options.waitForThreads,
        ignoreStored: options.ignoreStoredLists,
        binaryQuery: session.binaryQuery,
      },
    );
    return { trainees: collected.lists.traineeIds.length, work: collected.work };
  });
}
