import {
  type Database,
  languageLevelTokens,
  type MatchRoundResult,
  matchingRepository,
  matchRoundsRepository,
  minimumLanguageTokens,
  placementsRepository,
  roundRankingsRepository,
  type TraineeForMatching,
} from '@corridor/db';
import type { CefrLevelCode } from '@corridor/domain';
import {
  DEFAULT_OCCUPATION_BRIDGES,
  experienceMonthsWithin,
  type MatchCandidate,
  occupationsOpenTo,
  type RoundInstance,
  type RoundTrainee,
  type RoundVacancy,
  rankCandidates,
  runMatchRound,
  type VacancyScorer,
  vacancyScorer,
} from '@corridor/matching';
import { yieldToEventLoop } from '@corridor/queue';
import type { RuleBook } from '@corridor/rules';
import {
  checkCandidate,
  closedToTrainee,
  filledPlaces,
  type MatchingOptions,
  PlacementChanges,
  type PreparedMatchVacancy,
  placementFields,
  prepareMatchVacancy,
  ShortlistEdge,
  safeguardListCloses,
  satisfiableLanguageTokens,
  type VacancyForMatching,
} from './match-vacancy.ts';

/** Longest list a trainee submits, as in the NRMP's practical limit; the engine's order fills it. */
export const ROUND_LIST_LENGTH = 20;

export type RunRoundOutcome =
  /** `instance` is the round as deferred acceptance saw it, for checkers such as `findBlockingPairs`. */
  { status: 'done'; result: MatchRoundResult; instance: RoundInstance } | { status: 'skipped'; reason: string };

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
 * A trainee's list is built without checking every vacancy: the ones they could take at all (occupation,
 * preferred destination, availability, languages: plain comparisons) are ordered by their best possible score
 * (`vacancyScorer.upperBound`) and checked exactly (rules with each offer as of its start date) until the list
 * is full and nobody unchecked could enter it, as match.vacancy builds a shortlist. Vacancies whose offer closes
 * every pathway they accept (`RuleBook.offerBlockers`) are never checked.
 */
