import { randomUUID } from 'node:crypto';
import { type Database, type DomainEvent, outboxRelayRepository, outboxRepository } from '@corridor/db';
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import {
  type CorridorJobs,
  createBullmqRuntime,
  createInProcessRuntime,
  createOutboxRelay,
  defaultCoalesce,
  defaultRoutes,
  type JobHandlers,
  type JobRequest,
  type JobRuntime,
  type OutboxRelay,
  TerminalJobError,
} from '../src/index.ts';
import {
  deleteRedisPrefix,
  ensureNoEviction,
  freePort,
  openTestDatabase,
  startTcpProxy,
  TEST_REDIS_URL,
  uniqueName,
  waitFor,
} from './helpers.ts';

let database: Database;
let drop: () => Promise<void>;
const prefix = uniqueName('corridortest_relay');
let prefixes = 0;
const cleanups: (() => Promise<void>)[] = [];

beforeAll(async () => {
  await ensureNoEviction();
  ({ database, drop } = await openTestDatabase('relay'));
});

afterEach(async () => {
  // Relays before runtimes before anything else, like the worker's shutdown.
  for (const cleanup of cleanups.splice(0).reverse()) await cleanup();
  await database.pool.query('TRUNCATE outbox');
});

afterAll(async () => {
  await drop();
  for (let i = 0; i < prefixes; i++) await deleteRedisPrefix(`${prefix}${i}`);
});

/** What the handlers saw: every trainee id evaluated, every vacancy matched. */
interface Seen {
  trainees: string[];
  vacancies: string[];
}

function handlers(seen: Seen, options: { delayMs?: number } = {}): JobHandlers<CorridorJobs> {
  const notHere = async () => {
    throw new TerminalJobError('not used by this test');
  };
  return {
    'eligibility.evaluate': async ({ traineeIds }) => {
      if (options.delayMs) await new Promise((r) => setTimeout(r, options.delayMs));
      seen.trainees.push(...traineeIds);
    },
    'eligibility.reevaluate': notHere,
    'match.vacancy': async ({ vacancyId }) => {
      seen.vacancies.push(vacancyId);
    },
    'match.trainee': notHere,
    'match.trainees': notHere,
    'match.vacancies': notHere,
    'match.round': notHere,
    'round.lists': notHere,
    'round.unmatched': notHere,
    'notify.fanout': notHere,
    'notify.deliver': notHere,
  };
}

/** Counts every job id handed to the runtime, across all relays sharing it. */
function countingEnqueues(runtime: JobRuntime<CorridorJobs>, enqueued: Map<string, number>): JobRuntime<CorridorJobs> {
  return {
    ...runtime,
    kind: runtime.kind,
    catalog: runtime.catalog,
    enqueue: runtime.enqueue.bind(runtime),
    async enqueueBulk(jobs: readonly JobRequest<CorridorJobs>[]) {
      await runtime.enqueueBulk(jobs);
      for (const j of jobs) enqueued.set(j.jobId!, (enqueued.get(j.jobId!) ?? 0) + 1);
    },
  };
}

/** A realistic outbox: single-trainee events, bulk imports split into chunks, vacancies, and unrouted events. */
async function seedOutbox() {
  const trainees = Array.from({ length: 300 }, () => randomUUID());
  const imported = Array.from({ length: 1_100 }, () => randomUUID());
  const vacancies = Array.from({ length: 40 }, () => randomUUID());
  const events: DomainEvent[] = [
    ...trainees.map(
      (id, i): DomainEvent => ({
        type: i % 2 ? 'trainee.created' : 'trainee.updated',
        aggregateType: 'trainee',
        aggregateId: id,
        payload: { traineeId: id },
      }),
    ),
    {
      type: 'trainees.imported',
      aggregateType: 'organization',
      aggregateId: randomUUID(),
      payload: { created: imported.slice(0, 700), updated: imported.slice(700) },
    },
    ...vacancies.map(
      (id): DomainEvent => ({
        type: 'vacancy.created',
        aggregateType: 'vacancy',
        aggregateId: id,
        payload: { vacancyId: id },
      }),
    ),
    ...trainees
      .slice(0, 25)
      .map((id): DomainEvent => ({ type: 'trainee.erased', aggregateType: 'trainee', aggregateId: id, payload: {} })),
  ];
  // Interleave so every batch mixes event types.
  events.sort(() => Math.random() - 0.5);
  await outboxRepository.append(database.db, events);
  // 300 single-trainee jobs + ceil(1100 / 500) import chunks + 40 vacancy jobs.
  return { trainees: [...trainees, ...imported], vacancies, events: events.length, jobs: 300 + 3 + 40 };
}

