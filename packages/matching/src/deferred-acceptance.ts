import { MatchingInputError } from './errors.ts';

/**
 * Cohort match rounds: many-to-one deferred acceptance (Gale–Shapley), trainee-proposing, the Roth–Peranson
 * family without couples. Trainee-proposing gives the trainee-optimal stable matching: no trainee does better in
 * any stable matching, and no trainee can gain by misreporting their list. The round is for people, so it
 * favours the people.
 */

export interface RoundTrainee {
  id: string;
  /** Vacancy ids, best first. Only eligible pairs (the hard filters already applied). */
  ranking: readonly string[];
}

export interface RoundVacancy {
  id: string;
  /** Places in this round (the vacancy's headcount less places already filled). */
  capacity: number;
  /**
   * The employer's ranking: trainee id → rank, lower is better; non-negative integers below 2^31. A trainee missing
   * from the map is not acceptable. Equal ranks are broken by the trainees' order in `RoundInstance.trainees`.
   */
  ranking: ReadonlyMap<string, number>;
}

export interface RoundInstance {
  trainees: readonly RoundTrainee[];
  vacancies: readonly RoundVacancy[];
}

export interface RoundResult {
  /** In the trainees' input order. */
  matches: { traineeId: string; vacancyId: string }[];
  /** Vacancies with places left, in input order. */
  unfilled: { vacancyId: string; places: number }[];
  /** In input order. */
  unmatchedTrainees: string[];
  stats: { proposals: number };
}

/**
 * A round in integer form. A trainee's list is a slice of `listVacancy`, and `listRank` holds, beside each entry,
 * the employer's rank of that trainee at that vacancy: a proposal needs no lookup, and entries the vacancy does not
 * rank are dropped when compiling, so every stored entry is a mutually acceptable pair.
 */
export interface CompiledRound {
  traineeCount: number;
  vacancyCount: number;
  capacity: Int32Array;
  /** Length traineeCount + 1; trainee t's list is [listStart[t], listStart[t + 1]). */
  listStart: Int32Array;
  listVacancy: Int32Array;
  listRank: Int32Array;
}

export interface DeferredAcceptanceOutcome {
  /** Vacancy index per trainee, or -1. */
  traineeMatch: Int32Array;
  /** Trainees held per vacancy at the end. */
  held: Int32Array;
  proposals: number;
}

const MAX_RANK = 2 ** 31 - 1;

/** Validates a round and turns it into integer indices. Throws `MatchingInputError` on input a round cannot take. */
export function compileRound(instance: RoundInstance): CompiledRound {
  const { trainees, vacancies } = instance;
  const vacancyIndex = new Map<string, number>();
  const capacity = new Int32Array(vacancies.length);
  for (let v = 0; v < vacancies.length; v++) {
    const vac = vacancies[v]!;
    if (vacancyIndex.has(vac.id)) throw new MatchingInputError(`vacancy ${vac.id} appears twice in the round`);
    if (!Number.isInteger(vac.capacity) || vac.capacity < 0 || vac.capacity > MAX_RANK) {
      throw new MatchingInputError(`vacancy ${vac.id} has capacity ${vac.capacity}; expected a whole number ≥ 0`);
    }
    vacancyIndex.set(vac.id, v);
    capacity[v] = vac.capacity;
  }
  let upperBound = 0;
  for (const t of trainees) upperBound += t.ranking.length;
  const listStart = new Int32Array(trainees.length + 1);
  const listVacancy = new Int32Array(upperBound);
  const listRank = new Int32Array(upperBound);
  // seenBy[v] = t + 1 when trainee t has already listed v: duplicate detection without a Set per trainee.
  const seenBy = new Int32Array(vacancies.length);
  const traineeIds = new Set<string>();
  let k = 0;
  for (let t = 0; t < trainees.length; t++) {
    const tr = trainees[t]!;
    if (traineeIds.has(tr.id)) throw new MatchingInputError(`trainee ${tr.id} appears twice in the round`);
    traineeIds.add(tr.id);
    listStart[t] = k;
    for (const vid of tr.ranking) {
      const v = vacancyIndex.get(vid);
      if (v === undefined)
        throw new MatchingInputError(`trainee ${tr.id} ranks vacancy ${vid}, which is not in the round`);
      if (seenBy[v] === t + 1) throw new MatchingInputError(`trainee ${tr.id} ranks vacancy ${vid} twice`);
      seenBy[v] = t + 1;
      const rank = vacancies[v]!.ranking.get(tr.id);
      if (rank === undefined) continue; // the employer did not rank this trainee: not acceptable
      if (!Number.isInteger(rank) || rank < 0 || rank > MAX_RANK) {
        throw new MatchingInputError(`vacancy ${vid} ranks trainee ${tr.id} ${rank}; expected a whole number ≥ 0`);
      }
      listVacancy[k] = v;
      listRank[k] = rank;
      k++;
    }
  }
  listStart[trainees.length] = k;
  return {
    traineeCount: trainees.length,
    vacancyCount: vacancies.length,
    capacity,
    listStart,
    listVacancy: listVacancy.subarray(0, k),
    listRank: listRank.subarray(0, k),
  };
}

