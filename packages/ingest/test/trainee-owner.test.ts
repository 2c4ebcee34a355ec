import { randomUUID } from 'node:crypto';
import { Readable } from 'node:stream';
import {
  organizationsRepository,
  traineesRepository,
  traineeWrite,
  withBulkSession,
  writeTraineeBatch,
} from '@corridor/db';
import { sql } from 'kysely';
import { afterAll, describe, expect, it } from 'vitest';
import { isolatedDatabase } from '../../../test/helpers/db.ts';
import { nurseProfile } from '../../../test/helpers/factories.ts';
import { importTrainees } from '../src/index.ts';

// trainees.owner_org_id is checked by statement-level triggers (migration 0007) rather than a per-row foreign
// key: the same guarantees, each failing with 23503 as the constraint did.
const t = await isolatedDatabase('trainee_owner');
afterAll(() => t.drop());

const org = async () =>
  (await organizationsRepository.create(t.db, { name: 'Provider', kind: 'training_provider', country: 'PH' })).id;
const row = (ref: string) => traineeWrite(nurseProfile({ externalRef: ref }) as never);
const code = (p: Promise<unknown>) =>
  p.then(
    () => 'ok',
    (e: { code?: string }) => e.code,
  );

describe('trainee owners', () => {
  it('refuses trainees of an organization that does not exist, on every write path', async () => {
    const ghost = randomUUID();
    expect(await code(traineesRepository.upsertOne(t.db, ghost, row('a')))).toBe('23503');
    expect(await code(traineesRepository.upsertMany(t.db, ghost, [row('b'), row('c')]))).toBe('23503');
    // binary COPY, as bulk ingest writes
    expect(await code(withBulkSession(t, (s) => writeTraineeBatch(s, ghost, [row('d')])))).toBe('23503');
    const count = await sql<{ n: number }>`SELECT count(*)::int AS n FROM trainees`.execute(t.db);
    expect(count.rows[0]!.n).toBe(0);
  });

  it('stores trainees of an existing organization, by COPY too', async () => {
    const owner = await org();
    const lines = ['x', 'y', 'z'].map((ref) => JSON.stringify(nurseProfile({ externalRef: ref }))).join('\n');
    const report = await importTrainees(t, owner, Readable.from([lines]), { format: 'jsonl' });
    expect(report).toMatchObject({ created: 3, rejectedCount: 0 });
    expect(await code(traineesRepository.upsertOne(t.db, owner, row('w')))).toBe('ok');
  });

  it('refuses moving a trainee to an organization that does not exist', async () => {
    const owner = await org();
    await traineesRepository.upsertOne(t.db, owner, row('m'));
    const moved = sql`UPDATE trainees SET owner_org_id = ${randomUUID()} WHERE owner_org_id = ${owner}`.execute(t.db);
    expect(await code(moved)).toBe('23503');
    const other = await org();
    expect(
      await code(sql`UPDATE trainees SET owner_org_id = ${other} WHERE owner_org_id = ${owner}`.execute(t.db)),
    ).toBe('ok');
  });

  it('refuses deleting, re-keying or truncating organizations that trainees name', async () => {
    const owner = await org();
    await traineesRepository.upsertOne(t.db, owner, row('k'));
    expect(await code(sql`DELETE FROM organizations WHERE id = ${owner}`.execute(t.db))).toBe('23503');
    expect(await code(sql`UPDATE organizations SET id = ${randomUUID()} WHERE id = ${owner}`.execute(t.db))).toBe(
      '23503',
    );
    expect(await code(sql`TRUNCATE organizations CASCADE`.execute(t.db))).not.toBe('ok');
    const empty = await org();
    expect(await code(sql`DELETE FROM organizations WHERE id = ${empty}`.execute(t.db))).toBe('ok');
  });
});