const pending = () => outboxRelayRepository.countPending(database.db);

function bullmqRuntime(redisUrl = TEST_REDIS_URL, prefixIndex = prefixes++) {
  const runtime = createBullmqRuntime({ redisUrl, prefix: `${prefix}${prefixIndex}`, enqueueTimeoutMs: 1_000 });
  cleanups.push(() => runtime.close());
  return runtime;
}

function relay(runtime: JobRuntime<CorridorJobs>, batchSize = 50, coalesce = false): OutboxRelay {
  const r = createOutboxRelay({
    database,
    runtime,
    routes: defaultRoutes,
    ...(coalesce ? { coalesce: defaultCoalesce } : {}),
    batchSize,
    pollMs: 20,
    retry: { minMs: 50, maxMs: 200 },
  });
  cleanups.push(() => r.stop());
  return r;
}

const expectEachOnce = (seen: string[], expected: string[]) => {
  expect(seen.length).toBe(expected.length);
  expect(new Set(seen)).toEqual(new Set(expected));
};

describe.each([
  ['bullmq', () => bullmqRuntime()],
  [
    'in-process',
    () => {
      const runtime = createInProcessRuntime();
      cleanups.push(() => runtime.close());
      return runtime;
    },
  ],
] as const)('outbox relay on the %s runtime', (_kind, createRuntime) => {
  it('relays every event exactly once with two relays claiming in parallel', async () => {
    const seed = await seedOutbox();
    const runtime = createRuntime();
    const seen: Seen = { trainees: [], vacancies: [] };
    await runtime.startWorkers(handlers(seen), { concurrency: 8 });
    const enqueued = new Map<string, number>();
    const counted = countingEnqueues(runtime, enqueued);
    const relays = [relay(counted), relay(counted)];
    for (const r of relays) r.start();

    await waitFor(async () => (await pending()) === 0, 20_000, 'the outbox to drain');
    await waitFor(
      () => seen.trainees.length + seen.vacancies.length >= seed.trainees.length + seed.vacancies.length,
      20_000,
      'all jobs to run',
    );
    await Promise.all(relays.map((r) => r.stop()));

    // Each event claimed by one relay only: every job id reached the runtime once.
    expect(enqueued.size).toBe(seed.jobs);
    expect([...enqueued.values()].every((n) => n === 1)).toBe(true);
    expectEachOnce(seen.trainees, seed.trainees);
    expectEachOnce(seen.vacancies, seed.vacancies);
  });

  it('merges the eligibility jobs of a batch when coalescing, still evaluating every trainee once', async () => {
    const seed = await seedOutbox();
    const runtime = createRuntime();
    const seen: Seen = { trainees: [], vacancies: [] };
    await runtime.startWorkers(handlers(seen), { concurrency: 8 });
    const enqueued = new Map<string, number>();
    const counted = countingEnqueues(runtime, enqueued);
    const relays = [relay(counted, 200, true), relay(counted, 200, true)];
    for (const r of relays) r.start();

    await waitFor(async () => (await pending()) === 0, 20_000, 'the outbox to drain');
    await waitFor(
      () => seen.trainees.length + seen.vacancies.length >= seed.trainees.length + seed.vacancies.length,
      20_000,
      'all jobs to run',
    );
    await Promise.all(relays.map((r) => r.stop()));

    const eligibilityJobs = [...enqueued.keys()].filter((id) => id.includes('.eligibility.evaluate'));
    // 367 events in batches of 200: a handful of merged jobs instead of 303.
    expect(eligibilityJobs.length).toBeLessThan(12);
    expect([...enqueued.values()].every((n) => n === 1)).toBe(true);
    expectEachOnce(seen.trainees, seed.trainees);
    expectEachOnce(seen.vacancies, seed.vacancies);
  });

  it('marks an event it cannot route as relayed without blocking the events behind it', async () => {
    const runtime = createRuntime();
    const seen: Seen = { trainees: [], vacancies: [] };
    await runtime.startWorkers(handlers(seen));
    const good = randomUUID();
    await outboxRepository.append(database.db, [
      {
        type: 'trainees.imported',
        aggregateType: 'organization',
        aggregateId: randomUUID(),
        payload: { created: 'oops' },
      },
      { type: 'trainee.created', aggregateType: 'trainee', aggregateId: good, payload: {} },
    ]);
    const r = relay(runtime);
    expect(await r.relayOnce()).toBe(2);
    await waitFor(() => seen.trainees.length === 1, 5_000, 'the good event');
    expect(seen.trainees).toEqual([good]);
    expect(await pending()).toBe(0);
  });
});

