/**
 * Match-round benchmark at NRMP scale (2024 Main Residency Match: ~45,000 applicants, ~6,400 programmes,
 * ~41,500 positions), and at 1,000,000 trainees × 50,000 vacancies. Seeded: the same seed builds the same instance.
 *
 *   npx tsx packages/matching/bench/round.bench.ts
 */
import { pathToFileURL } from 'node:url';
import {
  type CompiledRound,
  compileRound,
  type DeferredAcceptanceOutcome,
  deferredAcceptance,
  type RoundInstance,
  runMatchRound,
} from '../src/deferred-acceptance.ts';
import { naiveDeferredAcceptance } from '../src/reference-da.ts';
import { countBlockingPairsCompiled } from '../src/stability.ts';

export interface RoundBenchOptions {
  trainees: number;
  vacancies: number;
  /** Total places; spread over vacancies, each with at least one. */
  places: number;
  /** Every trainee ranks this many distinct vacancies (at most `vacancies`). */
  listLength: number;
  seed: number;
  /** Also time the id-level API (compile included) and the naive re-sorting algorithm. Off for very large runs. */
  compare?: boolean;
  /** Timed repetitions of deferred acceptance; the first is reported as cold, the best as warm. Default 3. */
  repeat?: number;
}

export interface RoundBenchResult {
  trainees: number;
  vacancies: number;
  places: number;
  listEntries: number;
  generateMs: number;
  /** First run of deferred acceptance on the compiled instance. */
  coldMs: number;
  /** Best of `repeat` runs. */
  warmMs: number;
  proposals: number;
  matched: number;
  unfilledPlaces: number;
  blockingPairs: number;
  /** runMatchRound on ids: compile, deferred acceptance, translate back. */
  idApiMs?: number;
  /** The compile step alone: id lookups and rank-map lookups, one per list entry. */
  compileMs?: number;
  /** The textbook algorithm that re-sorts each vacancy's held list on every proposal. */
  naiveMs?: number;
  /** Whether the naive algorithm produced the same matching. */
  naiveAgrees?: boolean;
}

