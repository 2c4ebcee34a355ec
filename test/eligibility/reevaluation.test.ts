import {
  type Database,
  eligibilityRepository,
  newId,
  rulePacksRepository,
  traineesRepository,
  traineeWrite,
} from '@corridor/db';
import { type CefrLevelCode, TraineeProfile } from '@corridor/domain';
import {
  composePacks,
  databaseRuleBookSource,
  evaluateTrainees,
  loadRuleBook,
  RuleBookStaleError,
  recomputeAll,
  reevaluatePathway,
  reevaluatePathwayToEnd,
} from '@corridor/evaluation';
import { createRuleBook, type RulePack, shippedPacks, shippedRuleBook, validatePack } from '@corridor/rules';
import { sql } from 'kysely';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { admin, buildTestApp, createOrganization, type TestApp } from '../helpers/app.ts';
import { isolatedDatabase } from '../helpers/db.ts';
import { nurseProfile } from '../helpers/factories.ts';

const PATHWAY = 'de-recognition-partnership';
const AS_OF = '2026-03-15';
// The shipped pack asks for German A2 (Make it in Germany); the published version raises it to B1 from 1 March 2026.
const base = shippedPacks().find((p) => p.id === PATHWAY)!;
const raisedPack = {
  ...base,
  version: '2026-03-01',
  effectiveFrom: '2026-03-01',
  criteria: base.criteria.map((c) =>
    c.id === 'german' && c.kind === 'language'
      ? { ...c, label: 'German at least B1', anyOf: [{ language: 'de', minCefr: 'B1' as const }] }
      : c,
  ),
};

/** A nurse whose German is at `level`; fixed ids so two databases can hold the same trainees. */
function trainee(level: CefrLevelCode, n: number) {
  const id = `01900000-0000-7000-8000-${String(n).padStart(12, '0')}`;
  const profile = TraineeProfile.parse(
    nurseProfile({
      externalRef: `t-${n}`,
      languages: [
        { language: 'en', cefr: 'C1' },
        { language: 'de', cefr: level },
      ],
    }),
  );
  return traineeWrite(profile, id);
}

const LEVELS: CefrLevelCode[] = ['A1', 'A2', 'B1', 'A2', 'B2', 'A2', 'B1', 'A1'];
const rows = LEVELS.map((level, i) => trainee(level, i + 1));
const a2Ids = rows.filter((_, i) => LEVELS[i] === 'A2').map((r) => r.id);

const changedEvents = (db: Database) =>
  db.db
    .selectFrom('outbox')
    .select(['aggregate_id', 'payload'])
    .where('type', '=', 'eligibility.changed')
    .orderBy('id')
    .execute();
const stored = (db: Database, pathwayId = PATHWAY) =>
  db.db
    .selectFrom('eligibility_results')
    .select(['trainee_id', 'status', 'pack_version', 'failed_criteria', 'unknown_criteria', 'points', 'profile_hash'])
    .where('pathway_id', '=', pathwayId)
    .orderBy('trainee_id')
    .execute();

async function seed(database: Database, org: string) {
  await traineesRepository.upsertMany(database.db, org, rows, 'none');
}

let t: TestApp;
let orgId: string;

beforeAll(async () => {
  t = await buildTestApp();
  orgId = (await createOrganization(t, 'training_provider', 'Provider', 'PH')).id;
  await seed(t.database, orgId);
});
afterAll(() => t.close());

