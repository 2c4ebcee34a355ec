import { describe, expect, it } from 'vitest';
import { generateProfiles } from '../bench/evaluator.bench.ts';
import { compilePack, createRuleBook, deriveFacts, shippedPacks } from '../src/index.ts';

/**
 * The evaluator memoises sentences per check, shares outcomes of identical checks between the packs of a
 * rule book, and keeps both on the facts or the compiled checks. None of that may leak between as-of dates,
 * rule books or packs compiled alone.
 */
describe('memoised and shared outcomes', () => {
  const profiles = generateProfiles(40, 99);
  const dates = ['2024-05-10', '2026-01-15', '2025-08-20'];

  it('alternating as-of dates gives what a fresh rule book gives', () => {
    const warm = createRuleBook(shippedPacks());
    for (let round = 0; round < 2; round++)
      for (const asOf of dates)
        for (const d of profiles) {
          const fresh = createRuleBook(shippedPacks()).evaluate(d.profile, { asOf, offer: d.offer });
          expect(warm.evaluate(d.profile, { asOf, offer: d.offer })).toStrictEqual(fresh);
        }
  });

  it('facts used with two rule books, or with packs compiled alone, give the same results', () => {
    const a = createRuleBook(shippedPacks());
    const b = createRuleBook(shippedPacks());
    const alone = new Map(shippedPacks().map((p) => [`${p.id}@${p.version}`, compilePack(p)]));
    const asOf = '2026-01-15';
    for (const d of profiles) {
      const facts = deriveFacts(d.profile, asOf, d.offer);
      const expected = a.evaluate(d.profile, { asOf, offer: d.offer });
      for (const r of expected) {
        const inA = a.compiled(r.pathwayId, asOf)!;
        const inB = b.compiled(r.pathwayId, asOf)!;
        const single = alone.get(`${r.pathwayId}@${r.pathwayVersion}`)!;
        expect(inB.evaluateFacts(facts)).toStrictEqual(r);
        expect(inA.evaluateFacts(facts)).toStrictEqual(r);
        expect(single.evaluateFacts(facts)).toStrictEqual(r);
        expect(single.evaluate(d.profile, asOf, d.offer)).toStrictEqual(r);
      }
    }
  });

  it('every result owns its arrays and criterion objects', () => {
    const book = createRuleBook(shippedPacks());
    const d = profiles[0]!;
    const one = book.evaluate(d.profile, { asOf: '2026-01-15', offer: d.offer });
    const two = book.evaluate(d.profile, { asOf: '2026-01-15', offer: d.offer });
    for (let i = 0; i < one.length; i++) {
      expect(one[i]!.criteria).not.toBe(two[i]!.criteria);
      expect(one[i]!.gaps).not.toBe(two[i]!.gaps);
      for (let j = 0; j < one[i]!.criteria.length; j++) expect(one[i]!.criteria[j]).not.toBe(two[i]!.criteria[j]);
    }
  });
});
