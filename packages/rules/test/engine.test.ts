import type { EligibilityProfile, LanguageTest, OfferTermsInput } from '@corridor/domain';
import { EligibilityResult } from '@corridor/domain';
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import {
  ageOn,
  createRuleBook,
  diffPacks,
  evaluateSafeguards,
  flippedCriteria,
  ieltsToCefrRank,
  type OfferBlocker,
  shippedPacks,
  testToAuLevel,
  testToCefrRank,
  testToClb,
  validatePack,
} from '../src/index.ts';
import { book, crit, evalOne, maria } from './helpers.ts';

const PATHWAYS = [
  'au-189',
  'au-190',
  'au-491',
  'au-482-core',
  'au-482-specialist',
  'au-186-trt',
  'de-skilled-worker',
  'de-blue-card',
  'de-experience',
  'de-recognition-measures',
  'de-recognition-partnership',
  'de-opportunity-card',
  'de-nurse-licence',
  'uk-skilled-worker',
  'jp-epa-nurse',
  'jp-epa-care-worker',
  'jp-ssw-nursing-care',
  'ca-fsw',
  'ca-crs',
  'fi-employed-person',
  'fi-practical-nurse',
];

describe('shipped packs and the rule book', () => {
  it('every contract pathway has a valid pack in force on 2026-01-15, each citing sources', () => {
    const list = book.list('2026-01-15');
    expect(list.map((p) => p.id).sort()).toEqual([...PATHWAYS].sort());
    for (const p of shippedPacks()) {
      expect(validatePack(p).ok).toBe(true);
      expect(p.sources.length).toBeGreaterThan(0);
    }
  });
  it('every result matches the contract schema', () => {
    for (const r of book.evaluate(maria(), { asOf: '2026-01-15' }))
      expect(EligibilityResult.safeParse(r).success).toBe(true);
  });
  it('versions() lists history and get() picks by date; filters by destination and pathway', () => {
    expect(book.versions('uk-skilled-worker').map((v) => v.version)).toEqual([
      '2024-04-04',
      '2025-07-22',
      '2026-01-08',
    ]);
    expect(book.get('uk-skilled-worker', '2026-01-07')?.version).toBe('2025-07-22');
    expect(book.get('uk-skilled-worker', '2024-04-03')).toBeUndefined();
    const de = book.evaluate(maria(), { asOf: '2026-01-15', destinations: ['DE'] });
    expect(new Set(de.map((r) => r.destination))).toEqual(new Set(['DE']));
    expect(book.evaluate(maria(), { asOf: '2026-01-15', pathways: ['ca-fsw'] }).map((r) => r.pathwayId)).toEqual([
      'ca-fsw',
    ]);
  });
  it('refuses overlapping versions of one pathway', () => {
    const [p] = shippedPacks().filter((x) => x.id === 'au-189');
    expect(() => createRuleBook([p!, { ...p!, version: 'x', effectiveFrom: '2020-01-01' }])).toThrow(/overlap/);
  });
  it('uncertain values say so in the criterion detail', () => {
    const r = evalOne('de-opportunity-card', maria(), '2026-01-15');
    expect(crit(r, 'english-c1').detail).toMatch(/⚠️ unverified/);
    expect(crit(r, 'age-points').detail).toMatch(/🟡 secondary/);
  });
});

