import {
  type Database,
  DECIDED_PLACEMENT_STATUSES,
  languageLevelTokens,
  matchingRepository,
  placementsRepository,
  type TraineeForMatching,
} from '@corridor/db';
import { DEFAULT_OCCUPATION_BRIDGES, occupationsOpenTo, rankCandidates, vacancyScorer } from '@corridor/matching';
import { yieldToEventLoop } from '@corridor/queue';
import type { RuleBook } from '@corridor/rules';
import {
  belowShortlistReason,
  checkCandidate,
  defaultShortlistSize,
  filledPlaces,
  type MatchingOptions,
  type MatchVacancyOutcome,
  matchVacancy,
  PlacementChanges,
  placementFields,
  prepareMatchVacancy,
  satisfiableLanguageTokens,
  type VacancyForMatching,
} from './match-vacancy.ts';

export interface MatchTraineeOutcome {
  traineeId: string;
  /** Open vacancies the reverse prefilter returned. */
  prefiltered: number;
  /** Vacancies whose shortlist was re-run in full (the trainee held an open proposal there), in id order. */
  rerun: MatchVacancyOutcome[];
  /** Shortlists the trainee entered directly, and what that changed. */
  entered: ShortlistEntryOutcome;
}

export interface ShortlistEntryOutcome {
  /** Vacancies whose shortlist took at least one entrant. */
  vacancies: number;
  proposed: number;
  reproposed: number;
  /** Proposals pushed out of a full shortlist by an entrant. */
  withdrawn: number;
}

const OPEN = new Set(['proposed', 'accepted_by_employer', 'accepted_by_trainee']);
const DECIDED = DECIDED_PLACEMENT_STATUSES;
/** Vacancies locked and written per transaction when a trainee enters many shortlists. */
const ENTRY_BATCH = 500;

/**
 * match.trainee: a trainee was created, changed, erased, or their eligibility flipped.
 *
 * - Where the trainee holds an open proposal, the vacancy's whole match is re-run (`match.vacancy`): the proposal
 *   may need a new score, or a withdrawal with its reason, and a place it frees goes to the next best person.
 * - Every other open vacancy the trainee now qualifies for (reverse SQL prefilter, exact checks in memory) and
 *   would enter (the shortlist has room, or the trainee scores at least its weakest proposal) takes the trainee
 *   directly: the shortlist is already the best of everyone else, so entering it only inserts the trainee at
 *   their rank, moves the ones below down and, if it was full, withdraws the last. No other trainee is read,
 *   so a trainee who qualifies for 3,000 vacancies costs a few batched statements, not 3,000 full matches.
 */
export async function matchTrainee(
  database: Database,
  book: RuleBook,
  traineeId: string,
  options: MatchingOptions = {},
): Promise<MatchTraineeOutcome> {
  const plan = await planFor(database, book, traineeId, options);
  const rerun: MatchVacancyOutcome[] = [];
  for (const vacancyId of [...plan.rerun].sort()) {
    const outcome = await matchVacancy(database, book, vacancyId, options);
    if (outcome) rerun.push(outcome);
  }
  const entries = new Map<string, TraineeForMatching[]>();
  if (plan.trainee) for (const v of plan.enter) entries.set(v, [plan.trainee]);
  const entered = await enterShortlists(database, book, entries, options);
  return { traineeId, prefiltered: plan.prefiltered, rerun, entered };
}

/**
 * match.trainees: many trainees at once (a bulk import's chunk). The same as match.trainee for each, except that
 * each vacancy is visited once for all of them: a vacancy several of them hold proposals in is re-run once, and
 * the entrants into one shortlist are merged into it together (a cohort of 500 nurses uploaded for one hospital
 * is one shortlist update, not 500).
 */