describe('stored eligibility and re-evaluation after a published pack', () => {
  it('a first evaluation stores 21 results per trainee with pack versions and emits no eligibility.changed', async () => {
    const book = await loadRuleBook(t.database.db);
    const outcome = await evaluateTrainees(t.database, book, [...rows.map((r) => r.id), newId()], { asOf: AS_OF });
    expect(outcome).toMatchObject({ trainees: 8, evaluated: 8 * 21, written: 8 * 21, changed: 0 });
    expect(outcome.skipped).toHaveLength(1);
    const results = await stored(t.database);
    expect(results.map((r) => r.pack_version)).toEqual(Array(8).fill('2024-03-01'));
    const byStatus = Object.fromEntries(results.map((r) => [r.trainee_id, r.status]));
    for (const id of a2Ids) expect(byStatus[id]).toBe('insufficient_data');
    expect(results.filter((r) => r.status === 'not_eligible')).toHaveLength(2); // the A1s
    for (const r of results.filter((x) => x.status === 'not_eligible')) expect(r.failed_criteria).toContain('german');
    expect(await changedEvents(t.database)).toHaveLength(0);

    const again = await evaluateTrainees(
      t.database,
      book,
      rows.map((r) => r.id),
      { asOf: AS_OF },
    );
    expect(again).toMatchObject({ written: 0, changed: 0 });
  });

  it('publishing B1 re-evaluates every stored trainee and emits eligibility.changed only for the A2s that flipped', async () => {
    const res = await t.call({ method: 'PUT', url: `/v1/pathways/${PATHWAY}`, headers: admin, payload: raisedPack });
    expect(res.statusCode).toBe(201);
    const book = await loadRuleBook(t.database.db);
    expect(book.get(PATHWAY, AS_OF)!.version).toBe('2026-03-01');

    const run = await reevaluatePathwayToEnd(t.database, book, {
      pathwayId: PATHWAY,
      asOf: AS_OF,
      toVersion: '2026-03-01',
      chunkSize: 3,
    });
    expect(run).toMatchObject({ trainees: 8, evaluated: 8, written: 8, changed: 3, chunks: 3 });

    const events = await changedEvents(t.database);
    expect(events.map((e) => e.aggregate_id).sort()).toEqual([...a2Ids].sort());
    for (const e of events)
      expect(e.payload).toEqual({
        traineeId: e.aggregate_id,
        pathwayId: PATHWAY,
        from: 'insufficient_data',
        to: 'not_eligible',
        flippedCriteria: ['german'],
        packVersion: '2026-03-01',
        fromPackVersion: '2024-03-01',
        asOf: AS_OF,
        reason: 'rules_changed',
      });
    const results = await stored(t.database);
    expect(results.map((r) => r.pack_version)).toEqual(Array(8).fill('2026-03-01'));
    for (const r of results.filter((x) => a2Ids.includes(x.trainee_id))) expect(r.failed_criteria).toEqual(['german']);
    // Other pathways were not touched.
    expect((await stored(t.database, 'de-skilled-worker')).map((r) => r.pack_version)).toEqual(
      Array(8).fill('2023-11-18'),
    );

    const rerun = await reevaluatePathwayToEnd(t.database, book, { pathwayId: PATHWAY, asOf: AS_OF, chunkSize: 3 });
    expect(rerun).toMatchObject({ written: 0, changed: 0 });
    expect(await changedEvents(t.database)).toHaveLength(3);
  });

  it('a profile change emits profile_changed; erasure removes the stored explanations', async () => {
    const book = await loadRuleBook(t.database.db);
    const a2 = a2Ids[0]!;
    const row = await t.database.db.selectFrom('trainees').selectAll().where('id', '=', a2).executeTakeFirstOrThrow();
    const better = trainee('B1', Number(a2.slice(-12)));
    await traineesRepository.update(t.database.db, a2, better, row.version);
    const outcome = await evaluateTrainees(t.database, book, [a2], { asOf: AS_OF });
    expect(outcome.changed).toBeGreaterThanOrEqual(1);
    const events = (await changedEvents(t.database)).filter(
      (e) => e.aggregate_id === a2 && e.payload.reason === 'profile_changed',
    );
    expect(events.map((e) => e.payload)).toContainEqual(
      expect.objectContaining({ pathwayId: PATHWAY, from: 'not_eligible', to: 'insufficient_data' }),
    );

    await traineesRepository.erase(t.database.db, a2);
    const erased = await evaluateTrainees(t.database, book, [a2], { asOf: AS_OF });
    expect(erased.skipped).toEqual([a2]);
    expect(await eligibilityRepository.listForTrainee(t.database.db, a2)).toEqual([]);
  });

  it('concurrent evaluations of the same trainees serialise: each change is stored once and emitted once', async () => {
    const book = await loadRuleBook(t.database.db);
    const a1Ids = rows.filter((_, i) => LEVELS[i] === 'A1').map((r) => r.id);
    for (const id of a1Ids) {
      const row = await t.database.db.selectFrom('trainees').selectAll().where('id', '=', id).executeTakeFirstOrThrow();
      await traineesRepository.update(t.database.db, id, trainee('B2', Number(id.slice(-12))), row.version);
    }
    const before = (await changedEvents(t.database)).length;
    const runs = await Promise.all(
      [0, 1, 2].map(() => evaluateTrainees(t.database, book, [...a1Ids].reverse(), { asOf: AS_OF, batchSize: 1 })),
    );
    const events = (await changedEvents(t.database)).slice(before);
    expect(events.length).toBeGreaterThan(0);
    expect(runs.reduce((n, r) => n + r.changed, 0)).toBe(events.length);
    const keys = events.map((e) => `${e.aggregate_id}|${e.payload.pathwayId}`);
    expect(new Set(keys).size).toBe(keys.length);
    expect(keys).toEqual(expect.arrayContaining(a1Ids.map((id) => `${id}|${PATHWAY}`)));
  });

  it('refuses a job for a version the rule book does not know yet (retryable)', async () => {
    await expect(
      reevaluatePathway(t.database, shippedRuleBook(), { pathwayId: PATHWAY, asOf: AS_OF, toVersion: '2026-03-01' }),
    ).rejects.toBeInstanceOf(RuleBookStaleError);
  });
});

