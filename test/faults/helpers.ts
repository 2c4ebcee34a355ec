import type { ChildProcess } from 'node:child_process';
import { randomUUID } from 'node:crypto';
import { once } from 'node:events';
import type { Database } from '@corridor/db';
import { type BullmqRuntime, type CorridorJobs, createBullmqRuntime } from '@corridor/queue';
import { sql } from 'kysely';
import { expect } from 'vitest';
import { dropDatabase } from '../helpers/db.ts';

// What the fault tests share: seeding many match jobs through the outbox, watching them drain, and the
// invariants that must hold afterwards.

/** `count` distinct vacancy.updated events, round-robin over the vacancies: each becomes its own match.vacancy job. */
export async function addMatchEvents(database: Database, vacancies: readonly string[], count: number) {
  const events = Array.from({ length: count }, (_, i) => ({
    event_id: randomUUID(),
    type: 'vacancy.updated',
    aggregate_type: 'vacancy',
    aggregate_id: vacancies[i % vacancies.length]!,
    payload: JSON.stringify({ vacancyId: vacancies[i % vacancies.length], source: 'fault-test' }),
  }));
  for (let i = 0; i < events.length; i += 2_000)
    await database.db
      .insertInto('outbox')
      .values(events.slice(i, i + 2_000))
      .execute();
}

export const pendingOutbox = async (database: Database) =>
  Number(
    (await sql<{ n: string }>`SELECT count(*) AS n FROM outbox WHERE relayed_at IS NULL`.execute(database.db)).rows[0]!
      .n,
  );

/** Waits until `pending` is at most `atMost` (or a minute has passed). */
export async function waitForPendingAtMost(database: Database, atMost: number) {
  const deadline = Date.now() + 60_000;
  while ((await pendingOutbox(database)) > atMost && Date.now() < deadline) await new Promise((r) => setTimeout(r, 50));
}

/** Waits until the outbox is relayed and no BullMQ job is waiting, active or delayed; returns the failed jobs. */
export async function drainQueues(database: Database, observer: BullmqRuntime<CorridorJobs>, timeoutMs: number) {
  const finish = Date.now() + timeoutMs;
  for (;;) {
    const c = await observer.counts();
    const open = Object.values(c).reduce((n, x) => n + x.waiting + x.active + x.delayed, 0);
    if (open === 0 && (await pendingOutbox(database)) === 0) break;
    if (Date.now() > finish)
      throw new Error(`not finished: ${JSON.stringify(c)}, outbox pending ${await pendingOutbox(database)}`);
    await new Promise((r) => setTimeout(r, 250));
  }
  const failed = (await Promise.all(observer.queues().map((q) => q.getFailed()))).flat();
  return failed.map((j) => `${j.name}: ${j.failedReason}`);
}

/** Placements are unique per pair and each was announced exactly once. */
export async function expectNoDuplicatePlacements(database: Database) {
  const pairs = await sql<{ n: string; distinct_pairs: string }>`
    SELECT count(*) AS n, count(DISTINCT (vacancy_id, trainee_id)) AS distinct_pairs FROM placements`.execute(
    database.db,
  );
  expect(Number(pairs.rows[0]!.n)).toBeGreaterThan(0);
  expect(pairs.rows[0]!.n).toBe(pairs.rows[0]!.distinct_pairs);
  const twice = await sql<{ aggregate_id: string }>`
    SELECT aggregate_id FROM outbox WHERE type = 'placement.proposed' GROUP BY aggregate_id HAVING count(*) > 1`.execute(
    database.db,
  );
  expect(twice.rows).toEqual([]);
  const proposed = await sql<{ n: string }>`SELECT count(*) AS n FROM outbox WHERE type = 'placement.proposed'`.execute(
    database.db,
  );
  expect(Number(proposed.rows[0]!.n)).toBe(Number(pairs.rows[0]!.n));
}

/**
 * Ends a run that had its own database, queue prefix and processes: stops the processes, closes the app and the
 * database, drops the database and removes the run's queues from the shared Redis.
 */
export async function endRun(run: {
  processes: readonly ChildProcess[];
  app: { close(): Promise<void> };
  database: Database;
  admin: { query(sql: string): Promise<unknown>; end(): Promise<void> };
  dbName: string;
  redisUrl: string;
  prefix: string;
}) {
  for (const p of run.processes)
    if (p.exitCode === null && p.signalCode === null) {
      p.kill('SIGTERM');
      await once(p, 'exit');
    }
  await run.app.close();
  await run.database.close();
  await dropDatabase(run.admin, run.dbName);
  await run.admin.end();
  const runtime = createBullmqRuntime({ redisUrl: run.redisUrl, prefix: run.prefix });
  await Promise.all(runtime.queues().map((q) => q.obliterate({ force: true })));
  await runtime.close();
}