describe('dates and conversions', () => {
  it('age is whole years; the birthday itself counts; 29 February reaches its birthday on 1 March', () => {
    expect(ageOn('2000-03-01', '2026-03-01')).toBe(26);
    expect(ageOn('2000-03-01', '2026-02-28')).toBe(25);
    expect(ageOn('2004-02-29', '2026-02-28')).toBe(21);
    expect(ageOn('2004-02-29', '2026-03-01')).toBe(22);
  });
  it('IELTS → CEFR (cefr-ielts): 8.5 C2, 7.0–8.0 C1, 5.5–6.5 B2, 4.0–5.0 B1, below 4 none', () => {
    expect([9, 8.5, 8, 7, 6.5, 5.5, 5, 4, 3.5].map(ieltsToCefrRank)).toEqual([6, 6, 5, 5, 4, 4, 3, 3, 0]);
    expect(testToCefrRank({ name: 'Goethe', level: 'B1' })).toBe(3);
    expect(testToCefrRank({ name: 'JLPT', level: 'N2' })).toBe(-1); // no official JLPT→CEFR mapping
    expect(testToCefrRank({ name: 'PTE', overall: 70 })).toBe(-1);
  });
  it('IELTS → Australian levels (each band 6/7/8) and → CLB per ability (ca-clb-ielts)', () => {
    const ielts = (l: number, r: number, w: number, s: number, module?: 'general'): LanguageTest => ({
      name: 'IELTS',
      module,
      bands: { listening: l, reading: r, writing: w, speaking: s },
    });
    expect(testToAuLevel(ielts(8, 8, 8, 8), '2026-01-01')).toBe(4);
    expect(testToAuLevel(ielts(7, 7, 7, 6.5), '2026-01-01')).toBe(2);
    expect(testToAuLevel(ielts(5, 5, 5, 4.5), '2026-01-01')).toBe(0);
    expect(testToClb(ielts(7, 7, 7, 7, 'general'))).toEqual([7, 9, 9, 9]);
    expect(testToClb(ielts(6, 6, 6, 6, 'general'))).toEqual([7, 7, 7, 7]);
    expect(testToClb(ielts(7.5, 6.5, 6.5, 6.5, 'general'))).toEqual([8, 8, 8, 8]);
    expect(testToClb(ielts(7, 7, 7, 7))).toBeUndefined();
  });
});

describe('validation, diffs and flips', () => {
  it('validatePack names every offending field path', () => {
    const [p] = shippedPacks().filter((x) => x.id === 'fi-employed-person');
    const bad = JSON.parse(JSON.stringify(p));
    bad.effectiveFrom = '2025-02-30';
    bad.criteria[1].tiers[0].thresholds[0].amount = -5;
    bad.criteria.push({ id: 'job-offer', kind: 'jobOffer', label: 'dup' });
    const r = validatePack(bad);
    expect(r.ok).toBe(false);
    const paths = r.ok ? [] : r.errors.map((e) => e.path);
    expect(paths).toContain('effectiveFrom');
    expect(paths).toContain('criteria.1.tiers.0.thresholds.0.amount');
    expect(paths).toContain('criteria.2.id');
  });
  it('diffPacks shows changed criteria with before/after values', () => {
    const uk = shippedPacks().filter((x) => x.id === 'uk-skilled-worker');
    const d = diffPacks(uk[1]!, uk[2]!);
    const english = d.changed.find((c) => c.id === 'english');
    expect(english?.changes).toContainEqual({ path: 'anyOf[0].minCefr', before: 'B1', after: 'B2' });
    expect(d.pack).toContainEqual({ path: 'version', before: '2025-07-22', after: '2026-01-08' });
    const bc = shippedPacks().filter((x) => x.id === 'de-blue-card');
    const d2 = diffPacks(bc[0]!, bc[1]!);
    expect(d2.changed.map((c) => c.id)).toContain('salary');
    expect(d2.added).toEqual([]);
  });
  it('flippedCriteria lists criteria whose status changed', () => {
    const p = { ...maria(), occupation: { isco08: '2142' } };
    const offer = {
      destination: 'GB',
      isco08: '2142',
      sponsor: true,
      salary: { amount: 45000, currency: 'GBP', period: 'year' as const },
    };
    p.languages = [
      {
        language: 'en',
        test: { name: 'IELTS', overall: 5, bands: { listening: 5, reading: 5, writing: 5, speaking: 5 } },
      },
    ];
    const before = evalOne('uk-skilled-worker', p, '2026-01-07', offer);
    const after = evalOne('uk-skilled-worker', p, '2026-01-08', offer);
    expect(flippedCriteria(before, after)).toEqual(['english', 'points']);
  });
});

