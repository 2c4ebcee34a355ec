import type { CompiledRound, RoundInstance, RoundResult } from '@corridor/matching';
import { deferredAcceptance, roundResultOf } from '@corridor/matching';
import { compareIds, type TraineeList } from './round-lists.ts';

/**
 * A round's lists put together in integer form for deferred acceptance (`CompiledRound`), without a map keyed by id
 * per list entry: each trainee's list already names vacancies by their position among the round's (see
 * `TraineeList.vacancies`), so a vacancy's candidates are gathered by position, ranked (the employer's own order, or
 * by score, then trainee id), and handed over as arrays. At a million trainees, 4.8M entries went through maps
 * keyed by id three times over (gathering, the vacancies' rankings, compiling them back to positions).
 *
 * Pure: the same lists give the same round, and `matchAssembled(round)` gives the same result as
 * `runMatchRound(instanceOf(round))` (property-tested against it).
 */

/** A vacancy of the round as this needs it: its id, places left and, if its employer stated one, its own order. */
export interface InstanceVacancy {
  id: string;
  capacity: number;
  /** The employer's own order of candidates; those it leaves out are not acceptable to it. */
  ownOrder: readonly string[] | undefined;
}

export interface AssembledRound {
  /** Trainee ids in the cohort's order (position = trainee index). */
  traineeIds: string[];
  vacancies: readonly InstanceVacancy[];
  /** Every list, acceptable entries or not: trainee t's entries are [listStart[t], listStart[t + 1]). */
  listStart: Int32Array;
  listVacancy: Int32Array;
  /** The vacancy's rank of the trainee at each entry; -1 where the employer's own order leaves them out. */
  listRank: Int32Array;
}

/** Every trainee's list as arrays: trainee t's entries are [listStart[t], listStart[t + 1]). */
export interface ListArrays {
  traineeIds: string[];
  listStart: Int32Array;
  /** Positions among the round's vacancies. */
  listVacancy: Int32Array;
  listScore: Float64Array;
}

export function assembleRound(lists: readonly TraineeList[], vacancies: readonly InstanceVacancy[]): AssembledRound {
  let entries = 0;
  for (const list of lists) entries += list.vacancies.length;
  const arrays: ListArrays = {
    traineeIds: new Array(lists.length),
    listStart: new Int32Array(lists.length + 1),
    listVacancy: new Int32Array(entries),
    listScore: new Float64Array(entries),
  };
  let k = 0;
  for (let t = 0; t < lists.length; t++) {
    const list = lists[t]!;
    arrays.traineeIds[t] = list.traineeId;
    arrays.listStart[t] = k;
    for (let j = 0; j < list.vacancies.length; j++, k++) {
      arrays.listVacancy[k] = list.vacancies[j]!;
      arrays.listScore[k] = list.scores[j]!;
    }
  }
  arrays.listStart[lists.length] = k;
  return assembleArrays(arrays, vacancies);
}

/** `assembleRound` over lists already in arrays (a round's stored lists are read straight into them). */
export function assembleArrays(lists: ListArrays, vacancies: readonly InstanceVacancy[]): AssembledRound {
  const { traineeIds, listStart, listVacancy, listScore: score } = lists;
  const entries = listStart[traineeIds.length]!;
  const traineeOf = new Int32Array(entries);
  // Entries per vacancy, then (as running sums) where each vacancy's entries start in `byVacancy`.
  const from = new Int32Array(vacancies.length + 1);
  // Cohort pages come in id order: then a trainee's position breaks ties between equal scores as their id would.
  let inIdOrder = true;
  for (let t = 0; t < traineeIds.length; t++) {
    if (t > 0 && compareIds(traineeIds[t - 1]!, traineeIds[t]!) >= 0) inIdOrder = false;
    for (let e = listStart[t]!; e < listStart[t + 1]!; e++) {
      traineeOf[e] = t;
      from[listVacancy[e]! + 1]!++;
    }
  }
  for (let v = 0; v < vacancies.length; v++) from[v + 1]! += from[v]!;
  const byVacancy = new Int32Array(entries);
  const filled = from.slice(0, vacancies.length);
  // In entry order, so each vacancy's entries are in trainee order.
  for (let e = 0; e < entries; e++) byVacancy[filled[listVacancy[e]!]!++] = e;

  const listRank = new Int32Array(entries).fill(-1);
  const byScore = (a: number, b: number): number =>
    score[b]! - score[a]! || compareIds(traineeIds[traineeOf[a]!]!, traineeIds[traineeOf[b]!]!);
  // In id order, a vacancy's entries come in trainee order, so an entry's rank is the number of its entries with a
  // higher score plus the number before it with the same score: its scores sorted natively (no comparator: a
  // million-trainee round ranks 4.9M entries) and searched.
  let sorted = new Float64Array(256);
  let taken = new Int32Array(256);
  for (let v = 0; v < vacancies.length; v++) {
    const start = from[v]!;
    const end = from[v + 1]!;
    if (start === end) continue;
    const own = vacancies[v]!.ownOrder;
    if (own) {
      // The employer's own order; a trainee it did not rank stays at -1, not acceptable to it (as in the NRMP).
      const position = new Map(own.map((id, i) => [id, i]));
      for (let i = start; i < end; i++) {
        const e = byVacancy[i]!;
        listRank[e] = position.get(traineeIds[traineeOf[e]!]!) ?? -1;
      }
      continue;
    }
    // By score, then trainee id.
    if (!inIdOrder) {
      const order = Array.from(byVacancy.subarray(start, end));
      order.sort(byScore);
      for (let i = 0; i < order.length; i++) listRank[order[i]!] = i;
      continue;
    }
    const m = end - start;
    if (m > sorted.length) {
      sorted = new Float64Array(2 * m);
      taken = new Int32Array(2 * m);
    }
    const scores = sorted.subarray(0, m);
    for (let i = 0; i < m; i++) scores[i] = score[byVacancy[start + i]!]!;
    scores.sort();
    taken.fill(0, 0, m);
    for (let i = start; i < end; i++) {
      const e = byVacancy[i]!;
      const first = firstAtLeast(scores, score[e]!);
      listRank[e] = m - firstAbove(scores, score[e]!, first) + taken[first]!++;
    }
  }
  return { traineeIds, vacancies, listStart, listVacancy, listRank };
}

