import { evaluateTrainees } from '@corridor/evaluation';
import { matchTrainee, matchVacancy } from '@corridor/jobs';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { buildTestApp, createOrganization, type TestApp } from '../helpers/app.ts';
import {
  book,
  type Org,
  outboxOfType,
  partnershipWorld,
  placementsOf,
  postTrainee,
  postVacancy,
  TODAY,
  traineeKey,
} from './helpers.ts';

// Issue 4 end to end on real Postgres, calling the job functions the handlers call: a vacancy is matched, a later
// trainee enters the same shortlist, an ineligible one is withdrawn with the reason; the API shows pseudonymised
// profiles until consent or acceptance, enforces the placement state machine (409) and tenancy (404/403).

let t: TestApp;
let employer: Org;
let provider: Org;
let padmin: Org;
let partnershipId: string;
let vacancyId: string;
const ids: Record<string, string> = {};

const programme = () => ({ partnershipId, cohort: '2026-A', track: 'away' as const });

beforeAll(async () => {
  t = await buildTestApp();
  ({ employer, provider, padmin, partnershipId } = await partnershipWorld(t));
  // Eligible on the recognition partnership (German B1, qualification in recognition), enrolled in the programme.
  ids.ana = await postTrainee(t, provider, { externalRef: 'ana', givenName: 'Ana', programme: programme() });
  // German A2: one level below the vacancy's B1 (tolerated, scored down), still eligible for § 16d(3).
  ids.ben = await postTrainee(t, provider, {
    externalRef: 'ben',
    givenName: 'Ben',
    programme: programme(),
    languages: [
      { language: 'en', cefr: 'C1' },
      { language: 'de', cefr: 'A2' },
    ],
  });
  // Wants Australia only: never proposed for Germany.
  ids.cara = await postTrainee(t, provider, {
    externalRef: 'cara',
    programme: programme(),
    preferences: { destinations: ['AU'] },
  });
  // Neither enrolled in a programme nor sharing her profile: not matched (consent).
  ids.dana = await postTrainee(t, provider, { externalRef: 'dana' });
  await evaluateTrainees(t.database, await book(t.database), Object.values(ids), { asOf: TODAY });
  vacancyId = await postVacancy(t, employer, { headcount: 1, partnershipId });
});
afterAll(() => t.close());

describe('match.vacancy', () => {
  it('proposes the qualifying trainees, best first, with breakdowns naming the pathway used', async () => {
    const outcome = await matchVacancy(t.database, await book(t.database), vacancyId);
    expect(outcome).toMatchObject({ proposed: 2, withdrawn: 0 });
    const rows = await placementsOf(t.database, vacancyId);
    expect(rows.map((r) => r.trainee_id)).toEqual([ids.ana, ids.ben]);
    expect(rows.map((r) => r.rank)).toEqual([1, 2]);
    for (const r of rows) {
      expect(r.status).toBe('proposed');
      expect(r.pathways).toContainEqual({ pathwayId: 'de-recognition-partnership', status: 'eligible' });
      expect(r.pack_versions['de-recognition-partnership']).toBeDefined();
      expect(r.breakdown.map((b) => b.factor)).toEqual([
        'occupationFit',
        'languageMargin',
        'experience',
        'readiness',
        'costCoverage',
        'destinationPreference',
      ]);
      const readiness = r.breakdown.find((b) => b.factor === 'readiness')!;
      expect(readiness.detail).toMatch(/de-recognition-partnership|de-skilled-worker/);
      // The score is exactly the weighted sum of its components.
      expect(r.score).toBeCloseTo(
        r.breakdown.reduce((s, b) => s + b.weight * b.value, 0),
        10,
      );
    }
    expect(rows[1]!.breakdown.find((b) => b.factor === 'languageMargin')!.detail).toContain('1 level short');
    const proposed = await outboxOfType(t.database, 'placement.proposed');
    expect(proposed.map((e) => e.aggregate_id).sort()).toEqual(rows.map((r) => r.id).sort());
    // Each event names its placement, both sides, the transition and the score; nothing about the person.
    const byPlacement = new Map(proposed.map((e) => [e.aggregate_id, e.payload]));
    for (const r of rows)
      expect(byPlacement.get(r.id)).toEqual({
        placementId: r.id,
        vacancyId,
        traineeId: r.trainee_id,
        from: null,
        to: 'proposed',
        score: r.score,
        rank: r.rank,
        source: 'shortlist',
      });
    // One history row per placement: the engine proposed it.
    const history = await t.database.db.selectFrom('placement_events').selectAll().execute();
    expect(history.map((h) => h.placement_id).sort()).toEqual(rows.map((r) => r.id).sort());
    expect(
      history.every((h) => h.actor_side === 'engine' && h.from_status === null && h.to_status === 'proposed'),
    ).toBe(true);
  });

  it('is deterministic: a re-run writes nothing and emits nothing', async () => {
    const before = await placementsOf(t.database, vacancyId);
    const events = (await t.database.db.selectFrom('outbox').select('id').execute()).length;
    const outcome = await matchVacancy(t.database, await book(t.database), vacancyId);
    expect(outcome).toMatchObject({ proposed: 0, reproposed: 0, refreshed: 0, withdrawn: 0 });
    expect(await placementsOf(t.database, vacancyId)).toEqual(before);
    expect((await t.database.db.selectFrom('outbox').select('id').execute()).length).toBe(events);
  });
});

