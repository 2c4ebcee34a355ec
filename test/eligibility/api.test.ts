import { traineesRepository, traineeWrite } from '@corridor/db';
import { EligibilityResult, TraineeProfile } from '@corridor/domain';
import { evaluateTrainees, loadRuleBook } from '@corridor/evaluation';
import { shippedPacks } from '@corridor/rules';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { admin, buildTestApp, createOrganization, type TestApp } from '../helpers/app.ts';
import { nurseProfile } from '../helpers/factories.ts';

let t: TestApp;
type Org = Awaited<ReturnType<typeof createOrganization>>;
let provider: Org;
let otherProvider: Org;

const PATHWAY_IDS = [
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
].sort();

const { givenName: _g, familyName: _f, email: _e, consent: _c, ...checkProfile } = nurseProfile();
const paths = (res: { json(): { errors?: { path: string }[] } }) => (res.json().errors ?? []).map((e) => e.path).sort();
const check = (payload: Record<string, unknown>) => t.call({ method: 'POST', url: '/v1/eligibility/check', payload });

beforeAll(async () => {
  t = await buildTestApp();
  provider = await createOrganization(t, 'training_provider', 'Manila Nursing Academy', 'PH');
  otherProvider = await createOrganization(t, 'training_provider', 'Cebu Care College', 'PH');
});
afterAll(() => t.close());

describe('POST /v1/eligibility/check', () => {
  it('answers contract-shaped results for all 21 pathways and both safeguards, without a key, storing nothing', async () => {
    const res = await check({ profile: checkProfile, asOf: '2026-01-15' });
    expect(res.statusCode).toBe(200);
    const body = res.json() as { results: unknown[]; safeguards: { id: string; status: string }[] };
    expect(body.results).toHaveLength(21);
    for (const r of body.results) expect(EligibilityResult.safeParse(r).success).toBe(true);
    const results = body.results as EligibilityResult[];
    expect(results.map((r) => r.pathwayId).sort()).toEqual(PATHWAY_IDS);
    for (const r of results) {
      expect(r.criteria.length).toBeGreaterThan(0);
      expect(r.sources.length).toBeGreaterThan(0);
    }
    // A Philippine nurse: the Philippines is not on the WHO 2023 list.
    expect(body.safeguards.map((s) => s.id).sort()).toEqual(['employer-pays', 'who-safeguard-list']);
    const stored = await t.database.db.selectFrom('eligibility_results').selectAll().execute();
    expect(stored).toHaveLength(0);
  });

  it('filters by pathways and by destinations, and uses the version in force on asOf', async () => {
    const de = await check({ profile: checkProfile, asOf: '2026-01-15', destinations: ['DE'] });
    expect((de.json().results as EligibilityResult[]).map((r) => r.destination)).toEqual(Array(7).fill('DE'));
    const uk = (asOf: string) =>
      check({ profile: checkProfile, asOf, pathways: ['uk-skilled-worker'] }).then((r) =>
        (r.json().results as EligibilityResult[]).map((x) => x.pathwayVersion),
      );
    expect(await uk('2025-07-21')).toEqual(['2024-04-04']);
    expect(await uk('2025-07-22')).toEqual(['2025-07-22']);
    expect(await uk('2026-01-08')).toEqual(['2026-01-08']);
  });

  it('defaults asOf to today', async () => {
    const res = await check({ profile: checkProfile, pathways: ['uk-skilled-worker'] });
    expect(res.statusCode).toBe(200);
    const today = new Date().toISOString().slice(0, 10);
    const book = await loadRuleBook(t.database.db);
    expect(res.json().results[0].pathwayVersion).toBe(book.get('uk-skilled-worker', today)!.version);
  });

  it('refuses bad input with 400 naming the field: unknown pathway, impossible date, CEFR B3, negative salary', async () => {
    const unknown = await check({ profile: checkProfile, pathways: ['de-skilled-worker', 'xx-nowhere'] });
    expect(unknown.statusCode).toBe(400);
    expect(unknown.headers['content-type']).toContain('application/problem+json');
    expect(paths(unknown)).toEqual(['pathways.1']);

    const date = await check({ profile: checkProfile, asOf: '2026-02-30' });
    expect(date.statusCode).toBe(400);
    expect(paths(date)).toEqual(['asOf']);

    const cefr = await check({ profile: { ...checkProfile, languages: [{ language: 'de', cefr: 'B3' }] } });
    expect(cefr.statusCode).toBe(400);
    expect(paths(cefr)).toEqual(['profile.languages.0.cefr']);

    const salary = await check({
      profile: checkProfile,
      offer: { salary: { amount: -1, currency: 'EUR', period: 'year' } },
    });
    expect(salary.statusCode).toBe(400);
    expect(paths(salary)).toEqual(['offer.salary.amount']);

    const all = await check({
      profile: { ...checkProfile, languages: [{ language: 'de', cefr: 'B3' }] },
      asOf: '2026-13-01',
      offer: { salary: { amount: -5, currency: 'EUR', period: 'year' } },
    });
    expect(paths(all)).toEqual(['asOf', 'offer.salary.amount', 'profile.languages.0.cefr']);
  });
});

