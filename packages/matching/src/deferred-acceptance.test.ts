import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import {
  compileRound,
  deferredAcceptance,
  type RoundInstance,
  type RoundResult,
  runMatchRound,
} from './deferred-acceptance.ts';
import { MatchingInputError } from './errors.ts';
import { naiveDeferredAcceptance } from './reference-da.ts';
import {
  checkTraineeOptimal,
  countBlockingPairsCompiled,
  enumerateStableMatchings,
  findBlockingPairs,
  findRoundViolations,
} from './stability.ts';

/** Builds an instance from index lists: trainee i ranks vacancies `lists[i]`; vacancy v ranks `employer[v]` in order. */
function build(
  lists: number[][],
  employer: number[][],
  capacities: number[],
  rankOf = (pos: number) => pos,
): RoundInstance {
  return {
    trainees: lists.map((list, i) => ({ id: `t${i}`, ranking: list.map((v) => `v${v}`) })),
    vacancies: capacities.map((capacity, v) => ({
      id: `v${v}`,
      capacity,
      ranking: new Map(employer[v]!.map((t, pos) => [`t${t}`, rankOf(pos)])),
    })),
  };
}

const range = (n: number): number[] => Array.from({ length: n }, (_, i) => i);

/** Random instances; `ties` makes employer ranks coarse so equal ranks occur and the tie-break is exercised. */
const instanceArb = (maxTrainees: number, maxVacancies: number, maxCapacity: number, maxList: number, ties = false) =>
  fc
    .tuple(fc.integer({ min: 1, max: maxTrainees }), fc.integer({ min: 1, max: maxVacancies }))
    .chain(([nt, nv]) =>
      fc.record({
        lists: fc.array(fc.shuffledSubarray(range(nv), { maxLength: Math.min(maxList, nv) }), {
          minLength: nt,
          maxLength: nt,
        }),
        employer: fc.array(fc.shuffledSubarray(range(nt)), { minLength: nv, maxLength: nv }),
        capacities: fc.array(fc.integer({ min: 0, max: maxCapacity }), { minLength: nv, maxLength: nv }),
      }),
    )
    .map(({ lists, employer, capacities }) =>
      build(lists, employer, capacities, ties ? (pos) => Math.floor(pos / 2) : (pos) => 10 * pos + 3),
    );

const withoutStats = ({ stats: _stats, ...rest }: RoundResult) => rest;
const pairs = (r: RoundResult): string[] => r.matches.map((m) => `${m.traineeId}→${m.vacancyId}`).sort();