describe('match.trainee', () => {
  it('a trainee posted later who qualifies enters the same shortlist', async () => {
    ids.eva = await postTrainee(t, provider, {
      externalRef: 'eva',
      programme: programme(),
      languages: [
        { language: 'en', cefr: 'C1' },
        { language: 'de', cefr: 'B2' },
      ],
    });
    // No stored eligibility yet: match.trainee evaluates the rules itself with the vacancy's offer.
    const outcome = await matchTrainee(t.database, await book(t.database), ids.eva);
    // She enters the shortlist directly; the vacancy's full match is not re-run, and would change nothing.
    expect(outcome.rerun).toEqual([]);
    expect(outcome.entered).toMatchObject({ vacancies: 1, proposed: 1 });
    expect(await matchVacancy(t.database, await book(t.database), vacancyId)).toMatchObject({
      proposed: 0,
      reproposed: 0,
      refreshed: 0,
      withdrawn: 0,
    });
    const rows = await placementsOf(t.database, vacancyId);
    expect(rows.map((r) => r.trainee_id)).toContain(ids.eva);
    // B2 German beats B1: she ranks first, and the ranks were refreshed.
    expect(rows[0]!.trainee_id).toBe(ids.eva);
    expect(rows.map((r) => r.rank)).toEqual([1, 2, 3]);
  });

  it('a trainee who becomes ineligible is withdrawn, with the reason', async () => {
    const patch = await t.call({
      method: 'PATCH',
      url: `/v1/trainees/${ids.ben}`,
      headers: provider.headers,
      payload: { languages: [{ language: 'de', cefr: 'A1' }] },
    });
    expect(patch.statusCode).toBe(200);
    const evaluated = await evaluateTrainees(t.database, await book(t.database), [ids.ben!], { asOf: TODAY });
    expect(evaluated.changed).toBeGreaterThan(0); // eligibility.changed → match.trainee (routes.ts)
    await matchTrainee(t.database, await book(t.database), ids.ben!);
    const ben = (await placementsOf(t.database, vacancyId)).find((r) => r.trainee_id === ids.ben)!;
    expect(ben.status).toBe('withdrawn');
    expect(ben.withdrawn_reason).toMatch(/neither eligible nor conditionally eligible/);
    expect(ben.withdrawn_reason).toMatch(/de-recognition-partnership/);
    const withdrawn = await outboxOfType(t.database, 'placement.withdrawn');
    expect(withdrawn.map((e) => e.aggregate_id)).toEqual([ben.id]);
    expect(JSON.stringify(withdrawn[0]!.payload)).not.toMatch(/Ben|Santos/);

    const res = await t.call({ method: 'GET', url: `/v1/placements/${ben.id}`, headers: employer.headers });
    expect(res.statusCode).toBe(200);
    expect(res.json().history.at(-1)).toMatchObject({ from: 'proposed', to: 'withdrawn', by: 'engine' });
    expect(res.json().history.at(-1).reason).toMatch(/not eligible|neither eligible/);
    // Gone from the default list, visible on request.
    const open = await t.call({ method: 'GET', url: `/v1/vacancies/${vacancyId}/matches`, headers: employer.headers });
    expect(open.json().items.map((i: { traineeId: string }) => i.traineeId)).not.toContain(ids.ben);
    const closed = await t.call({
      method: 'GET',
      url: `/v1/vacancies/${vacancyId}/matches?status=withdrawn`,
      headers: employer.headers,
    });
    expect(closed.json().items).toHaveLength(1);
    expect(closed.json().items[0].withdrawnReason).toMatch(/eligible/);
  });

  it('a trainee who qualifies again is re-proposed', async () => {
    await t.call({
      method: 'PATCH',
      url: `/v1/trainees/${ids.ben}`,
      headers: provider.headers,
      payload: { languages: [{ language: 'de', cefr: 'B1' }] },
    });
    await evaluateTrainees(t.database, await book(t.database), [ids.ben!], { asOf: TODAY });
    await matchTrainee(t.database, await book(t.database), ids.ben!);
    const ben = (await placementsOf(t.database, vacancyId)).find((r) => r.trainee_id === ids.ben)!;
    expect(ben.status).toBe('proposed');
    expect(ben.withdrawn_reason).toBeNull();
  });
});

