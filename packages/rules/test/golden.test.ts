import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { createRuleBook, shippedPacks } from '../src/index.ts';
import { goldenDigests } from './golden/profiles.ts';

/**
 * Results for 1,000 seeded (profile, as-of) cases over every shipped pack, compared by digest with results
 * captured from the evaluator before its optimisation. Every status, point, detail sentence, gap and key
 * must stay the same. After an intended change of results: `npx tsx packages/rules/test/golden/capture.ts`.
 */
const recorded = JSON.parse(readFileSync(new URL('./golden/results.json', import.meta.url), 'utf8')) as {
  packs: string;
  cases: Record<string, string>;
};

describe('golden results', () => {
  const now = goldenDigests();
  it('the shipped packs are the ones the digests were captured with', () => {
    expect(now.packs, 'packs changed: check the results, then re-capture (test/golden/capture.ts)').toBe(
      recorded.packs,
    );
  });
  it('every case gives the recorded results', () => {
    const differing = Object.keys(recorded.cases).filter((k) => now.cases[k] !== recorded.cases[k]);
    expect(Object.keys(now.cases).length).toBe(Object.keys(recorded.cases).length);
    expect(differing.slice(0, 20)).toEqual([]);
  });
  it('the interpreted step loop (no code generation) gives the same results as the generated one', () => {
    const interpreted = goldenDigests(createRuleBook(shippedPacks(), { generate: false }));
    const differing = Object.keys(recorded.cases).filter((k) => interpreted.cases[k] !== recorded.cases[k]);
    expect(differing.slice(0, 20)).toEqual([]);
  });
});
