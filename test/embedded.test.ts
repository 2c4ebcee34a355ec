import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { matchingRepository, migrateToLatest, openDatabase } from '@corridor/db';
import { afterAll, describe, expect, it } from 'vitest';
import { admin, buildTestApp, createOrganization } from './helpers/app.ts';
import { nurseProfile } from './helpers/factories.ts';
import { partnershipWorld } from './matching/helpers.ts';

// The embedded default: PGlite on disk, served over the Postgres wire protocol by pglite-socket, used by the
// same pg/kysely code as production. Migrations, a single write, a bulk write (the non-COPY path) and reads.

const dir = mkdtempSync(join(tmpdir(), 'corridor-embedded-'));
afterAll(() => rmSync(dir, { recursive: true, force: true }));

describe('embedded PGlite', () => {
  it('migrates, writes and reads through the API, and keeps the data across restarts', async () => {
    const database = await openDatabase({ dataDir: dir });
    expect(database.mode).toBe('embedded');
    expect((await migrateToLatest(database.db)).applied).toContain('20261129_0001_foundation');
    const t = await buildTestApp({ database });
    const provider = await createOrganization(t, 'training_provider', 'Provider', 'PH');
    const created = await t.call({
      method: 'POST',
      url: '/v1/trainees',
      headers: provider.headers,
      payload: nurseProfile({ externalRef: 'e-1' }),
    });
    expect(created.statusCode).toBe(201);
    const bulk = await t.call({
      method: 'POST',
      url: '/v1/trainees/bulk',
      headers: { ...provider.headers, 'content-type': 'application/x-ndjson' },
      payload: `${JSON.stringify(nurseProfile({ externalRef: 'e-2' }))}\n${JSON.stringify(nurseProfile({ externalRef: 'e-1' }))}\n`,
    });
    expect(bulk.json()).toMatchObject({ accepted: 2, created: 1, unchanged: 1 });
    const read = await t.call({ method: 'GET', url: `/v1/trainees/${created.json().id}`, headers: provider.headers });
    expect(read.json()).toMatchObject({ externalRef: 'e-1', givenName: 'Maria' });
    await t.close();
    await database.close();

    // A second start on the same folder finds the data and has nothing left to migrate.
    const again = await openDatabase({ dataDir: dir });
    expect((await migrateToLatest(again.db)).applied).toEqual([]);
    const t2 = await buildTestApp({ database: again });
    const list = await t2.call({ method: 'GET', url: '/v1/trainees', headers: admin });
    expect(
      list
        .json()
        .items.map((x: { externalRef: string }) => x.externalRef)
        .sort(),
    ).toEqual(['e-1', 'e-2']);
    await t2.close();
    await again.close();
  }, 60_000);

  it("reads a round's cohort in pages through a cursor on the transaction's one connection", async () => {
    const database = await openDatabase({ dataDir: dir });
    const t = await buildTestApp({ database });
    const { provider, partnershipId } = await partnershipWorld(t);
    const ids: string[] = [];
    for (let i = 0; i < 5; i++) {
      const res = await t.call({
        method: 'POST',
        url: '/v1/trainees',
        headers: provider.headers,
        payload: nurseProfile({ externalRef: `c-${i}`, programme: { partnershipId, cohort: 'C', track: 'away' } }),
      });
      expect(res.statusCode, res.body).toBe(201);
      ids.push(res.json().id);
    }
    const pages = await database.db.transaction().execute(async (trx) => {
      const seen: string[][] = [];
      for await (const page of matchingRepository.cohortTraineePages(trx, partnershipId, 'C', 2))
        seen.push(page.map((row) => row.id));
      return seen;
    });
    expect(pages.map((p) => p.length)).toEqual([2, 2, 1]);
    expect(pages.flat()).toEqual([...ids].sort());
    await t.close();
    await database.close();
  }, 60_000);
});
