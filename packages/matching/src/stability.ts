import type { CompiledRound, RoundInstance, RoundResult } from './deferred-acceptance.ts';
import { MatchingInputError } from './errors.ts';

/**
 * Checkers for match rounds. They work on ids straight from the instance, independently of `compileRound`, so a
 * fault in compilation or in the algorithm shows up here rather than being checked against itself.
 */

export interface BlockingPair {
  traineeId: string;
  vacancyId: string;
}

/** (rank, trainee position) compared lexicographically: the tie-break the round documents. */
const worseThan = (ra: number, ia: number, rb: number, ib: number): boolean => ra > rb || (ra === rb && ia > ib);

/**
 * Pairs (t, v) that would both rather be together than keep the result: t ranks v above its match (or is
 * unmatched), v ranks t, and v has a free place or holds someone it ranks below t. A stable result has none.
 */
export function findBlockingPairs(instance: RoundInstance, result: RoundResult): BlockingPair[] {
  const position = new Map(instance.trainees.map((t, i) => [t.id, i]));
  const vacancyById = new Map(instance.vacancies.map((v) => [v.id, v]));
  const matchOf = new Map<string, string>();
  const held = new Map<string, { count: number; worstRank: number; worstPos: number }>();
  for (const v of instance.vacancies) held.set(v.id, { count: 0, worstRank: -1, worstPos: -1 });
  for (const m of result.matches) {
    matchOf.set(m.traineeId, m.vacancyId);
    const h = held.get(m.vacancyId);
    if (!h) continue;
    // A held trainee the employer never ranked counts as worst of all (such a result also has a violation).
    const rank = vacancyById.get(m.vacancyId)!.ranking.get(m.traineeId) ?? Number.POSITIVE_INFINITY;
    const pos = position.get(m.traineeId) ?? Number.POSITIVE_INFINITY;
    h.count++;
    if (h.worstPos < 0 || worseThan(rank, pos, h.worstRank, h.worstPos)) {
      h.worstRank = rank;
      h.worstPos = pos;
    }
  }
  const blocking: BlockingPair[] = [];
  instance.trainees.forEach((t, pos) => {
    const current = matchOf.get(t.id);
    for (const vid of t.ranking) {
      if (vid === current) break; // everything after is worse for t
      const v = vacancyById.get(vid);
      if (!v) continue;
      const rank = v.ranking.get(t.id);
      if (rank === undefined) continue;
      const h = held.get(vid)!;
      if (h.count < v.capacity || (h.count > 0 && worseThan(h.worstRank, h.worstPos, rank, pos))) {
        blocking.push({ traineeId: t.id, vacancyId: vid });
      }
    }
  });
  return blocking;
}

/**
 * Everything else a result must respect: known ids, one vacancy per trainee, mutual acceptability (both list each
 * other), capacities, and `unfilled` / `unmatchedTrainees` that agree with `matches`. Each problem is one sentence.
 */
export function findRoundViolations(instance: RoundInstance, result: RoundResult): string[] {
  const problems: string[] = [];
  const traineeById = new Map(instance.trainees.map((t) => [t.id, t]));
  const vacancyById = new Map(instance.vacancies.map((v) => [v.id, v]));
  const count = new Map<string, number>();
  const matched = new Set<string>();
  for (const { traineeId, vacancyId } of result.matches) {
    const t = traineeById.get(traineeId);
    const v = vacancyById.get(vacancyId);
    if (!t || !v) {
      problems.push(`match ${traineeId} → ${vacancyId} names an unknown trainee or vacancy`);
      continue;
    }
    if (matched.has(traineeId)) problems.push(`trainee ${traineeId} is matched more than once`);
    matched.add(traineeId);
    if (!t.ranking.includes(vacancyId)) problems.push(`trainee ${traineeId} did not rank vacancy ${vacancyId}`);
    if (!v.ranking.has(traineeId)) problems.push(`vacancy ${vacancyId} did not rank trainee ${traineeId}`);
    count.set(vacancyId, (count.get(vacancyId) ?? 0) + 1);
  }
  const reportedUnfilled = new Map(result.unfilled.map((u) => [u.vacancyId, u.places]));
  for (const v of instance.vacancies) {
    const n = count.get(v.id) ?? 0;
    if (n > v.capacity) problems.push(`vacancy ${v.id} holds ${n} trainees but has ${v.capacity} places`);
    const free = Math.max(0, v.capacity - n);
    const reported = reportedUnfilled.get(v.id) ?? 0;
    if (reported !== free) problems.push(`vacancy ${v.id} has ${free} unfilled places but ${reported} are reported`);
  }
  const reportedUnmatched = new Set(result.unmatchedTrainees);
  for (const t of instance.trainees) {
    if (matched.has(t.id) === reportedUnmatched.has(t.id)) {
      problems.push(
        `trainee ${t.id} is ${matched.has(t.id) ? 'both matched and' : 'neither matched nor'} reported unmatched`,
      );
    }
  }
  return problems;
}

