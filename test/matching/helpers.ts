import { type Database, matchingRepository } from '@corridor/db';
import { loadRuleBook } from '@corridor/evaluation';
import { checkCandidate, prepareMatchVacancy, type VacancyForMatching } from '@corridor/jobs';
import { type RoundResult, vacancyScorer } from '@corridor/matching';
import { fanOut } from '@corridor/notify';
import { expect } from 'vitest';
import { admin, createOrganization, type TestApp } from '../helpers/app.ts';
import { nurseProfile, nursingVacancy } from '../helpers/factories.ts';

export type Org = Awaited<ReturnType<typeof createOrganization>>;

/** The legally relevant "today" the tests evaluate stored eligibility on. */
export const TODAY = '2026-03-15';

export const book = (database: Database) => loadRuleBook(database.db);

/** Employer, provider and partnership admin in one PH→DE nursing partnership (not G2G unless asked). */
export async function partnershipWorld(t: TestApp, options: { g2g?: boolean } = {}) {
  const employer = await createOrganization(t, 'employer', 'Klinikum Nord');
  const provider = await createOrganization(t, 'training_provider', 'Manila Nursing Academy', 'PH');
  const padmin = await createOrganization(t, 'partnership_admin', 'Triple Win desk');
  const res = await t.call({
    method: 'POST',
    url: '/v1/partnerships',
    headers: padmin.headers,
    payload: {
      name: 'PH–DE nurses',
      origin: 'PH',
      destination: 'DE',
      sectors: ['Q'],
      occupations: ['2221', '5321'],
      model: 'global_skills_partnership',
      governmentToGovernment: options.g2g ?? false,
      members: [
        { organizationId: employer.id, role: 'employer' },
        { organizationId: provider.id, role: 'training_provider' },
      ],
    },
  });
  expect(res.statusCode).toBe(201);
  return { employer, provider, padmin, partnershipId: res.json().id as string };
}

export async function postVacancy(t: TestApp, employer: Org, overrides: Record<string, unknown> = {}) {
  const res = await t.call({
    method: 'POST',
    url: '/v1/vacancies',
    headers: employer.headers,
    payload: nursingVacancy(overrides),
  });
  expect(res.statusCode, res.body).toBe(201);
  return res.json().id as string;
}

export async function postTrainee(t: TestApp, provider: Org, overrides: Parameters<typeof nurseProfile>[0] = {}) {
  const res = await t.call({
    method: 'POST',
    url: '/v1/trainees',
    headers: provider.headers,
    payload: nurseProfile(overrides),
  });
  expect(res.statusCode, res.body).toBe(201);
  return res.json().id as string;
}

export async function traineeKey(t: TestApp, provider: Org, traineeId: string) {
  const res = await t.call({ method: 'POST', url: `/v1/trainees/${traineeId}/access-key`, headers: provider.headers });
  expect(res.statusCode).toBe(201);
  return { authorization: `Bearer ${res.json().key}` };
}

export const placementsOf = (database: Database, vacancyId: string) =>
  database.db
    .selectFrom('placements')
    .selectAll()
    .where('vacancy_id', '=', vacancyId)
    .orderBy('score', 'desc')
    .orderBy('trainee_id')
    .execute();

export const outboxOfType = (database: Database, type: string) =>
  database.db.selectFrom('outbox').select(['aggregate_id', 'payload']).where('type', '=', type).orderBy('id').execute();

export { admin };

/** A cohort of the partnership, as the partnership admin creates it. */
export async function createCohort(t: TestApp, padmin: Org, partnershipId: string, name = '2026-A') {
  const res = await t.call({
    method: 'POST',
    url: `/v1/partnerships/${partnershipId}/cohorts`,
    headers: padmin.headers,
    payload: { name, startDate: '2026-01-10', tracks: ['away'] },
  });
  expect(res.statusCode).toBeLessThan(300);
}

/** Requests a match round for a cohort as the partnership admin (202, queued); returns the round's id. */
export async function requestRound(t: TestApp, padmin: Org, partnershipId: string, cohort = '2026-A'): Promise<string> {
  const res = await t.call({
    method: 'POST',
    url: `/v1/partnerships/${partnershipId}/match-rounds`,
    headers: padmin.headers,
    payload: { cohort },
  });
  expect(res.statusCode, res.body).toBe(202);
  return res.json().id as string;
}

/** A stored round result in the shape the stability checkers take. */
export const asRoundResult = (r: {
  matches: { traineeId: string; vacancyId: string }[];
  unfilled: RoundResult['unfilled'];
  unmatchedTrainees: string[];
}): RoundResult => ({
  matches: r.matches.map(({ traineeId, vacancyId }) => ({ traineeId, vacancyId })),
  unfilled: r.unfilled,
  unmatchedTrainees: r.unmatchedTrainees,
  stats: { proposals: 0 },
});

/**
 * Every trainee of a cohort checked against every open vacancy of the partnership, acceptable ones ranked by score
 * then vacancy id: what a round's lists must equal, cut to their length.
 */
export async function bruteForceLists(database: Database, partnershipId: string, cohort: string) {
  const rules = await book(database);
  const prepared = (await matchingRepository.partnershipOpenVacancies(database.db, partnershipId)).flatMap(
    (row) => prepareMatchVacancy(row as VacancyForMatching, 0) ?? [],
  );
  const best = new Map<string, string[]>();
  for (const trainee of await matchingRepository.cohortTrainees(database.db, partnershipId, cohort)) {
    const ok = prepared.flatMap((pv) => {
      const check = checkCandidate(rules, trainee, pv);
      return check.ok ? [{ id: pv.vacancy.id, score: vacancyScorer(pv.vacancy).score(check.candidate) }] : [];
    });
    ok.sort((a, b) => b.score - a.score || (a.id < b.id ? -1 : 1));
    best.set(
      trainee.id,
      ok.map((o) => o.id),
    );
  }
  return best;
}

/**
 * The outbox events of one type for one aggregate, fanned out to notifications as the notify.fanout job would (no
 * email server): the inbox items they make can then be read through the API.
 */
export async function fanOutEvents(database: Database, type: string, aggregateId: string) {
  const events = await database.db
    .selectFrom('outbox')
    .select(['event_id', 'type', 'aggregate_id', 'payload', 'created_at'])
    .where('type', '=', type)
    .where('aggregate_id', '=', aggregateId)
    .execute();
  await fanOut(
    database,
    events.map((e) => ({
      eventId: e.event_id,
      type: e.type,
      aggregateId: e.aggregate_id,
      payload: e.payload as Record<string, unknown>,
      createdAt: e.created_at.toISOString(),
    })),
    {
      appUrl: 'https://corridor.example',
      emailEnabled: false,
      digestWindowMs: 60_000,
      describeRuleChange: () => ({ pathwayName: '', effectiveFrom: null, criteria: [] }),
      queuedForMs: 60_000,
    },
  );
  return events;
}