/**
 * Trainee-proposing deferred acceptance on a compiled round. Free trainees wait on a stack; each vacancy keeps the
 * trainees it holds in a binary max-heap keyed by (employer rank, trainee index), so its worst-held trainee is at
 * the root and a proposal costs O(log capacity). All state lives in typed arrays sized up front: the run allocates
 * nothing per proposal. Which free trainee proposes next does not change the outcome (the trainee-optimal stable
 * matching is unique), so the stack order is only a matter of speed.
 */
export function deferredAcceptance(round: CompiledRound): DeferredAcceptanceOutcome {
  const { traineeCount, vacancyCount, capacity, listStart, listVacancy, listRank } = round;
  // Heaps live side by side in one array of (rank, trainee) pairs: vacancy v's heap starts at heapBase[v], and a
  // pair sits in one cache line, which matters once the instance no longer fits in cache.
  // A vacancy never holds more trainees than exist, so an absurd capacity cannot blow up the allocation.
  const slots = new Int32Array(vacancyCount);
  const heapBase = new Int32Array(vacancyCount + 1);
  for (let v = 0; v < vacancyCount; v++) {
    slots[v] = Math.min(capacity[v]!, traineeCount);
    heapBase[v + 1] = heapBase[v]! + 2 * slots[v]!;
  }
  const heap = new Int32Array(heapBase[vacancyCount]!);
  const held = new Int32Array(vacancyCount);
  const next = listStart.slice(0, traineeCount);
  const traineeMatch = new Int32Array(traineeCount).fill(-1);
  const stack = new Int32Array(traineeCount);
  let sp = 0;
  for (let t = traineeCount - 1; t >= 0; t--) stack[sp++] = t;
  let proposals = 0;

  while (sp > 0) {
    let t = stack[--sp]!;
    // A trainee keeps proposing down their list until some vacancy holds them or the list runs out.
    for (;;) {
      const k = next[t]!;
      if (k >= listStart[t + 1]!) break; // list exhausted: t stays unmatched
      next[t] = k + 1;
      proposals++;
      const v = listVacancy[k]!;
      const r = listRank[k]!;
      const cap = slots[v]!;
      if (cap === 0) continue;
      const base = heapBase[v]!;
      const size = held[v]!;
      if (size < cap) {
        // Room left: move worse-ranked parents down until the newcomer's slot is found.
        let i = size;
        while (i > 0) {
          const p = (i - 1) >> 1;
          const pr = heap[base + 2 * p]!;
          const pt = heap[base + 2 * p + 1]!;
          if (pr > r || (pr === r && pt > t)) break;
          heap[base + 2 * i] = pr;
          heap[base + 2 * i + 1] = pt;
          i = p;
        }
        heap[base + 2 * i] = r;
        heap[base + 2 * i + 1] = t;
        held[v] = size + 1;
        traineeMatch[t] = v;
        break;
      }
      const wr = heap[base]!;
      const wt = heap[base + 1]!;
      if (r > wr || (r === wr && t > wt)) continue; // rejected: the vacancy prefers everyone it holds
      // Replace the worst-held trainee and sift the newcomer down.
      let i = 0;
      for (;;) {
        const l = 2 * i + 1;
        if (l >= size) break;
        let c = l;
        let cr = heap[base + 2 * l]!;
        let ct = heap[base + 2 * l + 1]!;
        if (l + 1 < size) {
          const rr = heap[base + 2 * l + 2]!;
          const rt = heap[base + 2 * l + 3]!;
          if (rr > cr || (rr === cr && rt > ct)) {
            c = l + 1;
            cr = rr;
            ct = rt;
          }
        }
        if (cr < r || (cr === r && ct < t)) break;
        heap[base + 2 * i] = cr;
        heap[base + 2 * i + 1] = ct;
        i = c;
      }
      heap[base + 2 * i] = r;
      heap[base + 2 * i + 1] = t;
      traineeMatch[t] = v;
      traineeMatch[wt] = -1;
      t = wt; // the displaced trainee proposes next, straight away
    }
  }
  return { traineeMatch, held, proposals };
}

/** Runs a match round on ids: validate and compile, run deferred acceptance, translate back. */
export function runMatchRound(instance: RoundInstance): RoundResult {
  const compiled = compileRound(instance);
  return roundResultOf(
    compiled,
    deferredAcceptance(compiled),
    (t) => instance.trainees[t]!.id,
    (v) => instance.vacancies[v]!.id,
  );
}

/** Deferred acceptance's outcome on a compiled round, in ids: `traineeId` and `vacancyId` name each index. */
export function roundResultOf(
  compiled: CompiledRound,
  { traineeMatch, held, proposals }: DeferredAcceptanceOutcome,
  traineeId: (t: number) => string,
  vacancyId: (v: number) => string,
): RoundResult {
  const matches: RoundResult['matches'] = [];
  const unmatchedTrainees: string[] = [];
  for (let t = 0; t < compiled.traineeCount; t++) {
    const v = traineeMatch[t]!;
    if (v >= 0) matches.push({ traineeId: traineeId(t), vacancyId: vacancyId(v) });
    else unmatchedTrainees.push(traineeId(t));
  }
  const unfilled: RoundResult['unfilled'] = [];
  for (let v = 0; v < compiled.vacancyCount; v++) {
    const places = compiled.capacity[v]! - held[v]!;
    if (places > 0) unfilled.push({ vacancyId: vacancyId(v), places });
  }
  return { matches, unfilled, unmatchedTrainees, stats: { proposals } };
}