/** The first position of `sorted` (ascending) holding at least `x`. */
function firstAtLeast(sorted: Float64Array, x: number): number {
  let lo = 0;
  let hi = sorted.length;
  while (lo < hi) {
    const mid = (lo + hi) >>> 1;
    if (sorted[mid]! < x) lo = mid + 1;
    else hi = mid;
  }
  return lo;
}

/** The first position of `sorted` (ascending) from `from` on holding more than `x`. */
function firstAbove(sorted: Float64Array, x: number, from: number): number {
  let lo = from;
  let hi = sorted.length;
  while (lo < hi) {
    const mid = (lo + hi) >>> 1;
    if (sorted[mid]! <= x) lo = mid + 1;
    else hi = mid;
  }
  return lo;
}

/** The round as deferred acceptance takes it: only the entries both sides accept. */
export function compiledRound(round: AssembledRound): CompiledRound {
  const { traineeIds, vacancies, listStart, listVacancy, listRank } = round;
  let acceptable = 0;
  for (let e = 0; e < listRank.length; e++) if (listRank[e]! >= 0) acceptable++;
  const start = new Int32Array(traineeIds.length + 1);
  const vacancy = new Int32Array(acceptable);
  const rank = new Int32Array(acceptable);
  let k = 0;
  for (let t = 0; t < traineeIds.length; t++) {
    start[t] = k;
    for (let e = listStart[t]!; e < listStart[t + 1]!; e++) {
      if (listRank[e]! < 0) continue;
      vacancy[k] = listVacancy[e]!;
      rank[k] = listRank[e]!;
      k++;
    }
  }
  start[traineeIds.length] = k;
  return {
    traineeCount: traineeIds.length,
    vacancyCount: vacancies.length,
    capacity: Int32Array.from(vacancies, (v) => v.capacity),
    listStart: start,
    listVacancy: vacancy,
    listRank: rank,
  };
}

/** Deferred acceptance over the assembled round, its result in ids (as `runMatchRound` gives it). */
export function matchAssembled(round: AssembledRound): RoundResult {
  const compiled = compiledRound(round);
  return roundResultOf(
    compiled,
    deferredAcceptance(compiled),
    (t) => round.traineeIds[t]!,
    (v) => round.vacancies[v]!.id,
  );
}

/**
 * Who could have been matched where, for the round's report: per vacancy (by position), its candidates, the trainees
 * who listed it and whom it accepts; and the trainees with no such vacancy at all, whom no outcome of deferred
 * acceptance could have matched. An unfilled place with no candidate asks something of the cohort that nobody in it
 * has (a language level, a recognised qualification); where there are candidates, each holds that vacancy or one
 * they preferred (deferred acceptance's stability).
 */
export function roundOptions(round: AssembledRound): {
  candidates: Int32Array;
  /** Per trainee (by position), the vacancies they listed that accept them. */
  options: Int32Array;
  traineesWithoutOptions: number;
} {
  const { traineeIds, vacancies, listStart, listVacancy, listRank } = round;
  const candidates = new Int32Array(vacancies.length);
  const options = new Int32Array(traineeIds.length);
  let traineesWithoutOptions = 0;
  for (let t = 0; t < traineeIds.length; t++) {
    for (let e = listStart[t]!; e < listStart[t + 1]!; e++)
      if (listRank[e]! >= 0) {
        candidates[listVacancy[e]!]!++;
        options[t]!++;
      }
    if (options[t] === 0) traineesWithoutOptions++;
  }
  return { candidates, options, traineesWithoutOptions };
}

/** The round by ids (`RoundInstance`), for checkers such as `findBlockingPairs`: built only when asked for. */
export function instanceOf(round: AssembledRound): RoundInstance {
  const { traineeIds, vacancies, listStart, listVacancy, listRank } = round;
  const rankings = vacancies.map(() => new Map<string, number>());
  const trainees = traineeIds.map((id, t) => {
    const ranking: string[] = [];
    for (let e = listStart[t]!; e < listStart[t + 1]!; e++) {
      const v = listVacancy[e]!;
      ranking.push(vacancies[v]!.id);
      if (listRank[e]! >= 0) rankings[v]!.set(id, listRank[e]!);
    }
    return { id, ranking };
  });
  return {
    trainees,
    vacancies: vacancies.map((v, i) => ({ id: v.id, capacity: v.capacity, ranking: rankings[i]! })),
  };
}