export async function runRound(
  database: Database,
  book: RuleBook,
  roundId: string,
  options: MatchingOptions & { roundListLength?: number } = {},
): Promise<RunRoundOutcome> {
  const bridges = options.bridges ?? DEFAULT_OCCUPATION_BRIDGES;
  const listLength = options.roundListLength ?? ROUND_LIST_LENGTH;
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
    const placementsByVacancy = new Map<string, Map<string, (typeof placements)[number]>>();
    for (const p of placements) {
      let m = placementsByVacancy.get(p.vacancy_id);
      if (!m) {
        m = new Map();
        placementsByVacancy.set(p.vacancy_id, m);
      }
      m.set(p.trainee_id, p);
    }

    const prepared: PreparedRoundVacancy[] = [];
    // Open vacancies a trainee could take at all, by occupation and destination, then grouped by what their score's
    // upper bound reads (VacancyScorer.boundKey): a trainee's bound is computed once per group, not per vacancy.
    const buckets = new Map<string, FeatureClass[]>();
    const groups = new Map<string, BoundGroup>();
    const destinations = new Set<string>();
    for (const row of vacancyRows) {
      const held = placementsByVacancy.get(row.id) ?? new Map();
      const filled = filledPlaces([...held.values()]);
      const pv = prepareMatchVacancy(row as VacancyForMatching, filled);
      if (!pv) continue;
      const scorer = vacancyScorer(pv.vacancy, { bridges });
      const v: PreparedRoundVacancy = {
        pv,
        held,
        capacity: Math.max(0, row.headcount - filled),
        scorer,
        proposers: [],
        proposerScores: [],
      };
      prepared.push(v);
      if (
        book.offerBlockers(pv.offer, { asOf: pv.startDate, pathways: pv.vacancy.pathways }).length ===
        pv.vacancy.pathways.length
      )
        continue;
      let group = groups.get(scorer.boundKey);
      if (!group) {
        group = {
          scorer,
          required: minimumLanguageTokens(pv.vacancy.requirements?.languages ?? []),
          members: [],
          cells: [],
          window: '',
          lowestId: pv.vacancy.id,
        };
        groups.set(scorer.boundKey, group);
      }
      group.members.push(v);
      if (pv.vacancy.id < group.lowestId) group.lowestId = pv.vacancy.id;
      destinations.add(pv.vacancy.destination);
    }
    // Cells of one start date, set of pathways and kind of vacancy (for the WHO list), earliest first: a person's own
    // blockers and the safeguard list close or open a cell whole. Each cell's combination and kind are numbered, so
    // a trainee's answers are kept in two small arrays.
    const combinations = new Map<string, number>();
    const kinds = new Map<string, number>();
    const numbered = (map: Map<string, number>, key: string): number => {
      let n = map.get(key);
      if (n === undefined) {
        n = map.size;
        map.set(key, n);
      }
      return n;
    };
    for (const group of groups.values()) {
      const cells = new Map<string, Cell>();
      for (const v of group.members) {
        const key = `${v.pv.combination}#${v.pv.safeguardKind}`;
        const cell = cells.get(key);
        if (cell) cell.members.push(v);
        else
          cells.set(key, {
            startDate: v.pv.startDate,
            representative: v.pv,
            combination: numbered(combinations, v.pv.combination),
            kind: numbered(kinds, v.pv.safeguardKind),
            members: [v],
          });
      }
      group.cells = [...cells.values()].sort((a, b) => compareIds(a.startDate, b.startDate));
      group.window = `${group.cells[0]!.startDate}|${group.cells[group.cells.length - 1]!.startDate}`;
      // All featuresOf reads of a vacancy: its occupation, destination and languages, and the dates (experience).
      const first = group.members[0]!.pv.vacancy;
      const featureKey = `${first.isco08}|${first.destination}|${[...group.required].sort().join(',')}|${group.window}`;
      const bucketKey = `${first.isco08}|${first.destination}`;
      let bucket = buckets.get(bucketKey);
      if (!bucket) {
        bucket = [];
        buckets.set(bucketKey, bucket);
      }
      let featureClass = bucket.find((c) => c.key === featureKey);
      if (!featureClass) {
        const [from, to] = group.window.split('|') as [string, string];
        featureClass = { key: featureKey, required: group.required, from, to, groups: [] };
        bucket.push(featureClass);
      }
      featureClass.groups.push(group);
    }
    const preparedById = new Map(prepared.map((v) => [v.pv.vacancy.id, v]));
    // Employers' own orders of candidates take the place of the engine's.
    const statedByVacancy = (
      await roundRankingsRepository.forRound(
        trx,
        [],
        prepared.map((v) => v.pv.vacancy.id),
      )
    ).vacancies;

    // Each trainee's list: their stated order, or else their best acceptable vacancies by exact score. The cohort is
    // read in pages and only the lists are kept (vacancy references and scores), so memory grows with the lists,
    // not with the profiles: a cohort of a million fits.
    type Listed = { v: PreparedRoundVacancy; score: number };
    const roundTrainees: RoundTrainee[] = [];
    let checks = 0;
    let pairs = 0;
    for await (const page of matchingRepository.cohortTraineePages(
      trx,
      round.partnership_id,
      round.cohort,
      COHORT_PAGE,
    )) {
      const ids = page.map((t) => t.id);
      const alreadyMatched = await placementsRepository.traineesWithPlaces(trx, ids);
      const stated = (await roundRankingsRepository.forRound(trx, ids, [])).trainees;
      for (const t of page) {
        if (alreadyMatched.has(t.id) || t.status !== 'active') continue;
        let listed: Listed[] = [];
        const statedList = stated.get(t.id);
        if (statedList) {
          // In the trainee's own order; a vacancy they may not take (the rules, a hard filter, a place they
          // declined, not in this partnership) is left out, as an NRMP applicant cannot rank a programme that
          // cannot take them.
          for (const id of statedList) {
            if (listed.length >= listLength) break;
            const v = preparedById.get(id);
            if (!v || v.held.get(t.id)?.status === 'declined') continue;
            const check = checkCandidate(book, t, v.pv, bridges, { reasons: false, manyVacancies: true });
            if (check.ok) listed.push({ v, score: v.scorer.score(check.candidate) });
          }
        } else {
          const isco = t.profile.occupation.isco08;
          const occupations = occupationsOpenTo(isco, bridges);
          const preferred = t.profile.preferences?.destinations ?? [];
          const earliest = t.profile.preferences?.earliestStart;
          const levels = languageLevelTokens(t.profile.languages);
          const satisfiable = new Set(satisfiableLanguageTokens(levels));
          // What the bound reads of the trainee, once per class of groups; experience is counted for the class's
          // start dates (see experienceMonthsWithin).
          const reachable: { group: BoundGroup; bound: number; lowestId: string }[] = [];
          for (const occupation of occupations) {
            for (const destination of preferred.length > 0 ? preferred : destinations) {
              for (const featureClass of buckets.get(`${occupation}|${destination}`) ?? []) {
                if (!featureClass.required.every((token) => satisfiable.has(token))) continue;
                const experience = experienceMonthsWithin(
                  t.profile.experience ?? [],
                  featureClass.from,
                  featureClass.to,
                );
                const light = lightCandidate(t.id, isco, levels, t.profile.preferences, experience);
                const f = featureClass.groups[0]!.scorer.featuresOf(light);
                for (const group of featureClass.groups)
                  reachable.push({ group, bound: group.scorer.upperBound(f), lowestId: group.lowestId });
              }
            }
          }
          reachable.sort((a, b) => b.bound - a.bound);
          // The lowest vacancy id among the groups sharing a bound: on an equal score, a vacancy ranks by its id.
          for (let g = 0; g < reachable.length; ) {
            let h = g;
            let lowest = reachable[g]!.group.lowestId;
            while (h < reachable.length && reachable[h]!.bound === reachable[g]!.bound) {
              if (reachable[h]!.group.lowestId < lowest) lowest = reachable[h]!.group.lowestId;
              h++;
            }
            for (; g < h; g++) reachable[g]!.lowestId = lowest;
          }
          // Whether the person's own blockers close a combination, and the WHO list a kind: 0 not asked yet.
          const closedCombination = new Int8Array(combinations.size);
          const closedKind = new Int8Array(kinds.size);
          // Groups by bound, best first, checked until nobody left can enter the list: the remaining vacancies
          // score at most this bound, and on an equal bound have an id no lower than the lowest one sharing it.
          // Within a cell (id order), once an id cannot enter on this bound, no later one can.
          const edge = new ShortlistEdge(listLength);
          walk: for (const { group, bound, lowestId } of reachable) {
            if (edge.settled(bound, lowestId)) break;
            const cells = group.cells;
            for (let c = earliest === undefined ? 0 : firstCellFrom(cells, earliest); c < cells.length; c++) {
              const cell = cells[c]!;
              let closed = closedCombination[cell.combination]!;
              if (closed === 0) {
                closed = closedToTrainee(book, t, cell.representative) ? 2 : 1;
                closedCombination[cell.combination] = closed;
              }
              if (closed === 2) continue;
              closed = closedKind[cell.kind]!;
              if (closed === 0) {
                closed = safeguardListCloses(t, cell.representative) ? 2 : 1;
                closedKind[cell.kind] = closed;
              }
              if (closed === 2) continue;
              for (const v of cell.members) {
                if (edge.settled(bound, v.pv.vacancy.id)) break;
                if (v.held.get(t.id)?.status === 'declined') continue;
                const check = checkCandidate(book, t, v.pv, bridges, { reasons: false, manyVacancies: true });
                if (++checks % 1_000 === 0) await yieldToEventLoop();
                if (!check.ok) continue;
                const score = v.scorer.score(check.candidate);
                listed.push({ v, score });
                edge.offer(score, v.pv.vacancy.id);
                if (edge.settled(bound, lowestId)) break walk;
              }
            }
          }
          pairs += listed.length;
          listed.sort((a, b) => b.score - a.score || compareIds(a.v.pv.vacancy.id, b.v.pv.vacancy.id));
          listed = listed.slice(0, listLength);
        }
        if (statedList) pairs += listed.length;
        roundTrainees.push({ id: t.id, ranking: listed.map((l) => l.v.pv.vacancy.id) });
        for (const l of listed) {
          l.v.proposers.push(t.id);
          l.v.proposerScores.push(l.score);
        }
      }
    }

    const roundVacancies: RoundVacancy[] = prepared.map(({ pv, capacity, proposers, proposerScores }) => {
      const own = statedByVacancy.get(pv.vacancy.id);
      const ranking = new Map<string, number>();
      if (own) {
        // The employer's own order; a trainee it did not rank is not acceptable to it (as in the NRMP).
        const position = new Map(own.map((id, i) => [id, i]));
        for (const id of proposers) {
          const at = position.get(id);
          if (at !== undefined) ranking.set(id, at);
        }
        return { id: pv.vacancy.id, capacity, ranking };
      }
      // By score, then trainee id.
      const order = proposers.map((_, i) => i);
      order.sort((a, b) => proposerScores[b]! - proposerScores[a]! || compareIds(proposers[a]!, proposers[b]!));
      for (let i = 0; i < order.length; i++) ranking.set(proposers[order[i]!]!, i);
      return { id: pv.vacancy.id, capacity, ranking };
    });
    // The lists are in the instance now.
    for (const v of prepared) {
      v.proposers = [];
      v.proposerScores = [];
    }
    const instance: RoundInstance = { trainees: roundTrainees, vacancies: roundVacancies };
    const outcome = runMatchRound(instance);

    // Propose the matched pairs, with the full explanation (built for these pairs only).
    const byId = preparedById;
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

    const result: MatchRoundResult = {
      matches,
      unfilled: outcome.unfilled,
      unmatchedTrainees: outcome.unmatchedTrainees,
      stats: {
        trainees: roundTrainees.length,
        vacancies: roundVacancies.length,
        places: roundVacancies.reduce((sum, v) => sum + v.capacity, 0),
        eligiblePairs: pairs,
        proposals: outcome.stats.proposals,
      },
    };
    await matchRoundsRepository.markDone(trx, roundId, result);
    return { status: 'done', result, instance };
  });
}