/** Blocking pairs of a compiled round's outcome, by index; for checks at a scale where id maps cost too much. */
export function countBlockingPairsCompiled(round: CompiledRound, traineeMatch: Int32Array): number {
  const { traineeCount, vacancyCount, capacity, listStart, listVacancy, listRank } = round;
  const count = new Int32Array(vacancyCount);
  const worstRank = new Int32Array(vacancyCount).fill(-1);
  const worstPos = new Int32Array(vacancyCount).fill(-1);
  for (let t = 0; t < traineeCount; t++) {
    const v = traineeMatch[t]!;
    if (v < 0) continue;
    let rank = -1;
    for (let k = listStart[t]!; k < listStart[t + 1]!; k++) if (listVacancy[k] === v) rank = listRank[k]!;
    count[v]!++;
    if (worstPos[v]! < 0 || worseThan(rank, t, worstRank[v]!, worstPos[v]!)) {
      worstRank[v] = rank;
      worstPos[v] = t;
    }
  }
  let blocking = 0;
  for (let t = 0; t < traineeCount; t++) {
    for (let k = listStart[t]!; k < listStart[t + 1]!; k++) {
      const v = listVacancy[k]!;
      if (v === traineeMatch[t]) break;
      if (count[v]! < capacity[v]! || (count[v]! > 0 && worseThan(worstRank[v]!, worstPos[v]!, listRank[k]!, t))) {
        blocking++;
      }
    }
  }
  return blocking;
}

/**
 * Every stable matching of a tiny instance, by brute force over each trainee's acceptable vacancies (or none).
 * Each matching is a vacancy id or null per trainee, in input order. Refuses instances with more than
 * `maxAssignments` candidate assignments rather than running for hours.
 */
export function enumerateStableMatchings(instance: RoundInstance, maxAssignments = 2_000_000): (string | null)[][] {
  const options = instance.trainees.map((t) =>
    t.ranking.filter((vid) => instance.vacancies.find((v) => v.id === vid)?.ranking.has(t.id)),
  );
  const space = options.reduce((n, o) => n * (o.length + 1), 1);
  if (space > maxAssignments) {
    throw new MatchingInputError(`instance too large to enumerate: ${space} assignments > ${maxAssignments}`);
  }
  const capacity = new Map(instance.vacancies.map((v) => [v.id, v.capacity]));
  const used = new Map<string, number>();
  const choice: (string | null)[] = new Array(instance.trainees.length).fill(null);
  const stable: (string | null)[][] = [];
  const visit = (i: number): void => {
    if (i === instance.trainees.length) {
      const result = toResult(instance, choice);
      if (findBlockingPairs(instance, result).length === 0) stable.push([...choice]);
      return;
    }
    choice[i] = null;
    visit(i + 1);
    for (const vid of options[i]!) {
      const n = used.get(vid) ?? 0;
      if (n >= capacity.get(vid)!) continue;
      used.set(vid, n + 1);
      choice[i] = vid;
      visit(i + 1);
      used.set(vid, n);
      choice[i] = null;
    }
  };
  visit(0);
  return stable;
}

function toResult(instance: RoundInstance, choice: readonly (string | null)[]): RoundResult {
  const matches: RoundResult['matches'] = [];
  const unmatchedTrainees: string[] = [];
  const used = new Map<string, number>();
  instance.trainees.forEach((t, i) => {
    const vid = choice[i];
    if (vid) {
      matches.push({ traineeId: t.id, vacancyId: vid });
      used.set(vid, (used.get(vid) ?? 0) + 1);
    } else unmatchedTrainees.push(t.id);
  });
  const unfilled = instance.vacancies
    .map((v) => ({ vacancyId: v.id, places: v.capacity - (used.get(v.id) ?? 0) }))
    .filter((u) => u.places > 0);
  return { matches, unfilled, unmatchedTrainees, stats: { proposals: 0 } };
}

export interface OptimalityReport {
  optimal: boolean;
  stableMatchings: number;
  /** Why not, in a sentence, when `optimal` is false. */
  reason?: string;
}

/**
 * Whether `result` is the trainee-optimal stable matching of a tiny instance: it is stable, and every trainee
 * does at least as well in it as in every stable matching (Gale–Shapley 1962; Roth 1984 for capacities).
 */
export function checkTraineeOptimal(instance: RoundInstance, result: RoundResult): OptimalityReport {
  const all = enumerateStableMatchings(instance);
  const matchOf = new Map(result.matches.map((m) => [m.traineeId, m.vacancyId]));
  const mine = instance.trainees.map((t) => matchOf.get(t.id) ?? null);
  const same = (a: readonly (string | null)[]) => a.every((x, i) => x === mine[i]);
  if (!all.some(same)) return { optimal: false, stableMatchings: all.length, reason: 'the result is not stable' };
  const place = (i: number, vid: string | null): number => {
    const list = instance.trainees[i]!.ranking;
    return vid === null ? list.length : list.indexOf(vid);
  };
  for (const other of all) {
    for (let i = 0; i < mine.length; i++) {
      if (place(i, other[i] ?? null) < place(i, mine[i] ?? null)) {
        return {
          optimal: false,
          stableMatchings: all.length,
          reason: `trainee ${instance.trainees[i]!.id} gets ${other[i]} in another stable matching, better than ${mine[i] ?? 'nothing'}`,
        };
      }
    }
  }
  return { optimal: true, stableMatchings: all.length };
}
