import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { admin, buildTestApp, createOrganization, type TestApp } from '../helpers/app.ts';
import { nurseProfile, nursingVacancy } from '../helpers/factories.ts';

// The tenancy matrix: for each resource, another tenant's key gets 404 (never learning the object exists),
// a key with the wrong role gets 403, and a missing or wrong key gets 401.

let t: TestApp;
type Org = Awaited<ReturnType<typeof createOrganization>>;
let employerA: Org;
let employerB: Org;
let agency: Org;
let otherAgency: Org;
let providerA: Org;
let providerB: Org;
let partnershipAdmin: Org;
let otherPartnershipAdmin: Org;
let readonlyA: { authorization: string };
let vacancyId: string;
let traineeId: string;
let partnershipId: string;

beforeAll(async () => {
  t = await buildTestApp();
  employerA = await createOrganization(t, 'employer', 'Klinikum A');
  employerB = await createOrganization(t, 'employer', 'Klinikum B');
  agency = await createOrganization(t, 'recruitment_agency', 'Agency with mandate', 'PH');
  otherAgency = await createOrganization(t, 'recruitment_agency', 'Agency without mandate', 'PH');
  providerA = await createOrganization(t, 'training_provider', 'Provider A', 'PH');
  providerB = await createOrganization(t, 'training_provider', 'Provider B', 'PH');
  partnershipAdmin = await createOrganization(t, 'partnership_admin', 'Triple Win desk');
  otherPartnershipAdmin = await createOrganization(t, 'partnership_admin', 'Another programme');
  const ro = await t.call({
    method: 'POST',
    url: `/v1/organizations/${employerA.id}/api-keys`,
    headers: admin,
    payload: { role: 'readonly' },
  });
  readonlyA = { authorization: `Bearer ${ro.json().key}` };
  const mandate = await t.call({
    method: 'POST',
    url: `/v1/organizations/${agency.id}/mandates`,
    headers: employerA.headers,
    payload: { employerId: employerA.id },
  });
  expect(mandate.statusCode).toBe(201);

  vacancyId = (
    await t.call({ method: 'POST', url: '/v1/vacancies', headers: employerA.headers, payload: nursingVacancy() })
  ).json().id;
  const partnership = await t.call({
    method: 'POST',
    url: '/v1/partnerships',
    headers: partnershipAdmin.headers,
    payload: {
      name: 'PH–DE nurses',
      origin: 'PH',
      destination: 'DE',
      sectors: ['Q'],
      occupations: ['2221'],
      model: 'global_skills_partnership',
      governmentToGovernment: true,
      members: [
        { organizationId: employerA.id, role: 'employer' },
        { organizationId: providerA.id, role: 'training_provider' },
      ],
    },
  });
  expect(partnership.statusCode).toBe(201);
  partnershipId = partnership.json().id;
  const trainee = await t.call({
    method: 'POST',
    url: '/v1/trainees',
    headers: providerA.headers,
    payload: nurseProfile({ programme: { partnershipId, cohort: '2026-A', track: 'away' } }),
  });
  expect(trainee.statusCode).toBe(201);
  traineeId = trainee.json().id;
});
afterAll(() => t.close());

describe('authentication', () => {
  it.each([
    ['no key', {}],
    ['a malformed key', { authorization: 'Bearer nope' }],
    ['a well-formed unknown key', { authorization: 'Bearer crdr_AAAAAAAAAAAA_BBBBBBBBBBBBBBBBBBBBBBBBBBBBBBBB' }],
  ])('answers 401 problem+json with %s', async (_label, headers) => {
    const res = await t.call({ method: 'GET', url: `/v1/vacancies/${vacancyId}`, headers });
    expect(res.statusCode).toBe(401);
    expect(res.headers['content-type']).toContain('application/problem+json');
  });
});

describe('vacancies', () => {
  it('the owner, its readonly key and a mandated agency see it', async () => {
    for (const headers of [employerA.headers, readonlyA, agency.headers, admin]) {
      expect((await t.call({ method: 'GET', url: `/v1/vacancies/${vacancyId}`, headers })).statusCode).toBe(200);
    }
  });
  it('another employer and an agency without a mandate get 404, for reads and writes', async () => {
    for (const headers of [employerB.headers, otherAgency.headers]) {
      expect((await t.call({ method: 'GET', url: `/v1/vacancies/${vacancyId}`, headers })).statusCode).toBe(404);
      expect(
        (await t.call({ method: 'PATCH', url: `/v1/vacancies/${vacancyId}`, headers, payload: { status: 'closed' } }))
          .statusCode,
      ).toBe(404);
      const list = await t.call({ method: 'GET', url: '/v1/vacancies', headers });
      expect(list.json().items.map((v: { id: string }) => v.id)).not.toContain(vacancyId);
    }
  });
  it('wrong roles get 403: training providers and readonly keys cannot post or change vacancies', async () => {
    expect(
      (await t.call({ method: 'GET', url: `/v1/vacancies/${vacancyId}`, headers: providerA.headers })).statusCode,
    ).toBe(403);
    expect(
      (await t.call({ method: 'POST', url: '/v1/vacancies', headers: providerA.headers, payload: nursingVacancy() }))
        .statusCode,
    ).toBe(403);
    expect(
      (
        await t.call({
          method: 'PATCH',
          url: `/v1/vacancies/${vacancyId}`,
          headers: readonlyA,
          payload: { status: 'paused' },
        })
      ).statusCode,
    ).toBe(403);
  });
  it('an agency posts only for employers it holds a mandate for', async () => {
    const ok = await t.call({
      method: 'POST',
      url: '/v1/vacancies',
      headers: agency.headers,
      payload: nursingVacancy({ employerId: employerA.id }),
    });
    expect(ok.statusCode).toBe(201);
    expect(ok.json().employerId).toBe(employerA.id);
    const refused = await t.call({
      method: 'POST',
      url: '/v1/vacancies',
      headers: agency.headers,
      payload: nursingVacancy({ employerId: employerB.id }),
    });
    expect(refused.statusCode).toBe(422);
    expect(refused.json().errors[0].path).toBe('employerId');
  });
  it('an agency cannot grant itself a mandate', async () => {
    const res = await t.call({
      method: 'POST',
      url: `/v1/organizations/${otherAgency.id}/mandates`,
      headers: otherAgency.headers,
      payload: { employerId: employerB.id },
    });
    expect(res.statusCode).toBe(403);
  });
});