export async function matchTrainees(
  database: Database,
  book: RuleBook,
  traineeIds: readonly string[],
  options: MatchingOptions = {},
): Promise<{
  trainees: number;
  rerun: MatchVacancyOutcome[];
  entered: ShortlistEntryOutcome;
  /** The partnerships' cohorts the trainees are in ("partnershipId cohort"): their round lists are due. */
  cohorts: string[];
}> {
  const rerunIds = new Set<string>();
  const entries = new Map<string, TraineeForMatching[]>();
  const cohorts = new Set<string>();
  for (const id of traineeIds) {
    const plan = await planFor(database, book, id, options);
    for (const v of plan.rerun) rerunIds.add(v);
    if (plan.trainee?.partnership_id && plan.trainee.cohort)
      cohorts.add(`${plan.trainee.partnership_id} ${plan.trainee.cohort}`);
    if (plan.trainee) {
      for (const v of plan.enter) {
        const list = entries.get(v);
        if (list) list.push(plan.trainee);
        else entries.set(v, [plan.trainee]);
      }
    }
    await yieldToEventLoop();
  }
  const rerun: MatchVacancyOutcome[] = [];
  for (const vacancyId of [...rerunIds].sort()) {
    entries.delete(vacancyId); // the full re-run reads every trainee, entrants included
    const outcome = await matchVacancy(database, book, vacancyId, options);
    if (outcome) rerun.push(outcome);
  }
  const entered = await enterShortlists(database, book, entries, options);
  return { trainees: traineeIds.length, rerun, entered, cohorts: [...cohorts].sort() };
}

interface TraineePlan {
  trainee: TraineeForMatching | undefined;
  /** Vacancies where the trainee holds an open proposal: re-run in full. */
  rerun: Set<string>;
  /** Vacancies the trainee would enter. */
  enter: string[];
  prefiltered: number;
}

/** What the trainee's current data can change (see matchTrainee). */
async function planFor(
  database: Database,
  book: RuleBook,
  traineeId: string,
  options: MatchingOptions,
): Promise<TraineePlan> {
  const bridges = options.bridges ?? DEFAULT_OCCUPATION_BRIDGES;
  const shortlistSize = options.shortlistSize ?? defaultShortlistSize;
  const [trainee] = await matchingRepository.traineesByIds(database.db, [traineeId]);
  const placements = await placementsRepository.forTrainee(database.db, traineeId);
  const rerun = new Set(placements.filter((p) => OPEN.has(p.status)).map((p) => p.vacancy_id));
  const decided = new Set(placements.filter((p) => DECIDED.has(p.status)).map((p) => p.vacancy_id));
  const enter: string[] = [];
  let prefiltered = 0;

  if (trainee && trainee.status === 'active') {
    const vacancies = await matchingRepository.openVacanciesForTrainee(database.db, {
      occupations: occupationsOpenTo(trainee.profile.occupation.isco08, bridges),
      destinations: trainee.profile.preferences?.destinations ?? [],
      earliestStart: trainee.profile.preferences?.earliestStart ?? null,
      languageTokens: satisfiableLanguageTokens(languageLevelTokens(trainee.profile.languages)),
    });
    prefiltered = vacancies.length;
    const scored: { vacancyId: string; headcount: number; score: number }[] = [];
    for (let i = 0; i < vacancies.length; i++) {
      const v = vacancies[i]!;
      if (rerun.has(v.id) || decided.has(v.id)) continue;
      // Places already filled are checked exactly when the trainee enters; here an optimistic 0 costs nothing.
      const pv = prepareMatchVacancy(v as VacancyForMatching, 0);
      if (!pv) continue;
      const check = checkCandidate(book, trainee, pv, bridges, { reasons: false, manyVacancies: true });
      if (!check.ok) continue;
      scored.push({
        vacancyId: v.id,
        headcount: v.headcount,
        score: vacancyScorer(pv.vacancy, { bridges }).score(check.candidate),
      });
      if (i % 500 === 499) await yieldToEventLoop();
    }
    const edges = new Map(
      (
        await matchingRepository.shortlistEdges(
          database.db,
          scored.map((s) => s.vacancyId),
        )
      ).map((e) => [e.vacancyId, e]),
    );
    for (const s of scored) {
      const edge = edges.get(s.vacancyId);
      const enters =
        !edge || edge.count < shortlistSize(s.headcount) || (edge.minScore !== null && s.score >= edge.minScore);
      if (enters) enter.push(s.vacancyId);
    }
  }
  return { trainee, rerun, enter, prefiltered };
}

/**
 * Merges entrants into shortlists, ENTRY_BATCH vacancies per transaction with the vacancies locked (in id order, as
 * match.vacancy locks them). Each entrant is checked again against the locked vacancy (it may have filled or
 * closed since); the shortlist's stored scores are the ranking the last match wrote, and ties break by trainee id,
 * as a full match breaks them.
 */