/** mulberry32: a small, fast, seeded PRNG; enough for benchmark data, not for anything secret. */
export function mulberry32(seed: number): () => number {
  let a = seed >>> 0;
  return () => {
    a = (a + 0x6d2b79f5) >>> 0;
    let t = a;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

/**
 * Builds a compiled round with correlated preferences, the hard case for deferred acceptance: vacancies differ in
 * desirability and trainees in strength, so popular vacancies get many proposals and rejection chains are long.
 * Trainees draw their list with a bias towards desirable vacancies and order it by desirability plus private
 * noise; employers rank by trainee strength plus private noise.
 */
export function generateRound(o: Omit<RoundBenchOptions, 'compare' | 'repeat'>): CompiledRound {
  const rand = mulberry32(o.seed);
  const nt = o.trainees;
  const nv = o.vacancies;
  const len = Math.min(o.listLength, nv);
  if (o.places < nv) throw new RangeError('places must be at least the number of vacancies');
  const capacity = new Int32Array(nv).fill(1);
  for (let p = nv; p < o.places; p++) capacity[Math.floor(rand() * nv)]!++;
  // Vacancy v's desirability falls with v; draws skewed towards low indices.
  const desirability = new Float64Array(nv);
  for (let v = 0; v < nv; v++) desirability[v] = 1 - v / nv;
  const listStart = new Int32Array(nt + 1);
  const listVacancy = new Int32Array(nt * len);
  const listRank = new Int32Array(nt * len);
  const pick = new Int32Array(len);
  const key = new Float64Array(len);
  for (let t = 0; t < nt; t++) {
    const strength = rand();
    let n = 0;
    while (n < len) {
      const v = Math.floor(nv * rand() ** 1.6);
      let dup = false;
      for (let i = 0; i < n; i++) if (pick[i] === v) dup = true;
      if (dup) continue;
      // Insertion by the trainee's utility, best first.
      const u = desirability[v]! + 0.3 * rand();
      let i = n++;
      while (i > 0 && key[i - 1]! < u) {
        key[i] = key[i - 1]!;
        pick[i] = pick[i - 1]!;
        i--;
      }
      key[i] = u;
      pick[i] = v;
    }
    const base = t * len;
    listStart[t] = base;
    for (let i = 0; i < len; i++) {
      listVacancy[base + i] = pick[i]!;
      // Lower rank is better: strong trainees get low ranks, with each employer's own noise.
      listRank[base + i] = Math.floor((1.5 - strength - 0.5 * rand()) * 1_000_000);
    }
  }
  listStart[nt] = nt * len;
  return { traineeCount: nt, vacancyCount: nv, capacity, listStart, listVacancy, listRank };
}

/** The same round with string ids and rank maps, as a repository would hand it to `runMatchRound`. */
export function toInstance(round: CompiledRound): RoundInstance {
  const rankings = Array.from({ length: round.vacancyCount }, () => new Map<string, number>());
  const trainees = Array.from({ length: round.traineeCount }, (_, t) => {
    const id = `t${t}`;
    const ranking: string[] = [];
    for (let k = round.listStart[t]!; k < round.listStart[t + 1]!; k++) {
      const v = round.listVacancy[k]!;
      ranking.push(`v${v}`);
      rankings[v]!.set(id, round.listRank[k]!);
    }
    return { id, ranking };
  });
  const vacancies = rankings.map((ranking, v) => ({ id: `v${v}`, capacity: round.capacity[v]!, ranking }));
  return { trainees, vacancies };
}

const time = <T>(fn: () => T): [T, number] => {
  const t0 = performance.now();
  const out = fn();
  return [out, performance.now() - t0];
};

export function runRoundBench(options: RoundBenchOptions): RoundBenchResult {
  const [round, generateMs] = time(() => generateRound(options));
  const repeat = Math.max(1, options.repeat ?? 3);
  const runs: number[] = [];
  let outcome: DeferredAcceptanceOutcome | undefined;
  for (let i = 0; i < repeat; i++) {
    const [o, ms] = time(() => deferredAcceptance(round));
    outcome = o;
    runs.push(ms);
  }
  if (!outcome) throw new Error('unreachable: repeat ≥ 1');
  let matched = 0;
  for (const v of outcome.traineeMatch) if (v >= 0) matched++;
  const totalPlaces = round.capacity.reduce((a, b) => a + b, 0);
  const result: RoundBenchResult = {
    trainees: round.traineeCount,
    vacancies: round.vacancyCount,
    places: totalPlaces,
    listEntries: round.listVacancy.length,
    generateMs,
    coldMs: runs[0]!,
    warmMs: Math.min(...runs),
    proposals: outcome.proposals,
    matched,
    unfilledPlaces: totalPlaces - matched,
    blockingPairs: countBlockingPairsCompiled(round, outcome.traineeMatch),
  };
  if (options.compare) {
    const instance = toInstance(round);
    runMatchRound(instance); // warm-up
    const [viaIds, idApiMs] = time(() => runMatchRound(instance));
    result.compileMs = time(() => compileRound(instance))[1];
    const [naive, naiveMs] = time(() => naiveDeferredAcceptance(instance));
    result.idApiMs = idApiMs;
    result.naiveMs = naiveMs;
    result.naiveAgrees =
      naive.matches.length === viaIds.matches.length &&
      naive.matches.every(
        (m, i) => m.traineeId === viaIds.matches[i]!.traineeId && m.vacancyId === viaIds.matches[i]!.vacancyId,
      );
  }
  return result;
}

function report(label: string, r: RoundBenchResult): void {
  const f = (ms: number | undefined) => (ms === undefined ? '-' : `${ms.toFixed(1)} ms`);
  console.log(
    `${label}: ${r.trainees.toLocaleString('en-US')} trainees × ${r.vacancies.toLocaleString('en-US')} vacancies, ` +
      `${r.places.toLocaleString('en-US')} places, ${r.listEntries.toLocaleString('en-US')} list entries`,
  );
  console.log(
    `  deferred acceptance (typed arrays + heaps): cold ${f(r.coldMs)}, warm ${f(r.warmMs)}; ` +
      `${r.proposals.toLocaleString('en-US')} proposals, ${r.matched.toLocaleString('en-US')} matched, ` +
      `${r.unfilledPlaces.toLocaleString('en-US')} places unfilled, ${r.blockingPairs} blocking pairs`,
  );
  if (r.idApiMs !== undefined) {
    console.log(
      `  runMatchRound on ids (compile + DA + translate): ${f(r.idApiMs)}, of which compile ${f(r.compileMs)}`,
    );
    console.log(`  naive DA (maps, re-sort held list per proposal): ${f(r.naiveMs)}; same matching: ${r.naiveAgrees}`);
  }
  console.log(`  generating the instance: ${f(r.generateMs)}`);
}

const isMain = process.argv[1] !== undefined && import.meta.url === pathToFileURL(process.argv[1]).href;
if (isMain) {
  report(
    'NRMP scale',
    runRoundBench({ trainees: 45_000, vacancies: 6_400, places: 41_500, listLength: 20, seed: 2024, compare: true }),
  );
  report(
    'Large',
    runRoundBench({ trainees: 1_000_000, vacancies: 50_000, places: 920_000, listLength: 20, seed: 7, repeat: 2 }),
  );
  // maxRSS is in kilobytes on Linux and macOS.
  console.log(`peak RSS: ${(process.resourceUsage().maxRSS / 1024).toFixed(0)} MB`);
}