describe('matches API: pseudonymisation', () => {
  const PII = /Maria|Santos|maria\.santos@example\.org|1996-04-02|"Ana"|"Eva"/;

  it('shows no names, email or date of birth before consent or acceptance; an age band and a stable pseudonym instead', async () => {
    const res = await t.call({ method: 'GET', url: `/v1/vacancies/${vacancyId}/matches`, headers: employer.headers });
    expect(res.statusCode).toBe(200);
    expect(res.body).not.toMatch(PII);
    const items = res.json().items as {
      traineeId: string;
      score: number;
      breakdown: unknown[];
      pathways: unknown[];
      profile: Record<string, unknown>;
    }[];
    expect(items.length).toBe(3);
    for (let i = 1; i < items.length; i++) expect(items[i - 1]!.score).toBeGreaterThanOrEqual(items[i]!.score);
    for (const item of items) {
      expect(item.profile).toMatchObject({ identified: false, nationality: 'PH', ageBand: '30–34' });
      expect(item.profile.pseudonym).toMatch(/^Candidate [0-9A-F]{8}$/);
      expect(item.profile).not.toHaveProperty('givenName');
      expect(item.profile).not.toHaveProperty('dateOfBirth');
      expect(item.breakdown).toHaveLength(6);
      expect(item.pathways.length).toBeGreaterThan(0);
    }
    const again = await t.call({ method: 'GET', url: `/v1/vacancies/${vacancyId}/matches`, headers: employer.headers });
    expect(again.json().items.map((i: { profile: { pseudonym: string } }) => i.profile.pseudonym)).toEqual(
      items.map((i) => i.profile.pseudonym),
    );
  });

  it("shows the trainee's identity once the trainee accepts; both acceptances make a match", async () => {
    const anaPlacement = (await placementsOf(t.database, vacancyId)).find((r) => r.trainee_id === ids.ana)!;
    const anaKey = await traineeKey(t, provider, ids.ana!);
    const own = await t.call({ method: 'GET', url: `/v1/trainees/${ids.ana}/matches`, headers: anaKey });
    expect(own.statusCode).toBe(200);
    expect(own.json().items[0]).toMatchObject({
      vacancyId,
      placementId: anaPlacement.id,
      vacancy: { destination: 'DE', isco08: '2221', startDate: '2026-10-01', salary: { amount: 52000 } },
    });

    const accept = await t.call({
      method: 'POST',
      url: `/v1/placements/${anaPlacement.id}/decisions`,
      headers: anaKey,
      payload: { decision: 'accept' },
    });
    expect(accept.statusCode, accept.body).toBe(200);
    expect(accept.json()).toMatchObject({ status: 'accepted_by_trainee', traineeDecision: 'accepted' });

    const list = await t.call({ method: 'GET', url: `/v1/vacancies/${vacancyId}/matches`, headers: employer.headers });
    const ana = list.json().items.find((i: { traineeId: string }) => i.traineeId === ids.ana);
    expect(ana.profile).toMatchObject({ identified: true, givenName: 'Ana', dateOfBirth: '1996-04-02' });
    const others = list.json().items.filter((i: { traineeId: string }) => i.traineeId !== ids.ana);
    for (const o of others) expect(o.profile.identified).toBe(false);

    const employerAccept = await t.call({
      method: 'POST',
      url: `/v1/placements/${anaPlacement.id}/decisions`,
      headers: employer.headers,
      payload: { decision: 'accept', reason: 'Strong interview' },
    });
    expect(employerAccept.statusCode).toBe(200);
    expect(employerAccept.json().status).toBe('matched');
    expect(employerAccept.json().history.map((h: { to: string }) => h.to)).toEqual([
      'proposed',
      'accepted_by_trainee',
      'matched',
    ]);
    const types = (
      await t.database.db
        .selectFrom('outbox')
        .select('type')
        .where('aggregate_id', '=', anaPlacement.id)
        .orderBy('id')
        .execute()
    ).map((e) => e.type);
    expect(types).toEqual(['placement.proposed', 'placement.accepted', 'placement.accepted', 'placement.matched']);
  });

  it('a filled vacancy withdraws its remaining proposals (placement.matched → match.vacancy)', async () => {
    await matchVacancy(t.database, await book(t.database), vacancyId);
    const rows = await placementsOf(t.database, vacancyId);
    const rest = rows.filter((r) => r.trainee_id !== ids.ana);
    expect(rest.every((r) => r.status === 'withdrawn')).toBe(true);
    expect(rest[0]!.withdrawn_reason).toMatch(/already filled/);
    expect(rows.find((r) => r.trainee_id === ids.ana)!.status).toBe('matched');
  });
});

