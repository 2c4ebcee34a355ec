import { describe, expect, it } from 'vitest';
import { generateRound, mulberry32, runRoundBench } from '../bench/round.bench.ts';

describe('round benchmark module', () => {
  it('builds the same instance from the same seed, and a different one from another', () => {
    const opts = { trainees: 500, vacancies: 60, places: 450, listLength: 8 };
    const a = generateRound({ ...opts, seed: 1 });
    expect(generateRound({ ...opts, seed: 1 })).toEqual(a);
    expect(generateRound({ ...opts, seed: 2 }).listVacancy).not.toEqual(a.listVacancy);
    expect(a.capacity.reduce((x, y) => x + y, 0)).toBe(450);
    expect(mulberry32(42)()).toBe(mulberry32(42)());
  });

  it('times a stable round and agrees with the naive algorithm', () => {
    const r = runRoundBench({
      trainees: 3000,
      vacancies: 400,
      places: 2800,
      listLength: 10,
      seed: 9,
      compare: true,
      repeat: 1,
    });
    expect(r.blockingPairs).toBe(0);
    expect(r.naiveAgrees).toBe(true);
    expect(r.matched + r.unfilledPlaces).toBe(2800);
    expect(r.coldMs).toBeGreaterThan(0);
  });
});
