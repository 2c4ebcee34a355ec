import { shippedRuleBook } from '@corridor/rules';
import { describe, expect, it } from 'vitest';
import { RoundThreads } from './round-threads.ts';

const options = { bridges: [], listLength: 20 };

describe('RoundThreads', () => {
  it('prepares a round on each thread and answers slices, then serves the next round', async () => {
    const init = { packs: shippedRuleBook().packs(), vacancyRows: [], placements: [], options };
    for (let round = 0; round < 2; round++) {
      const threads = await RoundThreads.start(2, init);
      expect(threads.available).toBe(true);
      const lists = await threads.run(0, { trainees: [] });
      expect(lists).toEqual({ lists: [], checks: 0, evaluations: 0, acceptable: 0 });
      await threads.close();
    }
  }, 60_000);

  it('rejects when a thread cannot prepare the round, instead of waiting for it', async () => {
    const broken = { packs: [{ id: 'not-a-pack' }] as never, vacancyRows: [], placements: [], options };
    await expect(RoundThreads.start(1, broken)).rejects.toThrow();
  }, 60_000);
});
