import { type Database, DECIDED_PLACEMENT_STATUSES, matchingRepository, placementsRepository } from '@corridor/db';
import { DEFAULT_OCCUPATION_BRIDGES, scorePair } from '@corridor/matching';
import { yieldToEventLoop } from '@corridor/queue';
import type { RuleBook } from '@corridor/rules';
import {
  checkCandidate,
  defaultShortlistSize,
  type MatchingOptions,
  type MatchVacancyOutcome,
  matchVacancy,
  prepareMatchVacancy,
  type VacancyForMatching,
} from './match-vacancy.ts';

export interface MatchTraineeOutcome {
  traineeId: string;
  /** Open vacancies the reverse prefilter returned. */
  prefiltered: number;
  /** Vacancies whose shortlist was re-run, in id order. */
  rerun: MatchVacancyOutcome[];
}

const OPEN = new Set(['proposed', 'accepted_by_employer', 'accepted_by_trainee']);
const DECIDED = DECIDED_PLACEMENT_STATUSES;

/**
 * match.trainee: a trainee was created, changed, erased, or their eligibility flipped.
 *
 * A vacancy's shortlist is one ranked list, so a trainee's proposals cannot be decided alone: entering a shortlist
 * pushes someone else out. So this job finds the affected vacancies and re-runs each vacancy's own match, with the
 * same reconcile rules and the same result as `match.vacancy`:
 * - every vacancy where the trainee holds an open proposal (it may need a new score, or a withdrawal with reason);
 * - every open vacancy the trainee now qualifies for (reverse SQL prefilter, then the exact checks in memory) and
 *   would enter: the shortlist has room, or the trainee scores at least its weakest proposal.
 * Each vacancy runs in its own transaction, in vacancy id order; a retry re-runs only what is still different.
 */
export async function matchTrainee(
  database: Database,
  book: RuleBook,
  traineeId: string,
  options: MatchingOptions = {},
): Promise<MatchTraineeOutcome> {
  const { affected, prefiltered } = await vacanciesAffectedBy(database, book, traineeId, options);
  const rerun: MatchVacancyOutcome[] = [];
  for (const vacancyId of [...affected].sort()) {
    const outcome = await matchVacancy(database, book, vacancyId, options);
    if (outcome) rerun.push(outcome);
  }
  return { traineeId, prefiltered, rerun };
}

/**
 * match.trainees: many trainees at once (a bulk import's chunk). The same as match.trainee for each, except that a
 * vacancy several of them would enter is re-run once for all of them, not once per trainee: a cohort of 500 nurses
 * uploaded for one hospital costs one shortlist run, not 500.
 */
export async function matchTrainees(
  database: Database,
  book: RuleBook,
  traineeIds: readonly string[],
  options: MatchingOptions = {},
): Promise<{ trainees: number; rerun: MatchVacancyOutcome[] }> {
  const affected = new Set<string>();
  for (const id of traineeIds) {
    for (const v of (await vacanciesAffectedBy(database, book, id, options)).affected) affected.add(v);
    await yieldToEventLoop();
  }
  const rerun: MatchVacancyOutcome[] = [];
  for (const vacancyId of [...affected].sort()) {
    const outcome = await matchVacancy(database, book, vacancyId, options);
    if (outcome) rerun.push(outcome);
  }
  return { trainees: traineeIds.length, rerun };
}

/** The vacancies whose shortlist the trainee's current data can change (see matchTrainee). */
async function vacanciesAffectedBy(
  database: Database,
  book: RuleBook,
  traineeId: string,
  options: MatchingOptions,
): Promise<{ affected: Set<string>; prefiltered: number }> {
  const bridges = options.bridges ?? DEFAULT_OCCUPATION_BRIDGES;
  const shortlistSize = options.shortlistSize ?? defaultShortlistSize;
  const [trainee] = await matchingRepository.traineesByIds(database.db, [traineeId]);
  const placements = await placementsRepository.forTrainee(database.db, traineeId);
  const affected = new Set(placements.filter((p) => OPEN.has(p.status)).map((p) => p.vacancy_id));
  const decided = new Set(placements.filter((p) => DECIDED.has(p.status)).map((p) => p.vacancy_id));
  let prefiltered = 0;

  if (trainee && trainee.status === 'active') {
    const isco = trainee.profile.occupation.isco08;
    const occupations = [isco, ...bridges.filter((b) => b.from === isco).map((b) => b.to)];
    const vacancies = await matchingRepository.openVacanciesForTrainee(database.db, {
      occupations: [...new Set(occupations)],
      destinations: trainee.profile.preferences?.destinations ?? [],
      earliestStart: trainee.profile.preferences?.earliestStart ?? null,
    });
    prefiltered = vacancies.length;
    const scored: { vacancyId: string; headcount: number; score: number }[] = [];
    for (let i = 0; i < vacancies.length; i++) {
      const v = vacancies[i]!;
      if (affected.has(v.id) || decided.has(v.id)) continue;
      // Places already filled are checked exactly when the vacancy re-runs; here an optimistic 0 only costs a re-run.
      const pv = prepareMatchVacancy(v as VacancyForMatching, 0);
      if (!pv) continue;
      const check = checkCandidate(book, trainee, pv, bridges);
      if (!check.ok) continue;
      scored.push({
        vacancyId: v.id,
        headcount: v.headcount,
        score: scorePair(check.candidate, pv.vacancy, undefined, { bridges }).score,
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
      if (enters) affected.add(s.vacancyId);
    }
  }
  return { affected, prefiltered };
}
