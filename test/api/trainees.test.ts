import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { admin, buildTestApp, createOrganization, type TestApp } from '../helpers/app.ts';
import { nurseProfile } from '../helpers/factories.ts';

let t: TestApp;
let provider: Awaited<ReturnType<typeof createOrganization>>;

beforeAll(async () => {
  t = await buildTestApp();
  provider = await createOrganization(t, 'training_provider', 'Manila Nursing Academy', 'PH');
});
afterAll(() => t.close());

describe('trainees', () => {
  it('creates a trainee, writes its event to the outbox in the same transaction, and reads it back', async () => {
    const res = await t.call({
      method: 'POST',
      url: '/v1/trainees',
      headers: provider.headers,
      payload: nurseProfile({ externalRef: 'mna-1' }),
    });
    expect(res.statusCode).toBe(201);
    const body = res.json();
    expect(body).toMatchObject({
      externalRef: 'mna-1',
      givenName: 'Maria',
      nationality: 'PH',
      occupation: { isco08: '2221' },
      version: 1,
    });
    const events = await t.database.db
      .selectFrom('outbox')
      .select(['type', 'aggregate_id', 'payload'])
      .where('aggregate_id', '=', body.id)
      .execute();
    expect(events.map((e) => e.type)).toEqual(['trainee.created']);
    expect(JSON.stringify(events[0]!.payload)).not.toContain('Maria');

    const read = await t.call({ method: 'GET', url: `/v1/trainees/${body.id}`, headers: provider.headers });
    expect(read.statusCode).toBe(200);
    expect(read.json().languages).toHaveLength(2);
  });

  it('upserts by externalRef: the same body again changes nothing, a changed body bumps the version', async () => {
    const first = await t.call({
      method: 'POST',
      url: '/v1/trainees',
      headers: provider.headers,
      payload: nurseProfile({ externalRef: 'mna-2' }),
    });
    const again = await t.call({
      method: 'POST',
      url: '/v1/trainees',
      headers: provider.headers,
      payload: nurseProfile({ externalRef: 'mna-2' }),
    });
    expect(again.statusCode).toBe(200);
    expect(again.json()).toMatchObject({ id: first.json().id, version: 1 });
    const changed = await t.call({
      method: 'POST',
      url: '/v1/trainees',
      headers: provider.headers,
      payload: nurseProfile({ externalRef: 'mna-2', residence: 'AE' }),
    });
    expect(changed.json()).toMatchObject({ id: first.json().id, version: 2, residence: 'AE' });
    const types = await t.database.db
      .selectFrom('outbox')
      .select('type')
      .where('aggregate_id', '=', first.json().id)
      .orderBy('id')
      .execute();
    expect(types.map((e) => e.type)).toEqual(['trainee.created', 'trainee.updated']);
  });

  it('replays the first answer for a repeated Idempotency-Key and refuses the key with another body', async () => {
    const headers = { ...provider.headers, 'idempotency-key': 'create-ana-1' };
    const first = await t.call({
      method: 'POST',
      url: '/v1/trainees',
      headers,
      payload: nurseProfile({ givenName: 'Ana' }),
    });
    const second = await t.call({
      method: 'POST',
      url: '/v1/trainees',
      headers,
      payload: nurseProfile({ givenName: 'Ana' }),
    });
    expect(first.statusCode).toBe(201);
    expect(second.statusCode).toBe(201);
    expect(second.headers['idempotent-replayed']).toBe('true');
    expect(second.json().id).toBe(first.json().id);
    const count = await t.database.db
      .selectFrom('trainees')
      .select((eb) => eb.fn.countAll<string>().as('n'))
      .where('given_name', '=', 'Ana')
      .executeTakeFirstOrThrow();
    expect(Number(count.n)).toBe(1);
    const other = await t.call({
      method: 'POST',
      url: '/v1/trainees',
      headers,
      payload: nurseProfile({ givenName: 'Other' }),
    });
    expect(other.statusCode).toBe(422);
    expect(other.json().errors[0].path).toBe('header.idempotency-key');
  });

  it('patches with validation of the merged profile and optimistic concurrency', async () => {
    const created = (
      await t.call({ method: 'POST', url: '/v1/trainees', headers: provider.headers, payload: nurseProfile() })
    ).json();
    const ok = await t.call({
      method: 'PATCH',
      url: `/v1/trainees/${created.id}`,
      headers: { ...provider.headers, 'if-match': '1' },
      payload: { languages: [{ language: 'de', cefr: 'B2' }] },
    });
    expect(ok.statusCode).toBe(200);
    expect(ok.json()).toMatchObject({ version: 2, languages: [{ language: 'de', cefr: 'B2' }] });
    const stale = await t.call({
      method: 'PATCH',
      url: `/v1/trainees/${created.id}`,
      headers: { ...provider.headers, 'if-match': '1' },
      payload: { residence: 'PH' },
    });
    expect(stale.statusCode).toBe(409);
    const bad = await t.call({
      method: 'PATCH',
      url: `/v1/trainees/${created.id}`,
      headers: provider.headers,
      payload: { occupation: { isco08: '9999' } },
    });
    expect(bad.statusCode).toBe(400);
    expect(bad.json().errors).toEqual([expect.objectContaining({ path: 'occupation.isco08' })]);
  });

  it('paginates with an opaque cursor and filters', async () => {
    const other = await createOrganization(t, 'training_provider', 'Suva Trades', 'FJ');
    for (let i = 0; i < 5; i++) {
      await t.call({
        method: 'POST',
        url: '/v1/trainees',
        headers: other.headers,
        payload: nurseProfile({ programme: { cohort: '2026-A', track: i % 2 ? 'home' : 'away' } }),
      });
    }
    const page1 = await t.call({ method: 'GET', url: '/v1/trainees?limit=2', headers: other.headers });
    expect(page1.json().items).toHaveLength(2);
    const page2 = await t.call({
      method: 'GET',
      url: `/v1/trainees?limit=2&cursor=${page1.json().nextCursor}`,
      headers: other.headers,
    });
    const page3 = await t.call({
      method: 'GET',
      url: `/v1/trainees?limit=2&cursor=${page2.json().nextCursor}`,
      headers: other.headers,
    });
    expect(page3.json()).toMatchObject({ nextCursor: null });
    const ids = [...page1.json().items, ...page2.json().items, ...page3.json().items].map((x: { id: string }) => x.id);
    expect(new Set(ids).size).toBe(5);
    const home = await t.call({ method: 'GET', url: '/v1/trainees?track=home', headers: other.headers });
    expect(home.json().items).toHaveLength(2);
    const badCursor = await t.call({ method: 'GET', url: '/v1/trainees?cursor=nonsense', headers: other.headers });
    expect(badCursor.statusCode).toBe(400);
    expect(badCursor.json().errors[0].path).toBe('query.cursor');
  });

  it('erases on DELETE: personal data and stored replies are gone, the trainee key stops working, statistics remain', async () => {
    const headers = { ...provider.headers, 'idempotency-key': 'erase-me-create' };
    const created = (
      await t.call({
        method: 'POST',
        url: '/v1/trainees',
        headers,
        payload: nurseProfile({ externalRef: 'erase-me', givenName: 'Lorna' }),
      })
    ).json();
    const key = (
      await t.call({ method: 'POST', url: `/v1/trainees/${created.id}/access-key`, headers: provider.headers })
    ).json().key;
    const own = await t.call({
      method: 'GET',
      url: `/v1/trainees/${created.id}`,
      headers: { authorization: `Bearer ${key}` },
    });
    expect(own.statusCode).toBe(200);

    const del = await t.call({ method: 'DELETE', url: `/v1/trainees/${created.id}`, headers: provider.headers });
    expect(del.statusCode).toBe(204);
    const row = await t.database.db
      .selectFrom('trainees')
      .selectAll()
      .where('id', '=', created.id)
      .executeTakeFirstOrThrow();
    expect(row).toMatchObject({
      status: 'erased',
      given_name: null,
      family_name: null,
      email: null,
      date_of_birth: null,
      external_ref: null,
    });
    expect(row.nationality).toBe('PH');
    expect(row.isco08).toBe('2221');
    expect(JSON.stringify(row.profile)).toBe('{}');
    const stored = await t.database.db
      .selectFrom('idempotency_records')
      .selectAll()
      .where('trainee_id', '=', created.id)
      .execute();
    expect(stored).toHaveLength(0);
    const dump = JSON.stringify(await t.database.db.selectFrom('idempotency_records').selectAll().execute());
    expect(dump).not.toContain('Lorna');
    expect(
      (await t.call({ method: 'GET', url: `/v1/trainees/${created.id}`, headers: provider.headers })).statusCode,
    ).toBe(404);
    expect(
      (await t.call({ method: 'GET', url: `/v1/trainees/${created.id}`, headers: { authorization: `Bearer ${key}` } }))
        .statusCode,
    ).toBe(401);
  });

  it('never logs names, emails or dates of birth', async () => {
    await t.call({
      method: 'POST',
      url: '/v1/trainees',
      headers: provider.headers,
      payload: nurseProfile({ givenName: 'Zenaida', email: 'zenaida@example.org', dateOfBirth: '1991-12-13' }),
    });
    await t.call({
      method: 'POST',
      url: '/v1/trainees',
      headers: provider.headers,
      payload: nurseProfile({ givenName: 'Zenaida', dateOfBirth: '1991-13-13' }),
    });
    const all = t.logs.join('\n');
    expect(t.logs.length).toBeGreaterThan(0);
    expect(all).not.toContain('Zenaida');
    expect(all).not.toContain('zenaida@example.org');
    expect(all).not.toContain('1991-12-13');
    expect(all).not.toContain('1991-13-13');
  });

  it('lets the platform admin list every trainee but not create one without an owner', async () => {
    const list = await t.call({ method: 'GET', url: '/v1/trainees?limit=500', headers: admin });
    expect(list.statusCode).toBe(200);
    expect(list.json().items.length).toBeGreaterThan(3);
    const create = await t.call({ method: 'POST', url: '/v1/trainees', headers: admin, payload: nurseProfile() });
    expect(create.statusCode).toBe(403);
  });
});