async function enterShortlists(
  database: Database,
  book: RuleBook,
  entries: ReadonlyMap<string, readonly TraineeForMatching[]>,
  options: MatchingOptions,
): Promise<ShortlistEntryOutcome> {
  const bridges = options.bridges ?? DEFAULT_OCCUPATION_BRIDGES;
  const shortlistSize = options.shortlistSize ?? defaultShortlistSize;
  const outcome: ShortlistEntryOutcome = { vacancies: 0, proposed: 0, reproposed: 0, withdrawn: 0 };
  const ids = [...entries.keys()].sort();
  for (let from = 0; from < ids.length; from += ENTRY_BATCH) {
    const batch = ids.slice(from, from + ENTRY_BATCH);
    await database.db.transaction().execute(async (trx) => {
      const rows = await matchingRepository.lockVacancies(trx, batch);
      const placements = await placementsRepository.forVacancies(trx, batch);
      const byVacancy = new Map<string, typeof placements>();
      for (const p of placements) {
        const list = byVacancy.get(p.vacancy_id);
        if (list) list.push(p);
        else byVacancy.set(p.vacancy_id, [p]);
      }
      const changes = new PlacementChanges();
      const inserts: Parameters<PlacementChanges['proposeMany']>[1][number][] = [];
      const ranks: { id: string; rank: number }[] = [];
      for (const row of rows) {
        const existing = byVacancy.get(row.id) ?? [];
        const pv = prepareMatchVacancy(row as VacancyForMatching, filledPlaces(existing));
        if (!pv) continue;
        const limit = shortlistSize(pv.vacancy.headcount);
        const scorer = vacancyScorer(pv.vacancy, { bridges });
        const held = new Map(existing.map((p) => [p.trainee_id, p]));
        const ranked: Ranked[] = [];
        for (const t of entries.get(row.id) ?? []) {
          const h = held.get(t.id);
          // An open proposal is re-run in full instead; a decided pair stays out of the shortlist.
          if (h && h.status !== 'withdrawn') continue;
          const check = checkCandidate(book, t, pv, bridges, { reasons: false });
          if (!check.ok) continue;
          ranked.push({ traineeId: t.id, score: scorer.score(check.candidate), entrant: { check, held: h } });
        }
        if (ranked.length === 0) continue;
        for (const p of existing)
          if (p.status === 'proposed' && p.source === 'shortlist')
            ranked.push({ traineeId: p.trainee_id, score: p.score, placement: p });
        ranked.sort((a, b) => b.score - a.score || (a.traineeId < b.traineeId ? -1 : 1));
        let took = false;
        for (let i = 0; i < ranked.length; i++) {
          const r = ranked[i]!;
          if (r.entrant) {
            if (i >= limit) continue;
            took = true;
            const [explained] = rankCandidates(pv.vacancy, [r.entrant.check.candidate], {
              prefiltered: true,
              limit: 1,
              bridges,
            });
            const fields = placementFields(explained!, r.entrant.check.packVersions, {
              source: 'shortlist',
              match_round_id: null,
              rank: i + 1,
            });
            if (r.entrant.held) await changes.repropose(trx, { ...r.entrant.held, vacancy_id: row.id }, fields);
            else inserts.push({ vacancyId: row.id, traineeId: r.traineeId, fields });
          } else if (r.placement) {
            if (i < limit) {
              if (r.placement.rank !== i + 1) ranks.push({ id: r.placement.id, rank: i + 1 });
            } else {
              await changes.withdraw(
                trx,
                { ...r.placement, vacancy_id: row.id },
                belowShortlistReason(limit, pv.vacancy.headcount),
                ['shortlist'],
              );
            }
          }
        }
        if (took) outcome.vacancies++;
      }
      await changes.proposeMany(trx, inserts);
      await placementsRepository.setRanks(trx, ranks);
      await changes.flush(trx);
      outcome.proposed += changes.proposed;
      outcome.reproposed += changes.reproposed;
      outcome.withdrawn += changes.withdrawn;
    });
  }
  return outcome;
}

interface Ranked {
  traineeId: string;
  score: number;
  entrant?: {
    check: Extract<ReturnType<typeof checkCandidate>, { ok: true }>;
    held: Awaited<ReturnType<typeof placementsRepository.forVacancies>>[number] | undefined;
  };
  placement?: Awaited<ReturnType<typeof placementsRepository.forVacancies>>[number];
}
