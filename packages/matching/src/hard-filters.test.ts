import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import {
  checkHardFilters,
  checkPrepared,
  type HardFilterId,
  type HardFilterResult,
  hardFiltersPass,
  passesHardFilters,
} from './hard-filters.ts';
import { prepareVacancy } from './prepared-vacancy.ts';
import { vacancyScorer } from './scoring.ts';
import { hospitalVacancy, nurse } from './test-fixtures.ts';

const failedIds = (r: HardFilterResult): HardFilterId[] => (r.ok ? [] : r.failures.map((f) => f.filter));

describe('checkHardFilters', () => {
  it('accepts an eligible nurse for a matching open vacancy and names the qualifying pathways', () => {
    const r = checkHardFilters(nurse(), hospitalVacancy());
    expect(r.ok).toBe(true);
    if (!r.ok) return;
    expect(r.pathways.map((p) => p.pathwayId)).toEqual(['de-skilled-worker']);
    expect(r.occupation).toMatchObject({ kind: 'same', fit: 1, belowSkill: false });
  });

  it.each<[string, Parameters<typeof nurse>[0], Parameters<typeof hospitalVacancy>[0], HardFilterId, RegExp]>([
    ['a paused vacancy', {}, { status: 'paused' }, 'vacancy-open', /vacancy is paused/],
    ['a full vacancy', {}, { filled: 3 }, 'vacancy-full', /All 3 places/],
    ['no consent', { consentToMatch: false }, {}, 'consent', /not consented/],
    ['another occupation', { isco08: '7411' }, {}, 'occupation', /7411 \(Building and Related Electricians\)/],
    [
      'a destination the trainee did not choose',
      { preferences: { destinations: ['AU', 'JP'] } },
      {},
      'destination',
      /\(AU, JP\) do not include Germany \(DE\)/,
    ],
    [
      'availability after the start date',
      { preferences: { earliestStart: '2026-11-01' } },
      {},
      'availability',
      /available from 2026-11-01, after the vacancy's start date 2026-10-01/,
    ],
    [
      'no eligibility on an accepted pathway',
      {
        pathways: [
          { pathwayId: 'de-skilled-worker', status: 'not_eligible' },
          { pathwayId: 'au-189', status: 'eligible' },
        ],
      },
      {},
      'pathway',
      /de-skilled-worker: not eligible; de-recognition-partnership: not evaluated/,
    ],
    [
      'insufficient data only',
      { pathways: [{ pathwayId: 'de-skilled-worker', status: 'insufficient_data' }] },
      {},
      'pathway',
      /neither eligible nor conditionally eligible/,
    ],
    [
      'a WHO safeguard-list country for a health role',
      { residence: 'NG', safeguards: [{ id: 'who-safeguard-list', status: 'restricted' }] },
      {},
      'who-safeguard-list',
      /government-to-government/,
    ],
    [
      'recruitment fees charged to the worker',
      {},
      {
        costSharing: { employerPaysTraining: true, employerPaysTravel: true, employerPaysVisa: true, workerFees: 250 },
      },
      'worker-fees',
      /charges the worker 250 in fees/,
    ],
    [
      'an employer-pays safeguard restriction',
      { safeguards: [{ id: 'employer-pays', status: 'restricted' }] },
      {},
      'worker-fees',
      /employer-pays safeguard is restricted/,
    ],
  ])('rejects %s with exactly that filter and a readable reason', (_label, c, v, filter, reason) => {
    const r = checkHardFilters(nurse(c), hospitalVacancy(v));
    expect(r.ok).toBe(false);
    if (r.ok) return;
    expect(r.failures).toHaveLength(1);
    expect(r.failures[0]!.filter).toBe(filter);
    expect(r.failures[0]!.reason).toMatch(reason);
    expect(r.failures[0]!.reason).toMatch(/\.$/);
  });

  it('lists every failed filter at once, not only the first', () => {
    const r = checkHardFilters(
      nurse({ consentToMatch: false, preferences: { destinations: ['AU'], earliestStart: '2027-01-01' } }),
      hospitalVacancy({ status: 'closed' }),
    );
    expect(failedIds(r)).toEqual(['vacancy-open', 'consent', 'destination', 'availability']);
  });

  it('treats no stated destinations as open to all and no earliest start as available', () => {
    expect(checkHardFilters(nurse({ preferences: {} }), hospitalVacancy()).ok).toBe(true);
    expect(checkHardFilters(nurse({ preferences: { destinations: [] } }), hospitalVacancy()).ok).toBe(true);
    expect(checkHardFilters(nurse({ preferences: undefined }), hospitalVacancy()).ok).toBe(true);
  });

  it('accepts availability exactly on the start date', () => {
    const r = checkHardFilters(nurse({ preferences: { earliestStart: '2026-10-01' } }), hospitalVacancy());
    expect(r.ok).toBe(true);
  });

  it('accepts a conditionally eligible trainee on an accepted bridging pathway', () => {
    const c = nurse({
      pathways: [
        { pathwayId: 'de-skilled-worker', status: 'not_eligible' },
        {
          pathwayId: 'de-recognition-partnership',
          status: 'conditionally_eligible',
          gaps: [{ criterionId: 'recognition', need: 'full recognition', have: 'none' }],
        },
      ],
    });
    const r = checkHardFilters(c, hospitalVacancy());
    expect(r.ok && r.pathways.map((p) => p.pathwayId)).toEqual(['de-recognition-partnership']);
  });

  it('lets a registered nurse take a health care assistant job along the declared bridge, flagged below skill', () => {
    const r = checkHardFilters(nurse(), hospitalVacancy({ isco08: '5321' }));
    expect(r.ok).toBe(true);
    if (!r.ok) return;
    expect(r.occupation).toMatchObject({ kind: 'bridge', belowSkill: true });
    expect(r.occupation.reason).toMatch(/health care assistant/);
  });

  it('does not bridge the other way or without a declared row', () => {
    expect(failedIds(checkHardFilters(nurse({ isco08: '5321' }), hospitalVacancy({ isco08: '2221' })))).toEqual([
      'occupation',
    ]);
    expect(failedIds(checkHardFilters(nurse(), hospitalVacancy({ isco08: '5321' }), { bridges: [] }))).toEqual([
      'occupation',
    ]);
  });

  describe('WHO safeguard list', () => {
    const restricted = nurse({
      residence: 'NG',
      partnershipId: 'p-ng-de',
      safeguards: [{ id: 'who-safeguard-list', status: 'restricted' }],
    });

    it('is lifted by a government-to-government partnership the trainee belongs to', () => {
      const v = hospitalVacancy({ partnership: { id: 'p-ng-de', governmentToGovernment: true } });
      expect(checkHardFilters(restricted, v).ok).toBe(true);
    });

    it('is lifted by a G2G partnership whose origin is the trainee’s residence', () => {
      const v = hospitalVacancy({ partnership: { id: 'other', governmentToGovernment: true, origin: 'NG' } });
      expect(checkHardFilters(restricted, v).ok).toBe(true);
    });

    it('is not lifted by a traditional partnership or a G2G partnership for another corridor', () => {
      const traditional = hospitalVacancy({ partnership: { id: 'p-ng-de', governmentToGovernment: false } });
      const elsewhere = hospitalVacancy({ partnership: { id: 'p-ke', governmentToGovernment: true, origin: 'KE' } });
      expect(failedIds(checkHardFilters(restricted, traditional))).toEqual(['who-safeguard-list']);
      expect(failedIds(checkHardFilters(restricted, elsewhere))).toEqual(['who-safeguard-list']);
    });

    it('does not restrict roles outside health and care', () => {
      const electrician = { ...restricted, isco08: '7411' };
      const v = hospitalVacancy({ isco08: '7411', sector: 'F' });
      expect(checkHardFilters(electrician, v).ok).toBe(true);
    });

    it('allows a direct application (the list restricts active recruitment only)', () => {
      expect(checkHardFilters(restricted, hospitalVacancy(), { directApplication: true }).ok).toBe(true);
    });
  });

  it('the fast path agrees with the full check on random pairs (property)', () => {
    const arb = fc.record({
      consent: fc.boolean(),
      isco08: fc.constantFrom('2221', '3221', '5321', '7411'),
      destinations: fc.constantFrom(undefined, [], ['DE'], ['AU']),
      earliestStart: fc.constantFrom(undefined, '2026-09-01', '2026-12-01'),
      status: fc.constantFrom('eligible', 'conditionally_eligible', 'not_eligible', 'insufficient_data' as const),
      pathwayId: fc.constantFrom('de-skilled-worker', 'au-189'),
      who: fc.constantFrom('clear', 'restricted' as const),
      fees: fc.constantFrom(0, 100),
      vacancyStatus: fc.constantFrom('open', 'paused' as const),
      filled: fc.integer({ min: 0, max: 3 }),
      g2g: fc.boolean(),
      direct: fc.boolean(),
    });
    fc.assert(
      fc.property(arb, (r) => {
        const c = nurse({
          consentToMatch: r.consent,
          isco08: r.isco08,
          preferences: { destinations: r.destinations, earliestStart: r.earliestStart },
          pathways: [{ pathwayId: r.pathwayId, status: r.status }],
          safeguards: [{ id: 'who-safeguard-list', status: r.who }],
          partnershipId: 'p1',
        });
        const v = hospitalVacancy({
          isco08: '5321',
          status: r.vacancyStatus,
          filled: r.filled,
          costSharing: {
            employerPaysTraining: true,
            employerPaysTravel: true,
            employerPaysVisa: true,
            workerFees: r.fees,
          },
          partnership: { id: 'p1', governmentToGovernment: r.g2g },
        });
        const pv = prepareVacancy(v);
        expect(passesHardFilters(c, pv, r.direct)).toBe(checkPrepared(c, pv, r.direct).ok);
        // A vacancy's scorer answers for it as the filters do, with the bridges it was made with.
        if (!r.direct) {
          expect(vacancyScorer(v).passesHardFilters(c)).toBe(hardFiltersPass(c, v));
          expect(vacancyScorer(v, { bridges: [] }).passesHardFilters(c)).toBe(hardFiltersPass(c, v, { bridges: [] }));
        }
      }),
      { numRuns: 1000 },
    );
  });
});
