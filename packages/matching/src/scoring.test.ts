import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { SCORE_FACTORS, type ScoreFactor } from './prepared-vacancy.ts';
import { type BreakdownItem, type PairScore, rankCandidates, scorePair, vacancyScorer } from './scoring.ts';
import { hospitalVacancy, nurse } from './test-fixtures.ts';
import type { MatchCandidate } from './types.ts';

const item = (s: PairScore, f: ScoreFactor): BreakdownItem => s.breakdown.find((b) => b.factor === f)!;
const sumOf = (s: PairScore): number => s.breakdown.reduce((acc, b) => acc + b.weight * b.value, 0);

describe('scorePair', () => {
  it('names every factor once, in order, with weights that sum to 1 and a score equal to the weighted sum', () => {
    const s = scorePair(nurse(), hospitalVacancy());
    expect(s.breakdown.map((b) => b.factor)).toEqual([...SCORE_FACTORS]);
    expect(s.breakdown.reduce((a, b) => a + b.weight, 0)).toBeCloseTo(1, 12);
    expect(s.score).toBeCloseTo(sumOf(s), 12);
    expect(s.score).toBeGreaterThan(0);
    expect(s.score).toBeLessThanOrEqual(1);
    for (const b of s.breakdown) {
      expect(b.value).toBeGreaterThanOrEqual(0);
      expect(b.value).toBeLessThanOrEqual(1);
      expect(b.detail).toMatch(/^[A-Z0-9].*\.$/);
    }
  });

  it('flags below-skill work on the occupation item and scores the bridge lower than the same occupation', () => {
    const same = scorePair(nurse(), hospitalVacancy());
    const bridged = scorePair(nurse(), hospitalVacancy({ isco08: '5321' }));
    expect(same.belowSkill).toBe(false);
    expect(item(same, 'occupationFit')).toMatchObject({ value: 1, belowSkill: false });
    expect(bridged.belowSkill).toBe(true);
    expect(item(bridged, 'occupationFit')).toMatchObject({ value: 0.6, belowSkill: true });
    expect(item(bridged, 'occupationFit').detail).toMatch(/^Below skill level: the trainee is 2221 .* the job is 5321/);
    // Nursing experience still counts as relevant experience for the assistant job.
    expect(item(bridged, 'experience').detail).toMatch(/^48 months of relevant experience/);
  });

  it('scores the language margin in CEFR levels and says which way it goes', () => {
    const v = hospitalVacancy({ requirements: { languages: [{ language: 'de', cefr: 'B2' }] } });
    const at = (cefr: 'A2' | 'B1' | 'B2' | 'C1' | 'C2') =>
      item(scorePair(nurse({ languages: [{ language: 'de', cefr }] }), v), 'languageMargin');
    expect(at('B2').value).toBe(0.7);
    expect(at('C1').value).toBe(0.85);
    expect(at('C2').value).toBe(1);
    expect(at('B1').value).toBe(0.4);
    expect(at('A2').value).toBe(0.1);
    expect(at('B1').detail).toBe('German B1 against B2 required (1 level short).');
    expect(at('C2').detail).toBe('German C2 against B2 required (2 levels above).');
    const none = item(scorePair(nurse({ languages: [] }), v), 'languageMargin');
    expect(none.detail).toBe('German no level recorded against B2 required (4 levels short).');
    expect(none.value).toBe(0);
  });

  it('scores experience against the minimum', () => {
    const exp = (months: number) =>
      item(scorePair(nurse({ experience: [{ isco08: '2221', months }] }), hospitalVacancy()), 'experience');
    expect(exp(12).value).toBeCloseTo(0.35, 10);
    expect(exp(24).value).toBe(0.7);
    expect(exp(48).value).toBe(1);
    expect(exp(12).detail).toBe('12 months of relevant experience against 24 months required.');
    // Experience in an unrelated occupation does not count.
    const other = scorePair(nurse({ experience: [{ isco08: '7411', months: 120 }] }), hospitalVacancy());
    expect(item(other, 'experience').value).toBe(0);
  });

  it('scores time to readiness from gaps, readyBy and status', () => {
    const conditional = (extra: object) =>
      nurse({
        pathways: [
          {
            pathwayId: 'de-recognition-partnership',
            status: 'conditionally_eligible',
            gaps: [
              { criterionId: 'recognition', need: 'full recognition', have: 'none' },
              { criterionId: 'language', need: 'B2 German', have: 'B1 German' },
            ],
            ...extra,
          },
        ],
      });
    const eligible = item(scorePair(nurse(), hospitalVacancy()), 'readiness');
    expect(eligible.value).toBe(1);
    expect(eligible.detail).toMatch(/^Eligible for de-skilled-worker on the 2026-10-01 start date/);
    const twoGaps = item(scorePair(conditional({}), hospitalVacancy()), 'readiness');
    expect(twoGaps.value).toBe(0.5); // 2 gaps × 6 months of a 24-month horizon
    expect(twoGaps.detail).toMatch(
      /about 12 months of bridging after the 2026-10-01 start \(open gaps: need full recognition/,
    );
    const early = item(scorePair(conditional({ readyBy: '2026-08-01' }), hospitalVacancy()), 'readiness');
    expect(early.value).toBe(1);
    const late = item(scorePair(conditional({ readyBy: '2027-04-01' }), hospitalVacancy()), 'readiness');
    expect(late.value).toBeCloseTo(0.75, 2);
    // The soonest-ready accepted pathway is the one scored.
    const both = nurse({
      pathways: [...conditional({}).pathways, { pathwayId: 'de-skilled-worker', status: 'eligible' }],
    });
    expect(item(scorePair(both, hospitalVacancy()), 'readiness').value).toBe(1);
  });

  it('scores cost coverage by what the employer pays of the estimated bridging costs', () => {
    const noShare = { employerPaysTraining: false, employerPaysTravel: false, employerPaysVisa: false, workerFees: 0 };
    const travelOnly = { ...noShare, employerPaysTravel: true };
    const short = nurse({ languages: [{ language: 'de', cefr: 'A2' }] }); // 1 level short of B1: 1,500 training
    expect(item(scorePair(short, hospitalVacancy()), 'costCoverage').value).toBe(1);
    expect(item(scorePair(short, hospitalVacancy({ costSharing: noShare })), 'costCoverage').value).toBe(0);
    const partial = item(scorePair(short, hospitalVacancy({ costSharing: travelOnly })), 'costCoverage');
    expect(partial.value).toBeCloseTo(1200 / (1500 + 1200 + 400), 4);
    expect(partial.detail).toBe(
      'Estimated costs to bridge: EUR 3,100 (training EUR 1,500, travel EUR 1,200, visa EUR 400); the employer pays travel, covering 39%.',
    );
    const own = nurse({ bridgingCosts: { training: 0, travel: 1000, visa: 1000 } });
    expect(item(scorePair(own, hospitalVacancy({ costSharing: travelOnly })), 'costCoverage').value).toBe(0.5);
  });

  it('scores the destination by its place in the trainee’s preferences', () => {
    const pref = (destinations: string[] | undefined) =>
      item(scorePair(nurse({ preferences: { destinations } }), hospitalVacancy()), 'destinationPreference');
    expect(pref(['DE', 'AU', 'JP']).value).toBe(1);
    expect(pref(['AU', 'DE', 'JP']).value).toBe(0.6667);
    expect(pref(['AU', 'DE', 'JP']).detail).toBe("Germany (DE) is the trainee's 2nd of 3 preferred destinations.");
    expect(pref(undefined).value).toBe(0.5);
    expect(pref(undefined).detail).toMatch(/open to all/);
  });

  it('applies custom weights, normalised to shares', () => {
    const s = scorePair(nurse(), hospitalVacancy({ isco08: '5321' }), {
      occupationFit: 2,
      languageMargin: 0,
      experience: 0,
      readiness: 0,
      costCoverage: 0,
      destinationPreference: 0,
    });
    expect(item(s, 'occupationFit').weight).toBe(1);
    expect(s.score).toBe(0.6);
    expect(() => scorePair(nurse(), hospitalVacancy(), { occupationFit: -1 })).toThrow(RangeError);
  });
});

describe('rankCandidates', () => {
  const trainee = (id: string, months: number): MatchCandidate =>
    nurse({ traineeId: id, experience: [{ isco08: '2221', months }] });

  it('orders by score, breaks ties by trainee id ascending whatever the input order, and drops filtered trainees', () => {
    const candidates = [
      trainee('t-c', 36),
      trainee('t-a', 36),
      trainee('t-b', 48),
      { ...trainee('t-0', 60), consentToMatch: false },
      trainee('t-d', 12),
    ];
    const ids = (list: readonly MatchCandidate[]) => rankCandidates(hospitalVacancy(), list).map((r) => r.traineeId);
    expect(ids(candidates)).toEqual(['t-b', 't-a', 't-c', 't-d']);
    expect(ids([...candidates].reverse())).toEqual(['t-b', 't-a', 't-c', 't-d']);
  });

  it('shortlists max(10, 3 × headcount) by default, or the given limit', () => {
    const many = Array.from({ length: 50 }, (_, i) => trainee(`t-${String(i).padStart(2, '0')}`, i));
    expect(rankCandidates(hospitalVacancy({ headcount: 2 }), many)).toHaveLength(10);
    expect(rankCandidates(hospitalVacancy({ headcount: 7 }), many)).toHaveLength(21);
    // 48 and 49 months both score the full experience value: the tie goes to the lower trainee id.
    expect(rankCandidates(hospitalVacancy(), many, { limit: 4 }).map((r) => r.traineeId)).toEqual([
      't-48',
      't-49',
      't-47',
      't-46',
    ]);
    expect(rankCandidates(hospitalVacancy(), many, { limit: 0 })).toEqual([]);
  });

  it('returns the breakdown and the qualifying pathways in the contract’s item shape', () => {
    const [top] = rankCandidates(hospitalVacancy(), [trainee('t-1', 30)]);
    expect(top).toMatchObject({ traineeId: 't-1', pathways: [{ pathwayId: 'de-skilled-worker', status: 'eligible' }] });
    expect(top!.score).toBe(scorePair(trainee('t-1', 30), hospitalVacancy()).score);
  });

  it('equals sorting every filtered candidate by scorePair (property)', () => {
    const cefr = fc.constantFrom('A1', 'A2', 'B1', 'B2', 'C1', 'C2' as const);
    const candidate = fc.record({
      id: fc.integer({ min: 0, max: 40 }),
      isco08: fc.constantFrom('2221', '3221', '5321', '7411'),
      de: cefr,
      months: fc.integer({ min: 0, max: 80 }),
      status: fc.constantFrom('eligible', 'conditionally_eligible', 'not_eligible' as const),
      gaps: fc.integer({ min: 0, max: 3 }),
      dest: fc.constantFrom(undefined, ['DE'], ['AU', 'DE'], ['AU']),
    });
    fc.assert(
      fc.property(fc.array(candidate, { maxLength: 40 }), fc.integer({ min: 1, max: 15 }), (raw, limit) => {
        const candidates = raw.map((r, i) =>
          nurse({
            traineeId: `t-${r.id}-${i % 3}`,
            isco08: r.isco08,
            languages: [{ language: 'de', cefr: r.de }],
            experience: [{ isco08: r.isco08, months: r.months }],
            preferences: r.dest ? { destinations: r.dest } : {},
            pathways: [
              {
                pathwayId: 'de-recognition-partnership',
                status: r.status,
                gaps: Array.from({ length: r.gaps }, (_, g) => ({ criterionId: `c${g}`, need: 'x', have: 'y' })),
              },
            ],
          }),
        );
        const v = hospitalVacancy({ isco08: '5321' });
        const got = rankCandidates(v, candidates, { limit }).map((r) => [r.traineeId, r.score]);
        const expected = candidates
          .filter((c) => c.pathways[0]!.status !== 'not_eligible' && c.isco08 !== '7411')
          .filter((c) => !c.preferences?.destinations || c.preferences.destinations.includes('DE'))
          .map((c) => [c.traineeId, scorePair(c, v).score] as const)
          .sort((a, b) => b[1] - a[1] || (a[0] < b[0] ? -1 : a[0] > b[0] ? 1 : 0))
          .slice(0, limit);
        expect(got).toEqual(expected);
      }),
      { numRuns: 300 },
    );
  });

  // Its speed is measured by `pnpm bench` (packages/matching/bench), not asserted here: timed tests fail on a busy machine.
  it('ranks 10,000 candidates for one vacancy, the same list on every run', () => {
    const cefrs = ['A2', 'B1', 'B2', 'C1'] as const;
    const candidates = Array.from({ length: 10_000 }, (_, i) =>
      nurse({
        traineeId: `t-${i}`,
        isco08: i % 5 === 0 ? '3221' : '2221',
        languages: [{ language: 'de', cefr: cefrs[i % 4]! }],
        experience: [{ isco08: '2221', months: (i * 7) % 97 }],
        pathways:
          i % 3 === 0
            ? [
                {
                  pathwayId: 'de-recognition-partnership',
                  status: 'conditionally_eligible',
                  gaps: [{ criterionId: 'recognition', need: 'full', have: 'none' }],
                },
              ]
            : [{ pathwayId: 'de-skilled-worker', status: 'eligible' }],
      }),
    );
    const v = hospitalVacancy({ isco08: '5321', headcount: 5 });
    const first = rankCandidates(v, candidates);
    expect(first).toHaveLength(15);
    expect(first.map((c) => c.score)).toEqual([...first.map((c) => c.score)].sort((a, b) => b - a));
    expect(rankCandidates(v, [...candidates].reverse())).toEqual(first);
  });
});

describe('vacancyScorer.upperBound', () => {
  const cefr = fc.constantFrom('A1', 'A2', 'B1', 'B2', 'C1', 'C2' as const);
  const language = fc.constantFrom('de', 'en', 'ja');
  const destination = fc.constantFrom('DE', 'AU', 'JP', 'GB');
  const occupation = fc.constantFrom('2221', '3221', '5321', '5322', '7112');
  const pathwayId = fc.constantFrom('de-skilled-worker', 'de-recognition-partnership', 'au-482-core');
  const candidate = fc.record({
    isco08: occupation,
    languages: fc.array(fc.record({ language, cefr }), { maxLength: 3 }),
    experience: fc.array(fc.record({ isco08: occupation, months: fc.integer({ min: 0, max: 240 }) }), {
      maxLength: 3,
    }),
    destinations: fc.uniqueArray(destination, { maxLength: 4 }),
    pathways: fc.array(
      fc.record({
        pathwayId,
        status: fc.constantFrom('eligible', 'conditionally_eligible', 'not_eligible', 'insufficient_data' as const),
        readyBy: fc.option(fc.constantFrom('2026-01-01', '2026-12-01', '2028-06-01'), { nil: undefined }),
        gaps: fc.array(
          fc.record({
            criterionId: fc.constantFrom('language-de', 'recognition', 'licence'),
            need: fc.constant('x'),
            have: fc.constant('y'),
          }),
          { maxLength: 3 },
        ),
      }),
      { maxLength: 3 },
    ),
  });
  const vacancy = fc.record({
    isco08: occupation,
    destination,
    languages: fc.uniqueArray(fc.record({ language, cefr }), { maxLength: 2, selector: (l) => l.language }),
    minExperienceMonths: fc.constantFrom(0, 12, 24, 60),
    employerPaysTraining: fc.boolean(),
    employerPaysTravel: fc.boolean(),
    employerPaysVisa: fc.boolean(),
  });

  const scorerOf = (v: typeof vacancy extends fc.Arbitrary<infer T> ? T : never, startDate?: string) =>
    vacancyScorer(
      hospitalVacancy({
        isco08: v.isco08,
        destination: v.destination,
        ...(startDate ? { startDate } : {}),
        requirements: { languages: v.languages, minExperienceMonths: v.minExperienceMonths },
        costSharing: {
          employerPaysTraining: v.employerPaysTraining,
          employerPaysTravel: v.employerPaysTravel,
          employerPaysVisa: v.employerPaysVisa,
          workerFees: 0,
        },
      }),
    );

  it('never lies below the exact score, for any candidate and vacancy (bit for bit, no tolerance)', () => {
    fc.assert(
      fc.property(candidate, vacancy, fc.integer({ min: 0, max: 36 }), (c, v, later) => {
        const scorer = scorerOf(v);
        const m = nurse({
          isco08: c.isco08,
          languages: c.languages,
          experience: c.experience,
          preferences: { destinations: c.destinations },
          pathways: c.pathways.map((p) => ({
            pathwayId: p.pathwayId,
            status: p.status,
            ...(p.readyBy ? { readyBy: p.readyBy } : {}),
            ...(p.gaps.length > 0 ? { gaps: p.gaps } : {}),
          })),
        });
        const features = scorer.featuresOf(m);
        expect(scorer.score(m)).toBeLessThanOrEqual(scorer.upperBound(features));
        // Experience counted to a later date (more months) or not known at all still bounds it.
        expect(scorer.score(m)).toBeLessThanOrEqual(
          scorer.upperBound({ ...features, experienceMonths: features.experienceMonths! + later }),
        );
        const { experienceMonths: _unknown, ...withoutExperience } = features;
        expect(scorer.upperBound(features)).toBeLessThanOrEqual(scorer.upperBound(withoutExperience));
      }),
      { numRuns: 3000 },
    );
  });

  it('is the same for any two vacancies with the same boundKey, whatever else differs', () => {
    const features = fc.record({
      isco08: occupation,
      minLanguageMargin: fc.oneof(fc.integer({ min: -6, max: 6 }), fc.constant(Number.POSITIVE_INFINITY)),
      languageStepsShort: fc.integer({ min: 0, max: 12 }),
      preferenceIndex: fc.integer({ min: -1, max: 3 }),
      preferenceCount: fc.integer({ min: 0, max: 4 }),
      experienceMonths: fc.option(fc.integer({ min: 0, max: 240 }), { nil: undefined }),
    });
    fc.assert(
      fc.property(vacancy, vacancy, fc.boolean(), features, (a, b, reorder, f) => {
        // The twin differs from a only in what the bound must not read: its start date and the order its
        // languages are listed in.
        const twin = { ...a, languages: reorder ? [...a.languages].reverse() : a.languages };
        const sa = scorerOf(a, '2027-03-01');
        const st = scorerOf(twin, '2028-09-01');
        expect(st.boundKey).toBe(sa.boundKey);
        expect(st.upperBound(f)).toBe(sa.upperBound(f));
        // a with any one field of b: equal keys, equal bounds (so the key leaves out nothing the bound reads).
        for (const field of Object.keys(b) as (keyof typeof b)[]) {
          const sibling = scorerOf({ ...a, [field]: b[field] }, '2028-09-01');
          if (sibling.boundKey === sa.boundKey) expect(sibling.upperBound(f)).toBe(sa.upperBound(f));
        }
      }),
      { numRuns: 3000 },
    );
  });

  it('experienceMonths and upperBoundWith give the bound of featuresOf for any vacancy of the same occupation, destination and languages', () => {
    fc.assert(
      fc.property(candidate, vacancy, vacancy, (c, a, b) => {
        const m = nurse({
          isco08: c.isco08,
          languages: c.languages,
          experience: c.experience,
          preferences: { destinations: c.destinations },
        });
        const withoutExperience = { ...m, experience: [] };
        // b with a's occupation, destination and languages: its experience asked and who pays still differ.
        const sa = scorerOf(a);
        const sb = scorerOf({ ...b, isco08: a.isco08, destination: a.destination, languages: a.languages });
        const common = sa.featuresOf(withoutExperience);
        expect(sa.experienceMonths(m.experience)).toBe(sa.featuresOf(m).experienceMonths);
        expect(sb.experienceMonths(m.experience)).toBe(sb.featuresOf(m).experienceMonths);
        const months = sa.experienceMonths(m.experience);
        expect(sa.upperBoundWith(common, months)).toBe(sa.upperBound(sa.featuresOf(m)));
        expect(sb.upperBoundWith(common, months)).toBe(sb.upperBound(sb.featuresOf(m)));
      }),
      { numRuns: 2000 },
    );
  });

  it('is reached exactly by a trainee with nothing unknown left to lose', () => {
    const scorer = vacancyScorer(hospitalVacancy());
    const best = nurse({ experience: [{ isco08: '2221', months: 120 }] });
    expect(scorer.score(best)).toBe(scorer.upperBound(scorer.featuresOf(best)));
  });
});