describe('trainees', () => {
  it('the owner, the partnership admin of its programme and the platform admin see it', async () => {
    for (const headers of [providerA.headers, partnershipAdmin.headers, admin]) {
      expect((await t.call({ method: 'GET', url: `/v1/trainees/${traineeId}`, headers })).statusCode).toBe(200);
    }
  });
  it('another provider and another partnership admin get 404, for reads, writes and erasure', async () => {
    for (const headers of [providerB.headers, otherPartnershipAdmin.headers]) {
      expect((await t.call({ method: 'GET', url: `/v1/trainees/${traineeId}`, headers })).statusCode).toBe(404);
      expect(
        (await t.call({ method: 'PATCH', url: `/v1/trainees/${traineeId}`, headers, payload: { residence: 'PH' } }))
          .statusCode,
      ).toBe(404);
      expect((await t.call({ method: 'DELETE', url: `/v1/trainees/${traineeId}`, headers })).statusCode).toBe(404);
      expect((await t.call({ method: 'POST', url: `/v1/trainees/${traineeId}/access-key`, headers })).statusCode).toBe(
        404,
      );
    }
  });
  it('another trainee gets 404; an employer gets 403 (employers see pseudonymised matches, not trainee records)', async () => {
    const other = (
      await t.call({ method: 'POST', url: '/v1/trainees', headers: providerB.headers, payload: nurseProfile() })
    ).json();
    const key = (
      await t.call({ method: 'POST', url: `/v1/trainees/${other.id}/access-key`, headers: providerB.headers })
    ).json().key;
    expect(
      (await t.call({ method: 'GET', url: `/v1/trainees/${traineeId}`, headers: { authorization: `Bearer ${key}` } }))
        .statusCode,
    ).toBe(404);
    expect(
      (await t.call({ method: 'GET', url: `/v1/trainees/${traineeId}`, headers: employerA.headers })).statusCode,
    ).toBe(403);
    expect(
      (await t.call({ method: 'POST', url: '/v1/trainees', headers: employerA.headers, payload: nurseProfile() }))
        .statusCode,
    ).toBe(403);
    expect(
      (
        await t.call({
          method: 'POST',
          url: '/v1/trainees/bulk',
          headers: { ...employerA.headers, 'content-type': 'application/x-ndjson' },
          payload: '{}\n',
        })
      ).statusCode,
    ).toBe(403);
  });
  it('a provider cannot attach its trainee to a partnership it is not part of', async () => {
    const res = await t.call({
      method: 'POST',
      url: '/v1/trainees',
      headers: providerB.headers,
      payload: nurseProfile({ programme: { partnershipId } }),
    });
    expect(res.statusCode).toBe(422);
    expect(res.json().errors[0].path).toBe('programme.partnershipId');
  });
});

describe('partnerships and organizations', () => {
  it('members and the admin see a partnership; outsiders get 404; wrong roles cannot create one', async () => {
    for (const headers of [partnershipAdmin.headers, employerA.headers, providerA.headers]) {
      expect((await t.call({ method: 'GET', url: `/v1/partnerships/${partnershipId}`, headers })).statusCode).toBe(200);
    }
    for (const headers of [otherPartnershipAdmin.headers, employerB.headers, providerB.headers]) {
      expect((await t.call({ method: 'GET', url: `/v1/partnerships/${partnershipId}`, headers })).statusCode).toBe(404);
    }
    const cohort = await t.call({
      method: 'POST',
      url: `/v1/partnerships/${partnershipId}/cohorts`,
      headers: otherPartnershipAdmin.headers,
      payload: { name: 'X', startDate: '2026-09-01', tracks: ['away'] },
    });
    expect(cohort.statusCode).toBe(404);
    const created = await t.call({
      method: 'POST',
      url: '/v1/partnerships',
      headers: providerA.headers,
      payload: { name: 'x', origin: 'PH', destination: 'DE', sectors: ['Q'], model: 'traditional' },
    });
    expect(created.statusCode).toBe(403);
  });
  it('an organization sees only itself and issues keys only for itself; only the admin registers organizations', async () => {
    expect(
      (await t.call({ method: 'GET', url: `/v1/organizations/${employerA.id}`, headers: employerA.headers }))
        .statusCode,
    ).toBe(200);
    expect(
      (await t.call({ method: 'GET', url: `/v1/organizations/${employerA.id}`, headers: employerB.headers }))
        .statusCode,
    ).toBe(404);
    expect(
      (
        await t.call({
          method: 'POST',
          url: `/v1/organizations/${employerA.id}/api-keys`,
          headers: employerB.headers,
          payload: {},
        })
      ).statusCode,
    ).toBe(404);
    expect(
      (
        await t.call({
          method: 'POST',
          url: '/v1/organizations',
          headers: employerA.headers,
          payload: { name: 'x', kind: 'employer', country: 'DE' },
        })
      ).statusCode,
    ).toBe(403);
  });
});