describe('outbox relay when Redis is unavailable', () => {
  it('leaves events pending in Postgres and relays them once Redis is back', async () => {
    const seed = await seedOutbox();
    const port = await freePort();
    const prefixIndex = prefixes++;
    // The producer reaches Redis through a port where nothing listens yet; the worker connects directly.
    const producer = bullmqRuntime(`redis://127.0.0.1:${port}`, prefixIndex);
    const consumer = bullmqRuntime(TEST_REDIS_URL, prefixIndex);
    const seen: Seen = { trainees: [], vacancies: [] };
    await consumer.startWorkers(handlers(seen), { concurrency: 8 });

    const r = relay(producer);
    await expect(r.relayOnce()).rejects.toThrow();
    r.start();
    await new Promise((resolve) => setTimeout(resolve, 1_500));
    expect(await pending()).toBe(seed.events);
    expect(seen.trainees).toEqual([]);

    const proxy = await startTcpProxy(port);
    cleanups.unshift(() => proxy.close());
    await waitFor(async () => (await pending()) === 0, 30_000, 'the outbox to drain after Redis came back');
    await waitFor(() => seen.trainees.length >= seed.trainees.length, 20_000, 'all jobs to run');
    await r.stop();
    expectEachOnce(seen.trainees, seed.trainees);
    expectEachOnce(seen.vacancies, seed.vacancies);
  });
});

describe('outbox relay on the in-process runtime', () => {
  it('marks events relayed only after their jobs ran: closing mid-batch leaves them pending', async () => {
    const seed = await seedOutbox();
    const first = createInProcessRuntime();
    const seenFirst: Seen = { trainees: [], vacancies: [] };
    await first.startWorkers(handlers(seenFirst, { delayMs: 50 }));
    const r1 = createOutboxRelay({ database, runtime: first, routes: defaultRoutes, batchSize: seed.events });
    const batch = r1.relayOnce();
    await waitFor(() => seenFirst.trainees.length > 0, 5_000, 'the first jobs to run');
    // The process "dies": the runtime drops what has not run, the relay's transaction rolls back.
    await first.close();
    await expect(batch).rejects.toThrow(/closed/);
    expect(await pending()).toBe(seed.events);

    // The next start relays the whole batch again (at least once: some jobs ran twice) and finishes it.
    const second = createInProcessRuntime();
    cleanups.push(() => second.close());
    const seenSecond: Seen = { trainees: [], vacancies: [] };
    await second.startWorkers(handlers(seenSecond), { concurrency: 4 });
    const r2 = relay(second, 100);
    r2.start();
    await waitFor(async () => (await pending()) === 0, 20_000, 'the outbox to drain');
    expectEachOnce(seenSecond.trainees, seed.trainees);
  });

  it('does not deadlock on a one-connection pool when claiming without a held transaction', async () => {
    // The embedded database's pool has one connection; handlers need it while the relay waits for them.
    const small = await openTestDatabase('relay_small', 1);
    try {
      const runtime = createInProcessRuntime();
      let pendingSeenByHandler = -1;
      await runtime.startWorkers({
        ...handlers({ trainees: [], vacancies: [] }),
        'eligibility.evaluate': async () => {
          pendingSeenByHandler = await outboxRelayRepository.countPending(small.database.db);
        },
      });
      await outboxRepository.append(small.database.db, [
        { type: 'trainee.created', aggregateType: 'trainee', aggregateId: randomUUID(), payload: {} },
      ]);
      const r = createOutboxRelay({
        database: small.database,
        runtime,
        routes: defaultRoutes,
        claim: 'single-process',
      });
      expect(await r.relayOnce()).toBe(1);
      expect(pendingSeenByHandler).toBe(1);
      expect(await outboxRelayRepository.countPending(small.database.db)).toBe(0);
      await runtime.close();
    } finally {
      await small.drop();
    }
  });
});
