import { type RoundInstance, runMatchRound } from '@corridor/matching';
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { assembleRound, instanceOf, matchAssembled, roundOptions } from './round-instance.ts';
import { compareIds, type TraineeList } from './round-lists.ts';

/** The instance as rounds built it by id before: each vacancy's candidates by score, then id, or its own order. */
function byIds(lists: readonly TraineeList[], vacancies: { id: string; capacity: number; ownOrder?: string[] }[]) {
  const listedBy = vacancies.map(() => [] as { id: string; score: number }[]);
  for (const l of lists)
    for (let j = 0; j < l.vacancies.length; j++)
      listedBy[l.vacancies[j]!]!.push({ id: l.traineeId, score: l.scores[j]! });
  const instance: RoundInstance = {
    trainees: lists.map((l) => ({ id: l.traineeId, ranking: l.vacancies.map((v) => vacancies[v]!.id) })),
    vacancies: vacancies.map((v, i) => {
      const ranking = new Map<string, number>();
      if (v.ownOrder) {
        for (const { id } of listedBy[i]!) {
          const at = v.ownOrder.indexOf(id);
          if (at >= 0) ranking.set(id, at);
        }
      } else {
        const ranked = [...listedBy[i]!].sort((a, b) => b.score - a.score || compareIds(a.id, b.id));
        for (let rank = 0; rank < ranked.length; rank++) ranking.set(ranked[rank]!.id, rank);
      }
      return { id: v.id, capacity: v.capacity, ranking };
    }),
  };
  return instance;
}

const round = fc
  .record({
    trainees: fc.integer({ min: 1, max: 12 }),
    vacancies: fc.integer({ min: 1, max: 6 }),
    sortedIds: fc.boolean(),
    seed: fc.array(fc.integer({ min: 0, max: 1_000 }), { minLength: 200, maxLength: 200 }),
  })
  .map(({ trainees, vacancies, sortedIds, seed }) => {
    let s = 0;
    const next = (n: number) => seed[s++ % seed.length]! % n;
    const ids = Array.from({ length: trainees }, (_, i) => `t${String(i).padStart(2, '0')}`);
    if (!sortedIds) ids.reverse();
    const vacancyIds = Array.from({ length: vacancies }, (_, i) => `v${i}`);
    const lists: TraineeList[] = ids.map((traineeId) => {
      const picked = vacancyIds.map((_, v) => v).filter(() => next(2) === 0);
      // Scores from a few values, so that ties between trainees are common.
      return { traineeId, vacancies: picked, scores: picked.map(() => next(3) / 2), complete: true };
    });
    const vs = vacancyIds.map((id) => ({
      id,
      capacity: next(3),
      ...(next(3) === 0 ? { ownOrder: ids.filter(() => next(3) > 0).sort(() => next(3) - 1) } : {}),
    }));
    return { lists, vacancies: vs };
  });

/** A random round assembled, beside the instance by ids it should equal. */
const assembledRound = round.map(({ lists, vacancies }) => ({
  assembled: assembleRound(
    lists,
    vacancies.map((v) => ({ id: v.id, capacity: v.capacity, ownOrder: v.ownOrder })),
  ),
  reference: byIds(lists, vacancies),
}));

describe('assembleRound', () => {
  it('ranks, matches and rebuilds a round as the instance by ids does', () => {
    fc.assert(
      fc.property(assembledRound, ({ assembled, reference }) => {
        expect(instanceOf(assembled)).toEqual(reference);
        expect(matchAssembled(assembled)).toEqual(runMatchRound(reference));
      }),
      { numRuns: 1_000 },
    );
  });

  it("counts each vacancy's candidates and the trainees with none as the instance by ids has them", () => {
    fc.assert(
      fc.property(assembledRound, ({ assembled, reference }) => {
        // A pair is an option when the trainee listed the vacancy and the vacancy ranks the trainee.
        const options = (t: RoundInstance['trainees'][number]) =>
          t.ranking.filter((v) => reference.vacancies.find((x) => x.id === v)!.ranking.has(t.id));
        const { candidates, traineesWithoutOptions } = roundOptions(assembled);
        expect(Array.from(candidates)).toEqual(
          reference.vacancies.map((v) => reference.trainees.filter((t) => options(t).includes(v.id)).length),
        );
        expect(traineesWithoutOptions).toBe(reference.trainees.filter((t) => options(t).length === 0).length);
        // Deferred acceptance leaves a place empty only where every candidate holds it or a vacancy they prefer, and
        // leaves unmatched every trainee without options.
        const result = matchAssembled(assembled);
        const matchOf = new Map(result.matches.map((m) => [m.traineeId, m.vacancyId]));
        for (const u of result.unfilled) {
          for (const t of reference.trainees.filter((t) => options(t).includes(u.vacancyId))) {
            const held = matchOf.get(t.id);
            expect(held).toBeDefined();
            expect(t.ranking.indexOf(held!)).toBeLessThanOrEqual(t.ranking.indexOf(u.vacancyId));
          }
        }
        for (const t of reference.trainees) if (options(t).length === 0) expect(matchOf.has(t.id)).toBe(false);
      }),
      { numRuns: 1_000 },
    );
  });
});
