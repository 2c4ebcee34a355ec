import {
  type Database,
  type MatchRoundResult,
  matchingRepository,
  matchRoundsRepository,
  type PlacementStatus,
  placementsRepository,
} from '@corridor/db';
import {
  DEFAULT_OCCUPATION_BRIDGES,
  type RoundInstance,
  type RoundTrainee,
  type RoundVacancy,
  runMatchRound,
  scorePair,
} from '@corridor/matching';
import { yieldToEventLoop } from '@corridor/queue';
import type { RuleBook } from '@corridor/rules';
import {
  checkCandidate,
  type MatchingOptions,
  PlacementChanges,
  placementFields,
  prepareMatchVacancy,
  type VacancyForMatching,
} from './match-vacancy.ts';

/** Longest list a trainee submits, as in the NRMP's practical limit; the engine's order fills it. */
export const ROUND_LIST_LENGTH = 20;

const FILLED = new Set<PlacementStatus>([
  'matched',
  'visa_lodged',
  'visa_granted',
  'arrived',
  'licensed',
  'retained_12m',
]);

export type RunRoundOutcome =
  /** `instance` is the round as deferred acceptance saw it, for checkers such as `findBlockingPairs`. */
  { status: 'done'; result: MatchRoundResult; instance: RoundInstance } | { status: 'skipped'; reason: string };

/**
 * match.round: many-to-one, trainee-proposing deferred acceptance over a cohort's trainees and the partnership's
 * open vacancies (capacity = headcount − places filled). Eligibility and every hard filter are hard constraints:
 * only pairs that pass them are ranked at all. Trainees rank vacancies in the engine's order (score, then vacancy
 * id), keeping their best 20; vacancies rank trainees by score, then trainee id. Pairs a person declined, and
 * trainees already matched anywhere, are left out. Matched pairs are proposed as placements (source `round`), and
 * the result is stored with the round, all in one transaction: a crash leaves the round to be re-run whole.
 * Deterministic: inputs are sorted by id, so the same data gives the same matching.
 */