interface PreparedRoundVacancy {
  pv: PreparedMatchVacancy;
  held: Map<string, Awaited<ReturnType<typeof placementsRepository.forVacancies>>[number]>;
  capacity: number;
  scorer: VacancyScorer;
  /** Trainees who listed the vacancy, with their scores (parallel arrays: a million lists of 20 stay compact). */
  proposers: string[];
  proposerScores: number[];
}

/** Trainees read and listed at a time. */
const COHORT_PAGE = 2_000;

/** Vacancies of one occupation and destination whose scores share an upper bound (same `boundKey`). */
interface BoundGroup {
  scorer: VacancyScorer;
  /** The group's required language:level tokens (see satisfiableLanguageTokens). */
  required: string[];
  members: PreparedRoundVacancy[];
  /** The members by start date and pathways, earliest first (each in id order). */
  cells: Cell[];
  /** `earliest|latest` start date of the members: the dates experience is bounded over. */
  window: string;
  /** The lowest member id. */
  lowestId: string;
}

/**
 * Groups of one occupation and destination that `VacancyScorer.featuresOf` cannot tell apart (same languages and
 * start-date window): a trainee's features are computed once for all of them.
 */
interface FeatureClass {
  key: string;
  required: string[];
  from: string;
  to: string;
  groups: BoundGroup[];
}