describe('placement state machine', () => {
  let placementId: string;
  beforeAll(async () => {
    placementId = (await placementsOf(t.database, vacancyId)).find((r) => r.trainee_id === ids.ana)!.id;
  });

  it('refuses illegal transitions with 409 problem+json', async () => {
    const again = await t.call({
      method: 'POST',
      url: `/v1/placements/${placementId}/decisions`,
      headers: employer.headers,
      payload: { decision: 'decline' },
    });
    expect(again.statusCode).toBe(409);
    expect(again.headers['content-type']).toContain('application/problem+json');
    expect(again.json()).toMatchObject({ status: 409, type: expect.stringContaining('conflict') });
  });

  it('records milestones forward only', async () => {
    const lodged = await t.call({
      method: 'POST',
      url: `/v1/placements/${placementId}/milestones`,
      headers: employer.headers,
      payload: { milestone: 'visa_lodged', date: '2026-05-01' },
    });
    expect(lodged.statusCode).toBe(200);
    const granted = await t.call({
      method: 'POST',
      url: `/v1/placements/${placementId}/milestones`,
      headers: provider.headers,
      payload: { milestone: 'visa_granted' },
    });
    expect(granted.json().status).toBe('visa_granted');
    const back = await t.call({
      method: 'POST',
      url: `/v1/placements/${placementId}/milestones`,
      headers: employer.headers,
      payload: { milestone: 'visa_lodged' },
    });
    expect(back.statusCode).toBe(409);
    const early = await t.call({
      method: 'POST',
      url: `/v1/placements/${placementId}/milestones`,
      headers: employer.headers,
      payload: { milestone: 'returned' },
    });
    expect(early.statusCode).toBe(409);
    expect((await outboxOfType(t.database, 'placement.milestone')).length).toBe(2);
  });

  it('a decline ends a proposal; a withdrawn or declined one takes no decisions', async () => {
    const v2 = await postVacancy(t, employer, { headcount: 2, partnershipId, externalRef: 'second' });
    await matchVacancy(t.database, await book(t.database), v2);
    const rows = await placementsOf(t.database, v2);
    expect(rows.length).toBeGreaterThan(0);
    const p = rows[0]!;
    const decline = await t.call({
      method: 'POST',
      url: `/v1/placements/${p.id}/decisions`,
      headers: employer.headers,
      payload: { decision: 'decline', reason: 'Position requires night shifts' },
    });
    expect(decline.json()).toMatchObject({ status: 'declined', employerDecision: 'declined' });
    const late = await t.call({
      method: 'POST',
      url: `/v1/placements/${p.id}/decisions`,
      headers: employer.headers,
      payload: { decision: 'accept' },
    });
    expect(late.statusCode).toBe(409);
    // A re-run never re-proposes a declined pair.
    await matchVacancy(t.database, await book(t.database), v2);
    expect((await placementsOf(t.database, v2)).find((r) => r.id === p.id)!.status).toBe('declined');
  });
});

