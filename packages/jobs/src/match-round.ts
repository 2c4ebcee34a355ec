import {
  type Database,
  type MatchRoundResult,
  matchingRepository,
  matchRoundsRepository,
  placementsRepository,
  roundRankingsRepository,
  type TraineeForMatching,
} from '@corridor/db';
import { DEFAULT_OCCUPATION_BRIDGES, type RoundInstance, rankCandidates } from '@corridor/matching';
import { yieldToEventLoop } from '@corridor/queue';
import type { RuleBook } from '@corridor/rules';
import { checkCandidate, type MatchingOptions, PlacementChanges, placementFields } from './match-vacancy.ts';
import { assembleRound, instanceOf, matchAssembled, roundOptions } from './round-instance.ts';
import { type CohortPage, type PageLists, RoundLists, type RoundVacancyRow, type TraineeList } from './round-lists.ts';
import { defaultRoundThreads, RoundThreads } from './round-threads.ts';

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
}

export type RunRoundOutcome =
  /** `instance` is the round as deferred acceptance saw it, for checkers such as `findBlockingPairs` (built when first read). */
  | {
      status: 'done';
      result: MatchRoundResult;
      instance: RoundInstance;
      /**
       * Exact pair checks run to build the lists and the evaluations of the rules they took (see `PairEvaluation`),
       * slices of the cohort listed (in all, on worker threads), and why the threads could not start, if they could
       * not (the round then listed everything on the job's thread).
       */
      work: { checks: number; evaluations: number; slices: number; slicesOnThreads: number; threadsFailed?: string };
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
 * Lists are built without checking every pair (see round-lists.ts), a page of the cohort at a time, on worker
 * threads beside this one when the cohort is larger than a page (see round-threads.ts).
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
  return database.db.transaction().execute(async (trx): Promise<RunRoundOutcome> => {
    const round = await matchRoundsRepository.lock(trx, roundId);
    if (!round) return { status: 'skipped', reason: 'no such round' };
    if (round.status === 'done') return { status: 'skipped', reason: 'already done' };
    await matchRoundsRepository.markRunning(trx, roundId);

    // Vacancies first (locked, id order, as match.vacancy locks them), then their placements; the cohort is read
    // page by page below.
    const vacancyRows = await matchingRepository.partnershipOpenVacancies(trx, round.partnership_id);
    const placements = await placementsRepository.forVacancies(
      trx,
      vacancyRows.map((v) => v.id),
    );
    // Employers' own orders of candidates take the place of the engine's.
    const statedByVacancy = await roundRankingsRepository.vacancyOrders(
      trx,
      vacancyRows.map((v) => v.id),
    );
    // This thread prepares the round's vacancies when it first lists, after the worker threads (when the cohort takes
    // them) have been sent theirs: both prepare at once (a worker thread was ready 4.8 s into a round of 50,000
    // vacancies, this thread listing meanwhile).
    let ownLists: RoundLists | undefined;
    const roundLists = (): RoundLists =>
      (ownLists ??= new RoundLists(book, vacancyRows as RoundVacancyRow[], placements, { bridges, listLength }));

    // Each trainee's list (see round-lists.ts). The cohort is read in pages and only the lists are kept, so memory
    // grows with the lists, not with the profiles: a cohort of a million fits. Slices of a page go to worker threads
    // while one can take them, else are built on this thread; their lists are put together in order, so where a
    // slice was built does not change the round.
    const threadCount = options.roundThreads ?? defaultRoundThreads();
    let threads: RoundThreads | undefined;
    let starting: Promise<void> | undefined;
    const pages: Promise<PageLists>[] = [];
    let slicesOnThreads = 0;
    let threadsFailed: string | undefined;
    try {
      for await (const trainees of matchingRepository.cohortTraineePages(
        trx,
        round.partnership_id,
        round.cohort,
        pageSize,
      )) {
        // Threads start once the cohort is more than a page (a small round is not worth their start-up), in the
        // background: this thread lists pages until they are ready. If they cannot start, it lists them all.
        if (starting === undefined && threadCount > 0 && trainees.length === pageSize) {
          starting = RoundThreads.start(threadCount, {
            packs: book.packs(),
            vacancyRows: vacancyRows as RoundVacancyRow[],
            placements,
            options: { bridges, listLength },
          }).then(
            (started) => {
              threads = started;
            },
            (error: unknown) => {
              threadsFailed = error instanceof Error ? error.message : String(error);
            },
          );
          if (options.waitForThreads) await starting;
        }
        // In slices, each to a free thread or else built here, so that no thread waits long for work.
        for (let i = 0; i < trainees.length; i += SLICE) {
          const cohort: CohortPage = { trainees: trainees.slice(i, i + SLICE) };
          // A thread's reply is a message: let it in before asking whether a thread is free.
          await yieldToEventLoop();
          if (threads?.available) {
            pages.push(threads.run(pages.length, cohort));
            slicesOnThreads++;
          } else pages.push(Promise.resolve(await roundLists().forPage(cohort, true)));
        }
      }
      // Not Promise.all: a failed slice must not leave the others' rejections unheard.
      const settled = await Promise.allSettled(pages);
      const failed = settled.find((p) => p.status === 'rejected');
      if (failed) throw (failed as PromiseRejectedResult).reason;
    } finally {
      await starting;
      await threads?.close();
    }
    const lists = roundLists();
    const prepared = lists.prepared;

    let checks = 0;
    let evaluations = 0;
    let pairs = 0;
    const traineeLists: TraineeList[] = [];
    for (const page of pages) {
      const built = await page;
      checks += built.checks;
      evaluations += built.evaluations;
      pairs += built.acceptable;
      for (const list of built.lists) traineeLists.push(list);
    }
    // Lists name vacancies by position in `prepared`: they are ranked and matched as arrays (see round-instance.ts).
    const assembled = assembleRound(
      traineeLists,
      prepared.map((v) => ({ id: v.id, capacity: v.capacity, ownOrder: statedByVacancy.get(v.id) })),
    );
    // The lists are copied out: let them go before deferred acceptance builds its own arrays (at a million trainees
    // they are hundreds of megabytes).
    const slices = pages.length;
    pages.length = 0;
    traineeLists.length = 0;
    const outcome = matchAssembled(assembled);

    // Propose the matched pairs, with the full explanation (built for these pairs only).
    const byId = lists.byId;
    // Only the matched trainees' rows are read again, for their explanations.
    const traineeById = new Map<string, TraineeForMatching>();
    const matchedIds = outcome.matches.map((m) => m.traineeId);
    for (let i = 0; i < matchedIds.length; i += COHORT_PAGE)
      for (const row of await matchingRepository.traineesByIds(trx, matchedIds.slice(i, i + COHORT_PAGE)))
        traineeById.set(row.id, row);
    const changes = new PlacementChanges();
    const inserts: Parameters<PlacementChanges['proposeMany']>[1][number][] = [];
    const matches: MatchRoundResult['matches'] = [];
    let n = 0;
    for (const m of outcome.matches) {
      const v = byId.get(m.vacancyId)!;
      const check = checkCandidate(book, traineeById.get(m.traineeId)!, v.pv, bridges);
      if (!check.ok) throw new Error(`round pair ${m.traineeId} → ${m.vacancyId} no longer passes its checks`);
      const [explained] = rankCandidates(v.pv.vacancy, [check.candidate], { prefiltered: true, limit: 1, bridges });
      const fields = placementFields(explained!, check.packVersions, {
        source: 'round',
        match_round_id: roundId,
        rank: null,
      });
      const held = v.held.get(m.traineeId);
      if (!held) inserts.push({ vacancyId: m.vacancyId, traineeId: m.traineeId, fields });
      else if (held.status === 'withdrawn') await changes.repropose(trx, { ...held, vacancy_id: m.vacancyId }, fields);
      else if (held.status === 'proposed') await changes.refresh(trx, held, fields);
      // Accepted by one side already: people are deciding; the round's match only confirms the pair.
      matches.push({
        traineeId: m.traineeId,
        vacancyId: m.vacancyId,
        score: explained!.score,
        placementId: held?.id ?? null,
      });
      if (++n % 1_000 === 0) await yieldToEventLoop();
    }
    const ids = await changes.proposeMany(trx, inserts);
    for (const m of matches)
      if (m.placementId === null) m.placementId = ids.get(`${m.vacancyId} ${m.traineeId}`) ?? null;
    await changes.flush(trx);

    const listed = roundOptions(assembled);
    const result: MatchRoundResult = {
      matches,
      unfilled: outcome.unfilled.map((u) => ({ ...u, candidates: listed.candidates[byId.get(u.vacancyId)!.index]! })),
      unmatchedTrainees: outcome.unmatchedTrainees,
      stats: {
        trainees: assembled.traineeIds.length,
        vacancies: prepared.length,
        places: prepared.reduce((sum, v) => sum + v.capacity, 0),
        eligiblePairs: pairs,
        proposals: outcome.stats.proposals,
        traineesWithoutOptions: listed.traineesWithoutOptions,
      },
    };
    await matchRoundsRepository.markDone(trx, roundId, result);
    let instance: RoundInstance | undefined;
    return {
      status: 'done',
      result,
      get instance() {
        instance ??= instanceOf(assembled);
        return instance;
      },
      work: { checks, evaluations, slices, slicesOnThreads, ...(threadsFailed ? { threadsFailed } : {}) },
    };
  });
}

/** Trainees read at a time. */
const COHORT_PAGE = 2_000;
/** Trainees listed at a time, on one thread. */
const SLICE = 250;
