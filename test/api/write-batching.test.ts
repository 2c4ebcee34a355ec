import { randomUUID } from 'node:crypto';
import { createTraineeWriteBatcher, organizationsRepository, traineeWrite } from '@corridor/db';
import { TraineeProfile } from '@corridor/domain';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { buildTestApp, createOrganization, type TestApp } from '../helpers/app.ts';
import { nurseProfile } from '../helpers/factories.ts';

// Single-trainee writes that arrive together share one statement and commit (group commit). Each request
// must still get exactly its own answer, duplicates by externalRef must not collide, and one bad row must
// not fail the rows it was batched with.

let t: TestApp;
beforeAll(async () => {
  t = await buildTestApp();
});
afterAll(() => t.close());

describe('batched single writes', () => {
  it('answers 60 concurrent POSTs correctly, including repeated externalRefs', async () => {
    const provider = await createOrganization(t, 'training_provider', 'Provider', 'PH');
    const bodies = Array.from({ length: 60 }, (_, i) =>
      i % 3 === 0
        ? nurseProfile({ externalRef: `dup-${i % 6}`, residence: i < 30 ? 'PH' : 'AE' })
        : nurseProfile({ givenName: `N${i}` }),
    );
    const responses = await Promise.all(
      bodies.map((payload) => t.call({ method: 'POST', url: '/v1/trainees', headers: provider.headers, payload })),
    );
    for (const [i, res] of responses.entries()) {
      expect([200, 201]).toContain(res.statusCode);
      const body = res.json();
      if (bodies[i]!.externalRef) expect(body.externalRef).toBe(bodies[i]!.externalRef);
      else expect(body.givenName).toBe(bodies[i]!.givenName);
    }
    const rows = await t.database.db
      .selectFrom('trainees')
      .select(['id', 'external_ref', 'residence'])
      .where('owner_org_id', '=', provider.id)
      .execute();
    expect(rows).toHaveLength(40 + 2); // 40 without externalRef, 2 distinct refs (dup-0, dup-3)
    const created = await t.database.db
      .selectFrom('outbox')
      .select((eb) => eb.fn.countAll<string>().as('n'))
      .where('type', '=', 'trainee.created')
      .where(
        'aggregate_id',
        'in',
        rows.map((r) => r.id),
      )
      .executeTakeFirstOrThrow();
    expect(Number(created.n)).toBe(42);
  });

  it('isolates a failing row: its neighbours in the batch are still written', async () => {
    const org = await organizationsRepository.create(t.database.db, {
      name: 'Direct',
      kind: 'training_provider',
      country: 'PH',
    });
    const batcher = createTraineeWriteBatcher(t.database.db);
    const good = (i: number) => traineeWrite(TraineeProfile.parse(nurseProfile({ externalRef: `ok-${i}` })));
    const bad = traineeWrite(
      TraineeProfile.parse(nurseProfile({ externalRef: 'bad', programme: { partnershipId: randomUUID() } })),
    );
    const results = await Promise.allSettled([
      batcher.upsert(org.id, good(1)),
      batcher.upsert(org.id, bad),
      batcher.upsert(org.id, good(2)),
    ]);
    expect(results.map((r) => r.status)).toEqual(['fulfilled', 'rejected', 'fulfilled']);
    const refs = await t.database.db
      .selectFrom('trainees')
      .select('external_ref')
      .where('owner_org_id', '=', org.id)
      .orderBy('external_ref')
      .execute();
    expect(refs.map((r) => r.external_ref)).toEqual(['ok-1', 'ok-2']);
  });
});