describe('tenancy', () => {
  it('another tenant gets 404, a readonly key or an admin cannot decide (403), a trainee sees only their own', async () => {
    const otherEmployer = await createOrganization(t, 'employer', 'Other clinic');
    const otherProvider = await createOrganization(t, 'training_provider', 'Other school', 'PH');
    const placement = (await placementsOf(t.database, vacancyId)).find((r) => r.trainee_id === ids.eva)!;
    // As GET /v1/vacancies/{id}: another employer gets 404; a training provider's role cannot read vacancies (403).
    expect(
      (await t.call({ method: 'GET', url: `/v1/vacancies/${vacancyId}/matches`, headers: otherEmployer.headers }))
        .statusCode,
    ).toBe(404);
    expect(
      (await t.call({ method: 'GET', url: `/v1/vacancies/${vacancyId}/matches`, headers: otherProvider.headers }))
        .statusCode,
    ).toBe(403);
    for (const headers of [otherEmployer.headers, otherProvider.headers]) {
      expect((await t.call({ method: 'GET', url: `/v1/placements/${placement.id}`, headers })).statusCode).toBe(404);
      const d = await t.call({
        method: 'POST',
        url: `/v1/placements/${placement.id}/decisions`,
        headers,
        payload: { decision: 'accept' },
      });
      expect(d.statusCode).toBe(404);
    }
    expect(
      (await t.call({ method: 'GET', url: `/v1/trainees/${ids.eva}/matches`, headers: otherProvider.headers }))
        .statusCode,
    ).toBe(404);
    const ro = await t.call({
      method: 'POST',
      url: `/v1/organizations/${employer.id}/api-keys`,
      headers: { authorization: 'Bearer test-admin-key-0123456789' },
      payload: { role: 'readonly' },
    });
    const readonly = { authorization: `Bearer ${ro.json().key}` };
    expect((await t.call({ method: 'GET', url: `/v1/placements/${placement.id}`, headers: readonly })).statusCode).toBe(
      200,
    );
    const roDecision = await t.call({
      method: 'POST',
      url: `/v1/placements/${placement.id}/decisions`,
      headers: readonly,
      payload: { decision: 'accept' },
    });
    expect(roDecision.statusCode).toBe(403);
    // The partnership admin reads both sides but decides for neither.
    expect(
      (await t.call({ method: 'GET', url: `/v1/placements/${placement.id}`, headers: padmin.headers })).statusCode,
    ).toBe(200);
    const padminDecision = await t.call({
      method: 'POST',
      url: `/v1/placements/${placement.id}/decisions`,
      headers: padmin.headers,
      payload: { decision: 'decline' },
    });
    expect(padminDecision.statusCode).toBe(403);
    // A trainee key sees only their own placements.
    const anaKey = await traineeKey(t, provider, ids.ana!);
    expect((await t.call({ method: 'GET', url: `/v1/placements/${placement.id}`, headers: anaKey })).statusCode).toBe(
      404,
    );
    expect((await t.call({ method: 'GET', url: `/v1/trainees/${ids.eva}/matches`, headers: anaKey })).statusCode).toBe(
      404,
    );
    expect(
      (await t.call({ method: 'GET', url: `/v1/vacancies/${vacancyId}/matches`, headers: anaKey })).statusCode,
    ).toBe(403);
  });
});