/**
 * A group's vacancies with one start date, set of accepted pathways and kind for the WHO list (see
 * `PreparedMatchVacancy.combination` and `.safeguardKind`), numbered per round.
 */
interface Cell {
  startDate: string;
  /** Any one member: what the person's own blockers and the safeguard list are asked with. */
  representative: PreparedMatchVacancy;
  combination: number;
  kind: number;
  /** In id order. */
  members: PreparedRoundVacancy[];
}

/** The first of the cells (by start date) starting on or after `date`. */
function firstCellFrom(cells: readonly Cell[], date: string): number {
  let lo = 0;
  let hi = cells.length;
  while (lo < hi) {
    const mid = (lo + hi) >>> 1;
    if (cells[mid]!.startDate < date) lo = mid + 1;
    else hi = mid;
  }
  return lo;
}

const compareIds = (a: string, b: string): number => (a < b ? -1 : a > b ? 1 : 0);

/**
 * What `VacancyScorer.featuresOf` reads of a trainee, from their stored values: no rules evaluation. Experience is
 * the most months any start date of the vacancies being bounded counts, so the bound stays above every score.
 */
function lightCandidate(
  id: string,
  isco08: string,
  levels: readonly string[],
  preferences: MatchCandidate['preferences'],
  experience: MatchCandidate['experience'],
): MatchCandidate {
  return {
    traineeId: id,
    isco08,
    residence: '',
    languages: levels.map((token) => {
      const [language, cefr] = token.split(':') as [string, CefrLevelCode];
      return { language, cefr };
    }),
    experience,
    ...(preferences ? { preferences } : {}),
    consentToMatch: true,
    pathways: [],
  };
}
