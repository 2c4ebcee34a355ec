import fc from 'fast-check';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { buildTestApp, createOrganization, type TestApp } from '../helpers/app.ts';
import { nurseProfile, nursingVacancy } from '../helpers/factories.ts';

let t: TestApp;
type Org = Awaited<ReturnType<typeof createOrganization>>;
let provider: Org;
let employer: Org;

const BULK_LIMIT = 64 * 1024;

beforeAll(async () => {
  t = await buildTestApp({ bulkMaxBytes: BULK_LIMIT });
  provider = await createOrganization(t, 'training_provider', 'Provider', 'PH');
  employer = await createOrganization(t, 'employer', 'Employer');
});
afterAll(() => t.close());

const countTrainees = async () =>
  Number(
    (
      await t.database.db
        .selectFrom('trainees')
        .select((eb) => eb.fn.countAll<string>().as('n'))
        .executeTakeFirstOrThrow()
    ).n,
  );
const paths = (res: { json(): { errors?: { path: string }[] } }) => (res.json().errors ?? []).map((e) => e.path).sort();

describe('bad input answers 4xx problem+json naming each field, and writes nothing', () => {
  it('a malformed JSON body', async () => {
    const res = await t.call({
      method: 'POST',
      url: '/v1/trainees',
      headers: { ...provider.headers, 'content-type': 'application/json' },
      payload: '{"dateOfBirth": "1996-04-02",',
    });
    expect(res.statusCode).toBe(400);
    expect(res.headers['content-type']).toContain('application/problem+json');
    expect(res.json()).toMatchObject({ status: 400, errors: [{ path: 'body' }] });
  });

  it('wrong codes: country, ISCO-08, CEFR, impossible date — every one named in one answer', async () => {
    const before = await countTrainees();
    const res = await t.call({
      method: 'POST',
      url: '/v1/trainees',
      headers: provider.headers,
      payload: nurseProfile({
        nationality: 'XX',
        occupation: { isco08: '2229' },
        dateOfBirth: '1996-02-30',
        languages: [{ language: 'de', cefr: 'B3' as 'B2' }],
      }),
    });
    expect(res.statusCode).toBe(400);
    expect(paths(res)).toEqual(['dateOfBirth', 'languages.0.cefr', 'nationality', 'occupation.isco08']);
    expect(await countTrainees()).toBe(before);
  });

  it('a vacancy with a negative salary, zero headcount and an unknown currency', async () => {
    const res = await t.call({
      method: 'POST',
      url: '/v1/vacancies',
      headers: employer.headers,
      payload: nursingVacancy({ headcount: 0, salary: { amount: -5, currency: 'EUX', period: 'year' } }),
    });
    expect(res.statusCode).toBe(400);
    expect(paths(res)).toEqual(['headcount', 'salary.amount', 'salary.currency']);
  });

  it('a vacancy that charges the worker fees is refused (employer-pays principle)', async () => {
    const res = await t.call({
      method: 'POST',
      url: '/v1/vacancies',
      headers: employer.headers,
      payload: nursingVacancy({
        costSharing: { employerPaysTraining: true, employerPaysTravel: true, employerPaysVisa: true, workerFees: 300 },
      }),
    });
    expect(res.statusCode).toBe(422);
    expect(paths(res)).toEqual(['costSharing.workerFees']);
    const count = await t.database.db
      .selectFrom('vacancies')
      .select((eb) => eb.fn.countAll<string>().as('n'))
      .executeTakeFirstOrThrow();
    expect(Number(count.n)).toBe(0);
  });

  it('bad query parameters and ids that cannot exist', async () => {
    const q = await t.call({ method: 'GET', url: '/v1/trainees?limit=0&isco08=12', headers: provider.headers });
    expect(q.statusCode).toBe(400);
    expect(paths(q)).toEqual(['query.isco08', 'query.limit']);
    expect(
      (await t.call({ method: 'GET', url: '/v1/trainees/not-a-uuid', headers: provider.headers })).statusCode,
    ).toBe(404);
    expect(
      (await t.call({ method: 'GET', url: "/v1/trainees/'; DROP TABLE trainees;--", headers: provider.headers }))
        .statusCode,
    ).toBe(404);
  });

  it('an oversized bulk file is refused whole with 413', async () => {
    const before = await countTrainees();
    const line = `${JSON.stringify(nurseProfile())}\n`;
    const body = line.repeat(Math.ceil((BULK_LIMIT * 2) / line.length));
    const res = await t.call({
      method: 'POST',
      url: '/v1/trainees/bulk',
      headers: { ...provider.headers, 'content-type': 'application/x-ndjson' },
      payload: body,
    });
    expect(res.statusCode).toBe(413);
    expect(res.json().errors[0].path).toBe('body');
    expect(await countTrainees()).toBe(before);
  });

  it('an oversized bulk file without a Content-Length is cut off while streaming, and nothing is written', async () => {
    const before = await countTrainees();
    const line = `${JSON.stringify(nurseProfile())}\n`;
    const { Readable } = await import('node:stream');
    const chunks = Array.from({ length: Math.ceil((BULK_LIMIT * 2) / line.length) }, () => line);
    const res = await t.call({
      method: 'POST',
      url: '/v1/trainees/bulk',
      headers: { ...provider.headers, 'content-type': 'application/x-ndjson', 'transfer-encoding': 'chunked' },
      payload: Readable.from(chunks),
    });
    expect(res.statusCode).toBe(413);
    expect(await countTrainees()).toBe(before);
  });

  it('a truncated JSON Lines file (cut mid-line) is refused whole: earlier valid rows are not stored', async () => {
    const before = await countTrainees();
    const good = `${JSON.stringify(nurseProfile({ externalRef: 'trunc-1' }))}\n${JSON.stringify(nurseProfile({ externalRef: 'trunc-2' }))}\n`;
    const cut = JSON.stringify(nurseProfile({ externalRef: 'trunc-3' })).slice(0, 80);
    const res = await t.call({
      method: 'POST',
      url: '/v1/trainees/bulk',
      headers: { ...provider.headers, 'content-type': 'application/x-ndjson' },
      payload: good + cut,
    });
    expect(res.statusCode).toBe(400);
    expect(res.json().detail).toMatch(/truncated/);
    expect(await countTrainees()).toBe(before);
  });

  it('a truncated CSV (an open quote at the end) is refused whole', async () => {
    const before = await countTrainees();
    const csv =
      'externalRef,dateOfBirth,nationality,occupation.isco08\nc-1,1996-04-02,PH,2221\nc-2,"1996-04-02,PH,2221';
    const res = await t.call({
      method: 'POST',
      url: '/v1/trainees/bulk',
      headers: { ...provider.headers, 'content-type': 'text/csv' },
      payload: csv,
    });
    expect(res.statusCode).toBe(400);
    expect(await countTrainees()).toBe(before);
  });

  it('a CSV with an unknown column names it', async () => {
    const res = await t.call({
      method: 'POST',
      url: '/v1/trainees/bulk',
      headers: { ...provider.headers, 'content-type': 'text/csv' },
      payload: 'externalRef,favouriteColour\nx,blue\n',
    });
    expect(res.statusCode).toBe(400);
    expect(res.json().detail).toContain('favouriteColour');
  });

  it('a bulk file of another media type gets 415', async () => {
    const res = await t.call({
      method: 'POST',
      url: '/v1/trainees/bulk',
      headers: { ...provider.headers, 'content-type': 'application/xml' },
      payload: '<x/>',
    });
    expect(res.statusCode).toBe(415);
  });

  it('never answers 500 to arbitrary JSON bodies (property test)', async () => {
    await fc.assert(
      fc.asyncProperty(
        fc.oneof(
          fc.anything(),
          fc.record(
            {
              dateOfBirth: fc.string(),
              nationality: fc.string(),
              occupation: fc.anything(),
              languages: fc.anything(),
              experience: fc.anything(),
            },
            { requiredKeys: [] },
          ),
          fc.record(
            {
              title: fc.anything(),
              headcount: fc.anything(),
              sector: fc.string(),
              pathways: fc.anything(),
              costSharing: fc.anything(),
              salary: fc.anything(),
            },
            { requiredKeys: [] },
          ),
        ),
        fc.constantFrom('/v1/trainees', '/v1/vacancies'),
        async (body, url) => {
          const headers = url === '/v1/trainees' ? provider.headers : employer.headers;
          const res = await t.call({
            method: 'POST',
            url,
            headers: { ...headers, 'content-type': 'application/json' },
            payload: JSON.stringify(body) ?? 'null',
          });
          expect(res.statusCode).toBeGreaterThanOrEqual(200);
          expect(res.statusCode).toBeLessThan(500);
        },
      ),
      { numRuns: 150 },
    );
  });
});
