import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { buildTestApp, createOrganization, type TestApp } from '../helpers/app.ts';
import { nurseProfile, nursingVacancy } from '../helpers/factories.ts';

let t: TestApp;
type Org = Awaited<ReturnType<typeof createOrganization>>;
let provider: Org;

beforeAll(async () => {
  t = await buildTestApp();
  provider = await createOrganization(t, 'training_provider', 'Provider', 'PH');
});
afterAll(() => t.close());

const ndjson = (rows: unknown[]) => `${rows.map((r) => (typeof r === 'string' ? r : JSON.stringify(r))).join('\n')}\n`;
const postBulk = (url: string, headers: Record<string, string>, payload: string, type = 'application/x-ndjson') =>
  t.call({ method: 'POST', url, headers: { ...headers, 'content-type': type }, payload });

describe('bulk trainees (JSON Lines)', () => {
  const file = ndjson([
    nurseProfile({ externalRef: 'b-1' }),
    nurseProfile({ externalRef: 'b-2', nationality: 'ZZ' }),
    '{ not json',
    '',
    nurseProfile({ externalRef: 'b-3', occupation: { isco08: '5321' } }),
    nurseProfile({ externalRef: 'b-1', residence: 'SA' }), // a later row for the same externalRef wins
  ]);

  it('stores valid rows and reports each rejected row with its line and field errors', async () => {
    const res = await postBulk('/v1/trainees/bulk', provider.headers, file);
    expect(res.statusCode).toBe(200);
    const report = res.json();
    expect(report).toMatchObject({ accepted: 3, created: 2, rejectedCount: 2 });
    expect(report.rejected).toEqual([
      { line: 2, errors: [{ path: 'nationality', message: expect.stringContaining('ISO 3166') }] },
      { line: 3, errors: [{ path: '(row)', message: expect.stringContaining('not valid JSON') }] },
    ]);
    const rows = await t.database.db
      .selectFrom('trainees')
      .select(['external_ref', 'residence', 'isco08', 'language_levels'])
      .orderBy('external_ref')
      .execute();
    expect(rows).toEqual([
      { external_ref: 'b-1', residence: 'SA', isco08: '2221', language_levels: ['de:B1', 'en:C1'] },
      { external_ref: 'b-3', residence: 'PH', isco08: '5321', language_levels: ['de:B1', 'en:C1'] },
    ]);
    const events = await t.database.db
      .selectFrom('outbox')
      .select(['type', 'payload'])
      .where('type', '=', 'trainees.imported')
      .execute();
    expect(events).toHaveLength(1);
    expect((events[0]!.payload as { created: string[] }).created).toHaveLength(2);
  });

  it('is idempotent: re-posting the same file changes nothing and emits no events', async () => {
    const before = await t.database.db
      .selectFrom('outbox')
      .select((eb) => eb.fn.countAll<string>().as('n'))
      .executeTakeFirstOrThrow();
    const res = await postBulk('/v1/trainees/bulk', provider.headers, file);
    expect(res.json()).toMatchObject({ accepted: 3, created: 0, updated: 0, unchanged: 3, rejectedCount: 2 });
    const after = await t.database.db
      .selectFrom('outbox')
      .select((eb) => eb.fn.countAll<string>().as('n'))
      .executeTakeFirstOrThrow();
    expect(after.n).toBe(before.n);
    const versions = await t.database.db.selectFrom('trainees').select('version').execute();
    expect(versions.every((v) => v.version === 1)).toBe(true);
  });

  it('updates only the rows that changed', async () => {
    const res = await postBulk(
      '/v1/trainees/bulk',
      provider.headers,
      ndjson([
        nurseProfile({ externalRef: 'b-1', residence: 'SA' }),
        nurseProfile({ externalRef: 'b-3', residence: 'QA', occupation: { isco08: '5321' } }),
      ]),
    );
    expect(res.json()).toMatchObject({ accepted: 2, created: 0, updated: 1, unchanged: 1 });
    const b3 = await t.database.db
      .selectFrom('trainees')
      .select(['residence', 'version'])
      .where('external_ref', '=', 'b-3')
      .executeTakeFirstOrThrow();
    expect(b3).toEqual({ residence: 'QA', version: 2 });
  });
});

describe('bulk trainees (CSV)', () => {
  it('reads dotted headers, lists and JSON cells; counts lines from the first data row', async () => {
    const csv = [
      'externalRef,givenName,dateOfBirth,nationality,occupation.isco08,preferences.destinations,consent.contactByEmail,languages,experience',
      `csv-1,Ana,1994-07-01,PH,2221,DE;AU,true,"[{""language"":""de"",""cefr"":""B2""}]","[{""isco08"":""2221"",""months"":36}]"`,
      'csv-2,Ben,1994-13-01,PH,2221,DE,yes,,',
      'csv-3,Cy,1990-01-01,TO,7115,AU,false,,',
    ].join('\n');
    const res = await postBulk('/v1/trainees/bulk', provider.headers, `${csv}\n`, 'text/csv');
    expect(res.statusCode).toBe(200);
    expect(res.json()).toMatchObject({
      accepted: 2,
      created: 2,
      rejected: [{ line: 2, errors: [{ path: 'dateOfBirth' }] }],
    });
    const ana = await t.database.db
      .selectFrom('trainees')
      .selectAll()
      .where('external_ref', '=', 'csv-1')
      .executeTakeFirstOrThrow();
    expect(ana).toMatchObject({
      preferred_destinations: ['DE', 'AU'],
      consent_contact_email: true,
      language_levels: ['de:B2'],
    });
    expect(ana.profile.experience).toEqual([{ isco08: '2221', months: 36 }]);
  });
});

describe('bulk vacancies', () => {
  it('lets an agency post for the employers it holds mandates for, row by row', async () => {
    const employer = await createOrganization(t, 'employer', 'Hospital');
    const stranger = await createOrganization(t, 'employer', 'Stranger');
    const agency = await createOrganization(t, 'recruitment_agency', 'Agency', 'PH');
    await t.call({
      method: 'POST',
      url: `/v1/organizations/${agency.id}/mandates`,
      headers: employer.headers,
      payload: { employerId: employer.id },
    });
    const file = ndjson([
      nursingVacancy({ externalRef: 'v-1', employerId: employer.id }),
      nursingVacancy({ externalRef: 'v-2', employerId: stranger.id }),
      nursingVacancy({
        externalRef: 'v-3',
        employerId: employer.id,
        costSharing: {
          employerPaysTraining: false,
          employerPaysTravel: false,
          employerPaysVisa: false,
          workerFees: 1500,
        },
      }),
      nursingVacancy({ externalRef: 'v-4' }),
    ]);
    const res = await postBulk('/v1/vacancies/bulk', agency.headers, file);
    expect(res.statusCode).toBe(200);
    expect(res.json()).toMatchObject({
      accepted: 1,
      created: 1,
      rejected: [
        { line: 2, errors: [{ path: 'employerId' }] },
        { line: 3, errors: [{ path: 'costSharing.workerFees' }] },
        { line: 4, errors: [{ path: 'employerId' }] },
      ],
    });
    const again = await postBulk('/v1/vacancies/bulk', agency.headers, file);
    expect(again.json()).toMatchObject({ accepted: 1, created: 0, updated: 0, unchanged: 1 });
    const list = await t.call({ method: 'GET', url: '/v1/vacancies', headers: employer.headers });
    expect(list.json().items.map((v: { externalRef: string }) => v.externalRef)).toEqual(['v-1']);
  });
});