describe('safeguards (who-ssl-2023, ilo-fair-recruitment)', () => {
  const nurseFrom = (country: string): EligibilityProfile => ({ ...maria(), nationality: country, residence: country });
  it('restricts active recruitment of a health worker from a listed country without a G2G agreement', () => {
    const [who] = evaluateSafeguards(nurseFrom('NG'), { asOf: '2026-01-15' });
    expect(who).toMatchObject({ id: 'who-safeguard-list', status: 'restricted' });
    expect(who!.detail).toMatch(/never changes visa eligibility/);
    expect(
      evaluateSafeguards(nurseFrom('NG'), { asOf: '2026-01-15', partnership: { governmentToGovernment: true } })[0]!
        .status,
    ).toBe('clear');
    expect(evaluateSafeguards(nurseFrom('PH'), { asOf: '2026-01-15' })[0]!.status).toBe('clear');
    expect(evaluateSafeguards(nurseFrom('KE'), { asOf: '2026-01-15' })[0]!.status).toBe('clear');
    const dev = { ...nurseFrom('NG'), occupation: { isco08: '2512' } };
    expect(evaluateSafeguards(dev, { asOf: '2026-01-15' })[0]!.status).toBe('clear');
  });
  it('employer pays: any worker fee restricts; safeguards never change pathway results', () => {
    expect(evaluateSafeguards(maria(), { asOf: '2026-01-15', costSharing: { workerFees: 100 } })[1]!.status).toBe(
      'restricted',
    );
    expect(evaluateSafeguards(maria(), { asOf: '2026-01-15', costSharing: { workerFees: 0 } })[1]!.status).toBe(
      'clear',
    );
    // Moving residence from a listed to an unlisted country flips the safeguard but no pathway result.
    const listed = nurseFrom('NG');
    const moved = { ...nurseFrom('NG'), residence: 'AE' };
    expect(evaluateSafeguards(listed, { asOf: '2026-01-15' })[0]!.status).toBe('restricted');
    expect(evaluateSafeguards(moved, { asOf: '2026-01-15' })[0]!.status).toBe('clear');
    expect(book.evaluate(moved, { asOf: '2026-01-15' })).toEqual(book.evaluate(listed, { asOf: '2026-01-15' }));
  });
});

describe('unknown data', () => {
  it('a bare profile is never silently eligible or failed: the missing data is named', () => {
    const bare: EligibilityProfile = { dateOfBirth: '1995-01-01', nationality: 'PH', occupation: { isco08: '2221' } };
    for (const r of book.evaluate(bare, { asOf: '2026-01-15' })) {
      expect(r.status).not.toBe('eligible');
      if (r.status === 'insufficient_data') expect(r.criteria.some((c) => c.status === 'unknown')).toBe(true);
    }
    const r = evalOne('de-recognition-partnership', bare, '2026-01-15');
    expect(crit(r, 'german')).toMatchObject({ status: 'unknown' });
    expect(crit(r, 'german').detail).toMatch(/languages not given/);
  });
  it('a known blocking criterion gives not_eligible even with unknowns', () => {
    const p: EligibilityProfile = { dateOfBirth: '1975-01-01', nationality: 'PH', occupation: { isco08: '2221' } };
    expect(evalOne('au-189', p, '2026-01-15').status).toBe('not_eligible'); // 51: age alone decides
  });
});

// ── property tests ────────────────────────────────────────────────────────────────────────────────
const cefr = fc.constantFrom('A1', 'A2', 'B1', 'B2', 'C1', 'C2' as const);
const isoDate = fc
  .record({
    y: fc.integer({ min: 2005, max: 2025 }),
    m: fc.integer({ min: 1, max: 12 }),
    d: fc.integer({ min: 1, max: 28 }),
  })
  .map(({ y, m, d }) => `${y}-${String(m).padStart(2, '0')}-${String(d).padStart(2, '0')}`);