describe('runMatchRound', () => {
  it('finds the trainee-optimal matching where two stable matchings exist', () => {
    // t0 prefers v0, t1 prefers v1; the employers prefer the other way round.
    const instance = build(
      [
        [0, 1],
        [1, 0],
      ],
      [
        [1, 0],
        [0, 1],
      ],
      [1, 1],
    );
    const result = runMatchRound(instance);
    expect(result.matches).toEqual([
      { traineeId: 't0', vacancyId: 'v0' },
      { traineeId: 't1', vacancyId: 'v1' },
    ]);
    expect(enumerateStableMatchings(instance)).toHaveLength(2);
    expect(checkTraineeOptimal(instance, result)).toEqual({ optimal: true, stableMatchings: 2 });
  });

  it('fills capacities by employer rank and reports unfilled places and unmatched trainees', () => {
    // Three trainees want v0 (2 places); its employer ranks t2 > t0 > t1. v1 has 3 places, only t1 lists it.
    const instance = build([[0], [0, 1], [0], []], [[2, 0, 1], [1]], [2, 3]);
    const result = runMatchRound(instance);
    expect(pairs(result)).toEqual(['t0→v0', 't1→v1', 't2→v0']);
    expect(result.unfilled).toEqual([{ vacancyId: 'v1', places: 2 }]);
    expect(result.unmatchedTrainees).toEqual(['t3']);
    expect(findBlockingPairs(instance, result)).toEqual([]);
    expect(findRoundViolations(instance, result)).toEqual([]);
  });

  it('handles a capacity far above the number of trainees without allocating for it', () => {
    const instance = build([[0], [0]], [[1, 0]], [2 ** 31 - 1]);
    const result = runMatchRound(instance);
    expect(pairs(result)).toEqual(['t0→v0', 't1→v0']);
    expect(result.unfilled).toEqual([{ vacancyId: 'v0', places: 2 ** 31 - 3 }]);
  });

  it('matches only mutually acceptable pairs: a vacancy that does not rank a trainee never holds them', () => {
    const instance = build([[0]], [[]], [5]);
    const result = runMatchRound(instance);
    expect(result.matches).toEqual([]);
    expect(result.unmatchedTrainees).toEqual(['t0']);
    expect(result.unfilled).toEqual([{ vacancyId: 'v0', places: 5 }]);
  });

  it.each<[string, RoundInstance, RegExp]>([
    ['a duplicate trainee', dupTrainee(), /trainee t0 appears twice/],
    ['a duplicate vacancy', { trainees: [], vacancies: [vac('v0', 1), vac('v0', 1)] }, /vacancy v0 appears twice/],
    [
      'an unknown vacancy',
      { trainees: [{ id: 't0', ranking: ['v9'] }], vacancies: [vac('v0', 1)] },
      /not in the round/,
    ],
    ['a vacancy listed twice', { trainees: [{ id: 't0', ranking: ['v0', 'v0'] }], vacancies: [vac('v0', 1)] }, /twice/],
    ['a negative capacity', { trainees: [], vacancies: [vac('v0', -1)] }, /capacity -1/],
    [
      'a fractional rank',
      {
        trainees: [{ id: 't0', ranking: ['v0'] }],
        vacancies: [{ id: 'v0', capacity: 1, ranking: new Map([['t0', 0.5]]) }],
      },
      /ranks trainee t0 0.5/,
    ],
  ])('refuses %s', (_label, instance, message) => {
    expect(() => runMatchRound(instance)).toThrow(MatchingInputError);
    expect(() => runMatchRound(instance)).toThrow(message);
  });
});

function vac(id: string, capacity: number) {
  return { id, capacity, ranking: new Map<string, number>() };
}
function dupTrainee(): RoundInstance {
  return {
    trainees: [
      { id: 't0', ranking: [] },
      { id: 't0', ranking: [] },
    ],
    vacancies: [vac('v0', 1)],
  };
}

describe('the checkers catch bad results (so the properties below can fail)', () => {
  const instance = build(
    [
      [0, 1],
      [1, 0],
    ],
    [
      [1, 0],
      [0, 1],
    ],
    [1, 1],
  );

  it('reports a blocking pair', () => {
    // v0 holds t1, whom it prefers to t0, so t0–v0 does not block; but v1 is empty, and both trainees want it
    // more than what they have.
    const bad: RoundResult = {
      matches: [{ traineeId: 't1', vacancyId: 'v0' }],
      unfilled: [{ vacancyId: 'v1', places: 1 }],
      unmatchedTrainees: ['t0'],
      stats: { proposals: 0 },
    };
    expect(findBlockingPairs(instance, bad)).toEqual([
      { traineeId: 't0', vacancyId: 'v1' },
      { traineeId: 't1', vacancyId: 'v1' },
    ]);
  });

  it('reports a stable but employer-optimal matching as not trainee-optimal', () => {
    const employerOptimal: RoundResult = {
      matches: [
        { traineeId: 't0', vacancyId: 'v1' },
        { traineeId: 't1', vacancyId: 'v0' },
      ],
      unfilled: [],
      unmatchedTrainees: [],
      stats: { proposals: 0 },
    };
    expect(findBlockingPairs(instance, employerOptimal)).toEqual([]);
    const report = checkTraineeOptimal(instance, employerOptimal);
    expect(report.optimal).toBe(false);
    expect(report.reason).toMatch(/trainee t0 gets v0 in another stable matching/);
  });

  it('reports over-capacity, unacceptable pairs and wrong bookkeeping', () => {
    const bad: RoundResult = {
      matches: [
        { traineeId: 't0', vacancyId: 'v0' },
        { traineeId: 't1', vacancyId: 'v0' },
      ],
      unfilled: [],
      unmatchedTrainees: ['t1'],
      stats: { proposals: 0 },
    };
    const unacceptable = build([[0]], [[]], [1]);
    expect(findRoundViolations(instance, bad)).toEqual([
      'vacancy v0 holds 2 trainees but has 1 places',
      'vacancy v1 has 1 unfilled places but 0 are reported',
      'trainee t1 is both matched and reported unmatched',
    ]);
    expect(
      findRoundViolations(unacceptable, {
        matches: [{ traineeId: 't0', vacancyId: 'v0' }],
        unfilled: [],
        unmatchedTrainees: [],
        stats: { proposals: 0 },
      }),
    ).toEqual(['vacancy v0 did not rank trainee t0']);
  });
});