describe('GET /v1/pathways', () => {
  it('lists the 21 packs in force, picking the uk-skilled-worker version by asOf', async () => {
    const before = await t.call({ method: 'GET', url: '/v1/pathways?asOf=2025-07-21' });
    expect(before.statusCode).toBe(200);
    const items = before.json().items as { id: string; version: string; sources: string[]; effectiveTo: string }[];
    expect(items.map((i) => i.id).sort()).toEqual(PATHWAY_IDS);
    const uk = items.find((i) => i.id === 'uk-skilled-worker')!;
    expect(uk).toMatchObject({ version: '2024-04-04', effectiveTo: '2025-07-21', destination: 'GB' });
    expect(uk.sources[0]).toMatch(/^https:\/\//);
    const after = await t.call({ method: 'GET', url: '/v1/pathways?asOf=2025-07-22' });
    expect(after.json().items.find((i: { id: string }) => i.id === 'uk-skilled-worker').version).toBe('2025-07-22');
    expect(before.json().nextCursor).toBeNull();
  });

  it('gets one pathway with its criteria and accepted certification codes; unknown ids are 404', async () => {
    const res = await t.call({ method: 'GET', url: '/v1/pathways/jp-ssw-nursing-care?asOf=2026-01-15' });
    expect(res.statusCode).toBe(200);
    const body = res.json();
    expect(body.criteria.length).toBeGreaterThan(0);
    expect(body.certificationCodes).toEqual(expect.arrayContaining(['jp-care-skills', 'jp-care-japanese']));
    expect(body.versions.map((v: { version: string }) => v.version)).toEqual(['2019-04-01']);

    const uk = await t.call({ method: 'GET', url: '/v1/pathways/uk-skilled-worker?asOf=2025-07-22' });
    expect(uk.json()).toMatchObject({ version: '2025-07-22', effectiveFrom: '2025-07-22' });
    expect(uk.json().versions).toHaveLength(3);

    const missing = await t.call({ method: 'GET', url: '/v1/pathways/xx-nowhere' });
    expect(missing.statusCode).toBe(404);
    const tooEarly = await t.call({ method: 'GET', url: '/v1/pathways/de-blue-card?asOf=2020-01-01' });
    expect(tooEarly.statusCode).toBe(404);
    const badDate = await t.call({ method: 'GET', url: '/v1/pathways?asOf=2025-02-29' });
    expect(badDate.statusCode).toBe(400);
    expect(paths(badDate)).toEqual(['query.asOf']);
  });
});

describe('publishing a rule pack version', () => {
  const base = shippedPacks().find((p) => p.id === 'de-recognition-measures')!;
  const raised = {
    ...base,
    version: '2027-01-01',
    effectiveFrom: '2027-01-01',
    criteria: base.criteria.map((c) =>
      c.id === 'german' && c.kind === 'language'
        ? { ...c, label: 'German at least B1', anyOf: [{ language: 'de', minCefr: 'B1' as const }] }
        : c,
    ),
  };

  it('is for platform admins only: 401 without a key, 403 for an organization key', async () => {
    const none = await t.call({ method: 'PUT', url: '/v1/pathways/de-recognition-measures', payload: raised });
    expect(none.statusCode).toBe(401);
    const org = await t.call({
      method: 'POST',
      url: '/v1/pathways/de-recognition-measures/versions',
      headers: provider.headers,
      payload: raised,
    });
    expect(org.statusCode).toBe(403);
    expect(await t.database.db.selectFrom('rule_pack_versions').selectAll().execute()).toHaveLength(0);
  });

  it('validates the pack and names the fields; a pack for another pathway is refused', async () => {
    const bad = await t.call({
      method: 'PUT',
      url: '/v1/pathways/de-recognition-measures',
      headers: admin,
      payload: { ...raised, effectiveFrom: '2027-02-30', criteria: [{ ...raised.criteria[0], kind: 'nonsense' }] },
    });
    expect(bad.statusCode).toBe(400);
    expect(paths(bad)).toEqual(expect.arrayContaining(['effectiveFrom', 'criteria.0.kind']));
    const wrongId = await t.call({
      method: 'PUT',
      url: '/v1/pathways/de-skilled-worker',
      headers: admin,
      payload: raised,
    });
    expect(wrongId.statusCode).toBe(400);
    expect(paths(wrongId)).toEqual(['id']);
    const shippedVersion = await t.call({
      method: 'PUT',
      url: '/v1/pathways/de-recognition-measures',
      headers: admin,
      payload: base,
    });
    expect(shippedVersion.statusCode).toBe(409);
    expect(await t.database.db.selectFrom('rule_pack_versions').selectAll().execute()).toHaveLength(0);
  });

  it('stores who published it and when, writes pathway.published, and supersedes from effectiveFrom', async () => {
    const res = await t.call({
      method: 'PUT',
      url: '/v1/pathways/de-recognition-measures',
      headers: admin,
      payload: raised,
    });
    expect(res.statusCode).toBe(201);
    expect(res.json()).toMatchObject({ pathwayId: 'de-recognition-measures', version: '2027-01-01' });
    expect(res.json().publishedBy).toContain('platform_admin');
    expect(res.json().versions).toEqual([
      expect.objectContaining({ version: '2024-03-01', effectiveTo: '2026-12-31' }),
      expect.objectContaining({ version: '2027-01-01', effectiveTo: null }),
    ]);
    const row = await t.database.db.selectFrom('rule_pack_versions').selectAll().executeTakeFirstOrThrow();
    expect(row).toMatchObject({ pathway_id: 'de-recognition-measures', version: '2027-01-01' });
    expect(row.published_at).toBeInstanceOf(Date);
    const events = await t.database.db
      .selectFrom('outbox')
      .select(['type', 'payload'])
      .where('type', '=', 'pathway.published')
      .execute();
    expect(events).toEqual([
      {
        type: 'pathway.published',
        payload: {
          pathwayId: 'de-recognition-measures',
          version: '2027-01-01',
          effectiveFrom: '2027-01-01',
          effectiveTo: null,
        },
      },
    ]);

    const version = async (asOf: string) =>
      (await t.call({ method: 'GET', url: `/v1/pathways/de-recognition-measures?asOf=${asOf}` })).json().version;
    expect(await version('2026-12-31')).toBe('2024-03-01');
    expect(await version('2027-01-01')).toBe('2027-01-01');
    const checked = await check({ profile: checkProfile, asOf: '2027-01-01', pathways: ['de-recognition-measures'] });
    expect(checked.json().results[0].pathwayVersion).toBe('2027-01-01');

    const again = await t.call({
      method: 'POST',
      url: '/v1/pathways/de-recognition-measures/versions',
      headers: admin,
      payload: raised,
    });
    expect(again.statusCode).toBe(409);
  });
});

describe('GET /v1/trainees/{id}/eligibility', () => {
  it("returns the stored results with evaluatedAt, pack version and failed criteria, under the trainee's tenancy", async () => {
    const created = await t.call({
      method: 'POST',
      url: '/v1/trainees',
      headers: provider.headers,
      payload: nurseProfile({ externalRef: 'elig-1' }),
    });
    const id = created.json().id as string;
    const empty = await t.call({ method: 'GET', url: `/v1/trainees/${id}/eligibility`, headers: provider.headers });
    expect(empty.statusCode).toBe(200);
    expect(empty.json()).toEqual({ results: [] });

    const book = await loadRuleBook(t.database.db);
    await evaluateTrainees(t.database, book, [id], { asOf: '2026-01-15' });
    const res = await t.call({ method: 'GET', url: `/v1/trainees/${id}/eligibility`, headers: provider.headers });
    expect(res.statusCode).toBe(200);
    const results = res.json().results as (EligibilityResult & {
      evaluatedAt: string;
      asOf: string;
      failedCriteria: string[];
    })[];
    expect(results.map((r) => r.pathwayId)).toEqual(PATHWAY_IDS);
    for (const r of results) {
      expect(Number.isNaN(Date.parse(r.evaluatedAt))).toBe(false);
      expect(r.asOf).toBe('2026-01-15');
      expect(r.failedCriteria).toEqual(r.criteria.filter((c) => c.status === 'unmet').map((c) => c.id));
      // Stored compact; the explanation is the deterministic re-evaluation of the same profile, version and date.
      expect((r as unknown as { explanation: string }).explanation).toBe('reproduced');
    }
    const direct = book.evaluate(TraineeProfile.parse(nurseProfile({ externalRef: 'elig-1' })), { asOf: '2026-01-15' });
    expect(results.map(({ evaluatedAt: _e, asOf: _a, failedCriteria: _f, ...rest }) => rest)).toEqual(
      direct.map((d) => ({
        ...d,
        unknownCriteria: d.criteria.filter((c) => c.status === 'unknown').map((c) => c.id),
        explanation: 'reproduced',
      })),
    );

    // A profile change not yet evaluated: the record stays the record, the explanation says it was recomputed.
    const row = await t.database.db.selectFrom('trainees').selectAll().where('id', '=', id).executeTakeFirstOrThrow();
    const changed = nurseProfile({ externalRef: 'elig-1', languages: [{ language: 'en', cefr: 'A1' }] });
    await traineesRepository.update(t.database.db, id, traineeWrite(TraineeProfile.parse(changed), id), row.version);
    const stale = await t.call({ method: 'GET', url: `/v1/trainees/${id}/eligibility`, headers: provider.headers });
    for (const r of stale.json().results as { explanation: string; status: string; pathwayId: string }[]) {
      expect(r.explanation).toBe('recomputed');
      expect(r.status).toBe(results.find((x) => x.pathwayId === r.pathwayId)!.status);
    }
    expect(JSON.stringify(results)).not.toContain('Maria');

    const other = await t.call({
      method: 'GET',
      url: `/v1/trainees/${id}/eligibility`,
      headers: otherProvider.headers,
    });
    expect(other.statusCode).toBe(404);
    const nobody = await t.call({ method: 'GET', url: `/v1/trainees/${id}/eligibility` });
    expect(nobody.statusCode).toBe(401);
    const notUuid = await t.call({ method: 'GET', url: '/v1/trainees/nope/eligibility', headers: provider.headers });
    expect(notUuid.statusCode).toBe(404);
  });
});
