import { describe, expect, it } from 'vitest';
import { compatibleOccupations, DEFAULT_OCCUPATION_BRIDGES, occupationsOpenTo } from './occupation-bridges.ts';

describe('occupationsOpenTo', () => {
  it("is compatibleOccupations read from the trainee's side, own unit group first", () => {
    expect(occupationsOpenTo('2221')).toEqual(['2221', '5321', '3221']);
    expect(occupationsOpenTo('7112')).toEqual(['7112']);
    // Every vacancy occupation a trainee can take counts that trainee's occupation as compatible, and only those.
    const codes = new Set(DEFAULT_OCCUPATION_BRIDGES.flatMap((b) => [b.from, b.to]));
    for (const trainee of codes)
      for (const job of codes)
        expect(occupationsOpenTo(trainee).includes(job)).toBe(compatibleOccupations(job).has(trainee));
  });
});