describe('match round properties', () => {
  it('is stable, respects capacities and acceptability, and agrees with the textbook algorithm', () => {
    fc.assert(
      fc.property(instanceArb(40, 12, 4, 6), (instance) => {
        const result = runMatchRound(instance);
        expect(findBlockingPairs(instance, result)).toEqual([]);
        expect(findRoundViolations(instance, result)).toEqual([]);
        // Proposal counts differ (the naive version also proposes to vacancies that never ranked the trainee).
        expect(withoutStats(result)).toEqual(withoutStats(naiveDeferredAcceptance(instance)));
      }),
      { numRuns: 500 },
    );
  });

  it('stays stable under tied employer ranks (broken by trainee order)', () => {
    fc.assert(
      fc.property(instanceArb(30, 8, 3, 5, true), (instance) => {
        const result = runMatchRound(instance);
        expect(findBlockingPairs(instance, result)).toEqual([]);
        expect(findRoundViolations(instance, result)).toEqual([]);
        expect(pairs(result)).toEqual(pairs(naiveDeferredAcceptance(instance)));
      }),
      { numRuns: 300 },
    );
  });

  it('is trainee-optimal: no trainee does better in any stable matching (brute force on small instances)', () => {
    fc.assert(
      fc.property(instanceArb(6, 3, 2, 3), (instance) => {
        const report = checkTraineeOptimal(instance, runMatchRound(instance));
        expect(report.reason).toBeUndefined();
        expect(report.optimal).toBe(true);
      }),
      { numRuns: 400 },
    );
  });

  it('is identical across runs and independent of the order trainees and vacancies are given in', () => {
    fc.assert(
      fc.property(instanceArb(30, 10, 3, 5), fc.integer(), (instance, seed) => {
        const first = runMatchRound(instance);
        expect(runMatchRound(instance)).toEqual(first);
        // With strict employer ranks the trainee-optimal stable matching is unique, so input order cannot matter.
        const shuffled: RoundInstance = {
          trainees: rotate(instance.trainees, seed),
          vacancies: rotate(instance.vacancies, seed >> 3),
        };
        expect(pairs(runMatchRound(shuffled))).toEqual(pairs(first));
      }),
      { numRuns: 300 },
    );
  });

  it('counts blocking pairs the same way on the compiled form', () => {
    fc.assert(
      fc.property(instanceArb(25, 8, 3, 5), fc.integer({ min: 0, max: 24 }), (instance, drop) => {
        const compiled = compileRound(instance);
        const { traineeMatch } = deferredAcceptance(compiled);
        expect(countBlockingPairsCompiled(compiled, traineeMatch)).toBe(0);
        // Break the result by unmatching one trainee; both checkers must agree on the damage.
        const broken = traineeMatch.slice();
        if (drop < broken.length) broken[drop] = -1;
        const asResult: RoundResult = {
          matches: [],
          unfilled: [],
          unmatchedTrainees: [],
          stats: { proposals: 0 },
        };
        broken.forEach((v, t) => {
          if (v >= 0)
            asResult.matches.push({ traineeId: instance.trainees[t]!.id, vacancyId: instance.vacancies[v]!.id });
        });
        expect(countBlockingPairsCompiled(compiled, broken)).toBe(findBlockingPairs(instance, asResult).length);
      }),
      { numRuns: 300 },
    );
  });
});

function rotate<T>(items: readonly T[], seed: number): T[] {
  if (items.length === 0) return [];
  const k = Math.abs(seed) % items.length;
  const out = [...items.slice(k), ...items.slice(0, k)];
  return seed % 2 === 0 ? out : out.reverse();
}