const band = fc.integer({ min: 8, max: 18 }).map((n) => n / 2);
const occupation = fc.constantFrom('2221', '3221', '5321', '2512', '2142', '7212');
const country = fc.constantFrom('PH', 'IN', 'VN', 'ID', 'NG', 'AU', 'CA', 'GB', 'DE');
const full = fc.record({
  dateOfBirth: fc.integer({ min: 1970, max: 2007 }).chain((y) => isoDate.map((d) => `${y}${d.slice(4)}`)),
  nationality: country,
  occupation: occupation.map((isco08) => ({ isco08 })),
  qualifications: fc.array(
    fc.record({
      iscedLevel: fc.integer({ min: 2, max: 8 }),
      durationYears: fc.integer({ min: 1, max: 5 }),
      field: fc.constantFrom('Nursing', 'Engineering', 'Care'),
      awarded: isoDate,
      recognition: fc.array(
        fc.record({
          destination: fc.constantFrom('DE', 'AU', 'FI'),
          status: fc.constantFrom('none', 'in_progress', 'partial', 'full' as const),
        }),
        { maxLength: 2 },
      ),
    }),
    { maxLength: 2 },
  ),
  languages: fc.array(
    fc.oneof(
      fc.record({ language: fc.constantFrom('en', 'de', 'fr', 'fi', 'ja'), cefr }),
      fc.record({
        language: fc.constant('en'),
        test: fc.record({
          name: fc.constant('IELTS' as const),
          module: fc.constantFrom('general', 'academic' as const),
          overall: band,
          bands: fc.record({ listening: band, reading: band, writing: band, speaking: band }),
          date: isoDate,
        }),
      }),
      fc.record({
        language: fc.constant('ja'),
        test: fc.record({ name: fc.constant('JLPT' as const), level: fc.constantFrom('N1', 'N3', 'N4', 'N5') }),
      }),
    ),
    { maxLength: 3 },
  ),
  experience: fc.array(
    fc
      .record({ isco08: occupation, country, from: isoDate, hoursPerWeek: fc.constantFrom(20, 40) })
      .map((e) => ({ ...e, to: '2025-12-31' })),
    { maxLength: 2 },
  ),
  certifications: fc.subarray(
    ['nurse-licence', 'jp-care-skills', 'jp-care-japanese', 'au-professional-year', 'ca-study-2y'].map((code) => ({
      code,
    })),
  ),
  skillsAssessments: fc.array(
    fc.record({
      destination: fc.constantFrom('AU'),
      authority: fc.constant('ANMAC'),
      outcome: fc.constantFrom('positive', 'negative', 'pending' as const),
    }),
    { maxLength: 1 },
  ),
  family: fc.record({ maritalStatus: fc.constantFrom('single', 'married' as const) }),
});
const offerArb = fc.record({
  destination: fc.constantFrom('DE', 'AU', 'GB', 'FI', 'JP', 'CA'),
  isco08: occupation,
  sponsor: fc.boolean(),
  hoursPerWeek: fc.constantFrom(20, 39),
  salary: fc.record({
    amount: fc.integer({ min: 1000, max: 160000 }),
    currency: fc.constantFrom('EUR', 'AUD', 'GBP'),
    period: fc.constantFrom('year', 'month' as const),
  }),
});
const OPTIONAL = [
  'qualifications',
  'languages',
  'experience',
  'certifications',
  'skillsAssessments',
  'family',
] as const;

/** Each closed pathway is not eligible (unmet) or at best insufficient_data (unknown), on the criterion it names. */
function expectClosed(results: EligibilityResult[], blockers: readonly OfferBlocker[]) {
  for (const b of blockers) {
    const r = results.find((x) => x.pathwayId === b.pathwayId)!;
    if (b.outcome === 'unmet') expect(r.status).toBe('not_eligible');
    else expect(['not_eligible', 'insufficient_data']).toContain(r.status);
    expect(r.criteria.find((c) => c.id === b.criterionId)?.status).toBe(b.outcome);
  }
}