export async function runRound(
  database: Database,
  book: RuleBook,
  roundId: string,
  options: MatchingOptions = {},
): Promise<RunRoundOutcome> {
  const bridges = options.bridges ?? DEFAULT_OCCUPATION_BRIDGES;
  return database.db.transaction().execute(async (trx): Promise<RunRoundOutcome> => {
    const round = await matchRoundsRepository.lock(trx, roundId);
    if (!round) return { status: 'skipped', reason: 'no such round' };
    if (round.status === 'done') return { status: 'skipped', reason: 'already done' };
    await matchRoundsRepository.markRunning(trx, roundId);

    // Vacancies first (locked, id order, as match.vacancy locks them), then their placements and the cohort.
    const vacancyRows = await matchingRepository.partnershipOpenVacancies(trx, round.partnership_id);
    const trainees = await matchingRepository.cohortTrainees(trx, round.partnership_id, round.cohort);
    const placementsByVacancy = new Map<string, Awaited<ReturnType<typeof placementsRepository.forVacancy>>>();
    for (const v of vacancyRows) placementsByVacancy.set(v.id, await placementsRepository.forVacancy(trx, v.id));
    const alreadyMatched = new Set<string>();
    for (const t of trainees) {
      const mine = await placementsRepository.forTrainee(trx, t.id);
      if (mine.some((p) => FILLED.has(p.status))) alreadyMatched.add(t.id);
    }

    const prepared = vacancyRows.flatMap((row) => {
      const existing = placementsByVacancy.get(row.id) ?? [];
      const filled = existing.filter((p) => FILLED.has(p.status)).length;
      const pv = prepareMatchVacancy(row as VacancyForMatching, filled);
      return pv ? [{ pv, existing, capacity: Math.max(0, row.headcount - filled) }] : [];
    });

    // Score every acceptable pair once.
    type Pair = { traineeId: string; vacancyId: string; score: number };
    const pairs: Pair[] = [];
    const details = new Map<
      string,
      {
        score: ReturnType<typeof scorePair>;
        packVersions: Record<string, string>;
        pathways: { pathwayId: string; status: 'eligible' | 'conditionally_eligible' }[];
      }
    >();
    let work = 0;
    for (const t of trainees) {
      if (alreadyMatched.has(t.id)) continue;
      for (const { pv, existing } of prepared) {
        const held = existing.find((p) => p.trainee_id === t.id);
        if (held && held.status === 'declined') continue;
        const check = checkCandidate(book, t, pv, bridges);
        if (!check.ok) continue;
        const score = scorePair(check.candidate, pv.vacancy, undefined, { bridges });
        const accepted = new Set(pv.vacancy.pathways);
        const pathways = check.candidate.pathways.flatMap((p) =>
          accepted.has(p.pathwayId) && (p.status === 'eligible' || p.status === 'conditionally_eligible')
            ? [{ pathwayId: p.pathwayId, status: p.status }]
            : [],
        );
        pairs.push({ traineeId: t.id, vacancyId: pv.vacancy.id, score: score.score });
        details.set(`${t.id}|${pv.vacancy.id}`, { score, packVersions: check.packVersions, pathways });
        if (++work % 1_000 === 0) await yieldToEventLoop();
      }
    }

    const byScore = (a: Pair, b: Pair, tie: (p: Pair) => string) =>
      b.score - a.score || (tie(a) < tie(b) ? -1 : tie(a) > tie(b) ? 1 : 0);
    const roundTrainees: RoundTrainee[] = [];
    const pairsByTrainee = new Map<string, Pair[]>();
    for (const p of pairs) pairsByTrainee.set(p.traineeId, [...(pairsByTrainee.get(p.traineeId) ?? []), p]);
    for (const t of trainees) {
      if (alreadyMatched.has(t.id)) continue;
      const list = (pairsByTrainee.get(t.id) ?? []).sort((a, b) => byScore(a, b, (p) => p.vacancyId));
      roundTrainees.push({ id: t.id, ranking: list.slice(0, ROUND_LIST_LENGTH).map((p) => p.vacancyId) });
    }
    const roundVacancies: RoundVacancy[] = prepared.map(({ pv, capacity }) => {
      const list = pairs.filter((p) => p.vacancyId === pv.vacancy.id).sort((a, b) => byScore(a, b, (p) => p.traineeId));
      return { id: pv.vacancy.id, capacity, ranking: new Map(list.map((p, i) => [p.traineeId, i])) };
    });
    const instance: RoundInstance = { trainees: roundTrainees, vacancies: roundVacancies };
    const outcome = runMatchRound(instance);

    // Propose the matched pairs.
    const changes = new PlacementChanges();
    const matches: MatchRoundResult['matches'] = [];
    for (const m of outcome.matches) {
      const d = details.get(`${m.traineeId}|${m.vacancyId}`)!;
      const fields = placementFields({ ...d.score, pathways: d.pathways }, d.packVersions, {
        source: 'round',
        match_round_id: roundId,
        rank: null,
      });
      const held = (placementsByVacancy.get(m.vacancyId) ?? []).find((p) => p.trainee_id === m.traineeId);
      let placementId: string | null = held?.id ?? null;
      if (!held) placementId = await changes.propose(trx, m.vacancyId, m.traineeId, fields);
      else if (held.status === 'withdrawn') await changes.repropose(trx, { ...held, vacancy_id: m.vacancyId }, fields);
      else if (held.status === 'proposed') await changes.refresh(trx, held, fields);
      // Accepted by one side already: people are deciding; the round's match only confirms the pair.
      matches.push({ traineeId: m.traineeId, vacancyId: m.vacancyId, score: d.score.score, placementId });
    }
    await changes.flush(trx);

    const result: MatchRoundResult = {
      matches,
      unfilled: outcome.unfilled,
      unmatchedTrainees: outcome.unmatchedTrainees,
      stats: {
        trainees: roundTrainees.length,
        vacancies: roundVacancies.length,
        places: roundVacancies.reduce((n, v) => n + v.capacity, 0),
        eligiblePairs: pairs.length,
        proposals: outcome.stats.proposals,
      },
    };
    await matchRoundsRepository.markDone(trx, roundId, result);
    return { status: 'done', result, instance };
  });
}