describe('the rule book source', () => {
  it('keeps its cached book until the recheck interval or invalidate(), then sees versions published elsewhere', async () => {
    const source = databaseRuleBookSource(t.database.db, { recheckMs: 60_000 });
    const first = await source.current();
    const nurse = shippedPacks().find((p) => p.id === 'de-nurse-licence')!;
    const later = { ...nurse, version: '2030-01-01', effectiveFrom: '2030-01-01' };
    await rulePacksRepository.publish(t.database.db, {
      id: newId(),
      pathwayId: later.id,
      version: later.version,
      effectiveFrom: later.effectiveFrom,
      effectiveTo: null,
      pack: later as unknown as Record<string, unknown>,
      publishedBy: 'another process',
    });
    expect(await source.current()).toBe(first);
    source.invalidate();
    const next = await source.current();
    expect(next.get('de-nurse-licence', '2030-01-01')!.version).toBe('2030-01-01');
    expect(next.get('de-nurse-licence', '2029-12-31')!.version).toBe(nurse.version);
  });
});

describe('resumability', () => {
  it('one chunk, a crash, the same chunk again, then the rest: same final state as one run, no double events', async () => {
    const one = await isolatedDatabase('elig_one');
    const chunked = await isolatedDatabase('elig_chunked');
    try {
      const oldBook = shippedRuleBook();
      const checked = validatePack(raisedPack);
      const published: RulePack[] = checked.ok ? [checked.pack] : [];
      expect(published).toHaveLength(1);
      const newBook = createRuleBook(composePacks(shippedPacks(), published));
      for (const db of [one, chunked]) {
        const org = newId();
        await sql`INSERT INTO organizations (id, name, kind, country) VALUES (${org}, 'P', 'training_provider', 'PH')`.execute(
          db.db,
        );
        await seed(db, org);
        await evaluateTrainees(
          db,
          oldBook,
          rows.map((r) => r.id),
          { asOf: AS_OF },
        );
      }
      await reevaluatePathwayToEnd(one, newBook, { pathwayId: PATHWAY, asOf: AS_OF, chunkSize: 100 });

      const first = await reevaluatePathway(chunked, newBook, { pathwayId: PATHWAY, asOf: AS_OF, chunkSize: 4 });
      expect(first.nextCursor).toBe(rows[3]!.id);
      // The worker died before it recorded the cursor: the same chunk runs again and finds nothing to do.
      const replay = await reevaluatePathway(chunked, newBook, { pathwayId: PATHWAY, asOf: AS_OF, chunkSize: 4 });
      expect(replay).toMatchObject({ written: 0, changed: 0, nextCursor: first.nextCursor });
      const rest = await reevaluatePathwayToEnd(chunked, newBook, {
        pathwayId: PATHWAY,
        asOf: AS_OF,
        chunkSize: 4,
        chunkAfter: first.nextCursor!,
      });
      expect(first.changed + rest.changed).toBe(3);

      expect(await stored(chunked)).toEqual(await stored(one));
      const payloads = async (db: Database) => (await changedEvents(db)).map((e) => JSON.stringify(e.payload)).sort();
      expect(await payloads(chunked)).toEqual(await payloads(one));
      expect(await payloads(one)).toHaveLength(3);
    } finally {
      await one.drop();
      await chunked.drop();
    }
  });
});

describe('full recompute', () => {
  it('stores 21 results per trainee, is idempotent, and emits the same flips as the per-pathway re-evaluation', async () => {
    const db = await isolatedDatabase('elig_recompute');
    try {
      const org = newId();
      await sql`INSERT INTO organizations (id, name, kind, country) VALUES (${org}, 'P', 'training_provider', 'PH')`.execute(
        db.db,
      );
      await seed(db, org);
      const first = await recomputeAll(db, shippedRuleBook(), { asOf: AS_OF, chunkSize: 3 });
      expect(first).toMatchObject({ trainees: 8, evaluated: 8 * 21, written: 8 * 21, changed: 0, chunks: 3 });
      const again = await recomputeAll(db, shippedRuleBook(), { asOf: AS_OF, chunkSize: 3 });
      expect(again).toMatchObject({ written: 0, changed: 0 });
      const checked = validatePack(raisedPack);
      const newBook = createRuleBook(composePacks(shippedPacks(), checked.ok ? [checked.pack] : []));
      const after = await recomputeAll(db, newBook, { asOf: AS_OF, chunkSize: 5, reason: 'rules_changed' });
      expect(after).toMatchObject({ written: 8, changed: 3 });
      const events = await changedEvents(db);
      expect(events.map((e) => e.aggregate_id).sort()).toEqual([...a2Ids].sort());
      for (const e of events)
        expect(e.payload).toMatchObject({ from: 'insufficient_data', to: 'not_eligible', flippedCriteria: ['german'] });
    } finally {
      await db.drop();
    }
  });
});