describe('properties', () => {
  it('(a) adding missing data never turns an eligible result into insufficient_data', () => {
    fc.assert(
      fc.property(
        full,
        offerArb,
        fc.subarray([...OPTIONAL]),
        fc.boolean(),
        fc.constantFrom('2024-06-01', '2025-09-01', '2026-01-15'),
        (profile, offer, dropped, dropOffer, asOf) => {
          const partial: Record<string, unknown> = { ...profile };
          for (const k of dropped) delete partial[k];
          const before = book.evaluate(partial as EligibilityProfile, { asOf, offer: dropOffer ? undefined : offer });
          const after = book.evaluate(profile as EligibilityProfile, { asOf, offer });
          for (let i = 0; i < before.length; i++)
            if (before[i]!.status === 'eligible') expect(after[i]!.status).not.toBe('insufficient_data');
        },
      ),
      { numRuns: 400 },
    );
  });
  it('(o) a pathway the offer alone closes is never eligible or conditional for any profile, on the criterion named', () => {
    let closed = 0;
    fc.assert(
      fc.property(full, offerArb, fc.constantFrom('2024-06-01', '2025-09-01', '2026-01-15'), (profile, offer, asOf) => {
        const pathways = book.list(asOf).map((p) => p.id);
        const blockers = book.offerBlockers(offer, { asOf, pathways });
        closed += blockers.length;
        const results = book.evaluate(profile as EligibilityProfile, { asOf, pathways, offer });
        expectClosed(results, blockers);
      }),
      { numRuns: 600 },
    );
    // The property is only worth something if offers do close pathways in the sample.
    expect(closed).toBeGreaterThan(50);
  });
  it('(p) a pathway the person alone closes is never eligible or conditional with any offer, on the criterion named', () => {
    let closed = 0;
    fc.assert(
      fc.property(
        full,
        fc.array(offerArb, { minLength: 1, maxLength: 4 }),
        fc.subarray([...OPTIONAL]),
        fc.constantFrom('2024-06-01', '2025-09-01', '2026-01-15'),
        (complete, offers, dropped, asOf) => {
          const profile: Record<string, unknown> = { ...complete };
          for (const k of dropped) delete profile[k];
          const pathways = book.list(asOf).map((p) => p.id);
          const blockers = book.profileBlockers(profile as EligibilityProfile, { asOf, pathways });
          closed += blockers.length;
          // profileClosesAll answers what the blockers would: for every pathway, each alone, the closed ones together
          // (true), and those with one open pathway or one not in force added (false).
          const person = profile as EligibilityProfile;
          expect(book.profileClosesAll(person, { asOf, pathways })).toBe(blockers.length === pathways.length);
          for (const id of pathways)
            expect(book.profileClosesAll(person, { asOf, pathways: [id] })).toBe(
              blockers.some((b) => b.pathwayId === id),
            );
          const closedIds = blockers.map((b) => b.pathwayId);
          if (closedIds.length > 0) {
            expect(book.profileClosesAll(person, { asOf, pathways: closedIds })).toBe(true);
            expect(book.profileClosesAll(person, { asOf, pathways: [...closedIds, 'no-such-pathway'] })).toBe(false);
            const open = pathways.find((id) => !closedIds.includes(id));
            if (open) expect(book.profileClosesAll(person, { asOf, pathways: [...closedIds, open] })).toBe(false);
          }
          for (const offer of [undefined, ...offers]) {
            const results = book.evaluate(profile as EligibilityProfile, { asOf, pathways, offer });
            expectClosed(results, blockers);
          }
        },
      ),
      { numRuns: 500 },
    );
    expect(closed).toBeGreaterThan(500);
  });
  it('(c) offers of one class give every person the same result, but for the sentences that quote the offer', () => {
    // A second offer differs from the first in pay and terms (and sometimes occupation or sector): most pairs share a
    // class, the rest do not, and both must be common for the property to say anything.
    const terms = fc.record({
      sector: fc.constantFrom('Q', 'F', 'C'),
      isco08: occupation,
      sponsor: fc.boolean(),
      hoursPerWeek: fc.constantFrom(20, 30, 39),
      contract: fc.record({
        type: fc.constantFrom('permanent', 'fixed_term', 'seasonal' as const),
        months: fc.constantFrom(6, 12, 24),
      }),
      amount: fc.integer({ min: 20_000, max: 120_000 }),
      period: fc.constantFrom('year', 'year', 'month', 'hour' as const),
    });
    const offerOf = (
      destination: string,
      currency: string,
      t: typeof terms extends fc.Arbitrary<infer T> ? T : never,
    ) => ({
      destination,
      sector: t.sector,
      isco08: t.isco08,
      sponsor: t.sponsor,
      hoursPerWeek: t.hoursPerWeek,
      contract: t.contract,
      salary: {
        amount:
          t.period === 'month'
            ? Math.round(t.amount / 12)
            : t.period === 'hour'
              ? Math.round(t.amount / 2000)
              : t.amount,
        currency,
        period: t.period,
      },
    });
    // What a result decides, without its sentences.
    const decided = (results: EligibilityResult[]) =>
      results.map((r) => ({
        pathway: `${r.pathwayId}@${r.pathwayVersion}`,
        status: r.status,
        points: r.points,
        criteria: r.criteria.map((c) => [c.id, c.status, c.points]),
        gaps: (r.gaps ?? []).map((g) => [g.criterionId, g.bridge]),
      }));
    let same = 0;
    let differ = 0;
    fc.assert(
      fc.property(
        full,
        fc.subarray([...OPTIONAL]),
        fc.constantFrom(['DE', 'EUR'], ['AU', 'AUD'], ['GB', 'GBP'], ['FI', 'EUR'], ['JP', 'JPY'], ['CA', 'CAD']),
        terms,
        terms,
        fc.subarray(['sector', 'isco08', 'sponsor', 'hoursPerWeek', 'contract', 'period'] as const),
        fc.constantFrom('2024-06-01', '2025-09-01', '2026-01-15', '2026-08-01', '2027-05-01'),
        (complete, dropped, [destination, currency], first, other, changed, asOf) => {
          const profile: Record<string, unknown> = { ...complete };
          for (const k of dropped) delete profile[k];
          const second = { ...first, amount: other.amount };
          for (const k of changed) Object.assign(second, { [k]: other[k] });
          const a = offerOf(destination!, currency!, first);
          const b = offerOf(destination!, currency!, second);
          const pathways = book.list(asOf).map((p) => p.id);
          if (book.offerClass(a, { asOf, pathways }) !== book.offerClass(b, { asOf, pathways })) {
            differ++;
            return;
          }
          same++;
          const person = profile as EligibilityProfile;
          expect(decided(book.evaluate(person, { asOf, pathways, offer: b }))).toEqual(
            decided(book.evaluate(person, { asOf, pathways, offer: a })),
          );
        },
      ),
      { numRuns: 1_500 },
    );
    expect(same).toBeGreaterThan(150);
    expect(differ).toBeGreaterThan(150);
  });
  it('(c) an offer class tells sectors apart when a condition reads the sector', () => {
    // No shipped pack conditions a criterion on the offer's sector; this one does.
    const pack = structuredClone(book.get('de-skilled-worker', '2026-01-15')!);
    pack.criteria.find((c) => c.id === 'job-offer')!.appliesWhen = { kind: 'offerSectorIn', sectors: ['Q'] };
    const sectorBook = createRuleBook([pack]);
    const options = { asOf: '2026-01-15', pathways: [pack.id] };
    // An offer for another country fails the job-offer criterion wherever it applies.
    const health: OfferTermsInput = { destination: 'FR', sector: 'Q', isco08: '2221', sponsor: false };
    const building: OfferTermsInput = { ...health, sector: 'F' };
    expect(sectorBook.offerClass(health, options)).not.toBe(sectorBook.offerClass(building, options));
    // Rightly so: the criterion applies to one and not the other.
    const [inHealth] = sectorBook.evaluate(maria(), { ...options, offer: health });
    const [inBuilding] = sectorBook.evaluate(maria(), { ...options, offer: building });
    expect(crit(inHealth!, 'job-offer').status).toBe('unmet');
    expect(crit(inBuilding!, 'job-offer').status).toBe('met');
    // What this pack never reads of an offer does not split a class.
    expect(sectorBook.offerClass({ ...health, sponsor: true }, options)).toBe(sectorBook.offerClass(health, options));
  });
  it('(b) evaluation is deterministic and does not depend on object identity', () => {
    fc.assert(
      fc.property(full, offerArb, (profile, offer) => {
        const a = book.evaluate(profile as EligibilityProfile, { asOf: '2026-01-15', offer });
        const b = book.evaluate(structuredClone(profile) as EligibilityProfile, {
          asOf: '2026-01-15',
          offer: structuredClone(offer),
        });
        expect(b).toEqual(a);
      }),
      { numRuns: 200 },
    );
  });
});
