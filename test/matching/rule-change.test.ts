import { composePacks, evaluateTrainees } from '@corridor/evaluation';
import { matchVacancy, rematchPathwayVacancies } from '@corridor/jobs';
import { createRuleBook, shippedPacks, shippedRuleBook, validatePack } from '@corridor/rules';
import { afterAll, beforeAll, expect, it } from 'vitest';
import { buildTestApp, type TestApp } from '../helpers/app.ts';
import { outboxOfType, partnershipWorld, placementsOf, postTrainee, postVacancy, TODAY } from './helpers.ts';

// Stored eligibility is evaluated without a job offer, so a rule about offers (hours, salary, sponsorship) flips
// no trainee when it changes. The vacancies that accept the pathway are re-matched instead: proposals the new
// rule makes impossible are withdrawn with its sentence.

const PATHWAY = 'de-recognition-partnership';
const base = shippedPacks().find((p) => p.id === PATHWAY)!;
// From 1 April 2026 the offer must be full time: 40 hours a week (the vacancy offers 39).
const fullTime = {
  ...base,
  version: '2026-04-01',
  effectiveFrom: '2026-04-01',
  criteria: base.criteria.map((c) =>
    c.id === 'job-offer' && c.kind === 'jobOffer' ? { ...c, minHoursPerWeek: 40 } : c,
  ),
};

let t: TestApp;
let vacancyId: string;

beforeAll(async () => {
  t = await buildTestApp();
  const { employer, provider, partnershipId } = await partnershipWorld(t);
  const programme = { partnershipId, cohort: '2026-A', track: 'away' as const };
  const ids = [
    await postTrainee(t, provider, { externalRef: 'rc-1', programme }),
    await postTrainee(t, provider, { externalRef: 'rc-2', programme }),
  ];
  await evaluateTrainees(t.database, shippedRuleBook(), ids, { asOf: TODAY });
  vacancyId = await postVacancy(t, employer, { headcount: 1, partnershipId, hoursPerWeek: 39, pathways: [PATHWAY] });
  const first = await matchVacancy(t.database, shippedRuleBook(), vacancyId);
  expect(first?.proposed).toBe(2);
});
afterAll(() => t.close());

it('a stricter offer rule withdraws the proposals it makes impossible, with the reason, and tells the employer why the pathway closed', async () => {
  expect(validatePack(fullTime).ok).toBe(true);
  const book = createRuleBook(composePacks(shippedPacks(), [fullTime]));
  const { rematched, next } = await rematchPathwayVacancies(t.database, book, PATHWAY, undefined);
  expect(next).toBeUndefined();
  const mine = rematched.find((o) => o.vacancyId === vacancyId)!;
  expect(mine).toMatchObject({ withdrawn: 2, closedPathways: [{ pathwayId: PATHWAY, criterionId: 'job-offer' }] });
  const rows = await placementsOf(t.database, vacancyId);
  expect(rows.map((r) => r.status)).toEqual(['withdrawn', 'withdrawn']);
  for (const r of rows)
    expect(r.withdrawn_reason).toMatch(
      /de-recognition-partnership: not eligible \(job-offer needs a job offer in DE of 40\+ h\/week\)/,
    );
  expect(await outboxOfType(t.database, 'placement.withdrawn')).toHaveLength(2);
  // The employer hears why, once: the offer's 39 hours close the only pathway the vacancy accepts.
  const told = await outboxOfType(t.database, 'vacancy.offer_closed');
  expect(told.map((e) => e.payload)).toEqual([
    {
      vacancyId,
      all: true,
      pathways: [
        expect.objectContaining({ pathwayId: PATHWAY, pathwayVersion: '2026-04-01', criterionId: 'job-offer' }),
      ],
    },
  ]);

  // Idempotent: the same change again writes nothing.
  const again = await rematchPathwayVacancies(t.database, book, PATHWAY, undefined);
  expect(again.rematched.find((o) => o.vacancyId === vacancyId)).toMatchObject({ withdrawn: 0, proposed: 0 });
  expect(await outboxOfType(t.database, 'vacancy.offer_closed')).toHaveLength(1);
});
