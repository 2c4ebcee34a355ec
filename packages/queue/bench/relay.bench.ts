/**
 * Outbox → BullMQ → handler throughput. Inserts N `trainee.created` events into a fresh schema, relays them
 * with addBulk to no-op workers and reports events/s from outbox to handler (an event counts once its
 * trainee id reached a handler), plus Redis memory before, at peak and after (completed jobs are removed,
 * so "after" should return to about "before"). Three variants:
 *   - addBulk, one job per event;
 *   - addBulk with `defaultCoalesce` (a batch's eligibility jobs merged into jobs of 500 trainees), as the
 *     worker runs it;
 *   - naive: one awaited `add` per event, on a smaller sample.
 *
 *   npx tsx packages/queue/bench/relay.bench.ts [events=100000]
 *
 * Needs the local Postgres and Redis of the test suite.
 */
import { randomBytes, randomUUID } from 'node:crypto';
import { pathToFileURL } from 'node:url';
import {
  type Database,
  type DomainEvent,
  migrateToLatest,
  openDatabase,
  outboxRelayRepository,
  outboxRepository,
} from '@corridor/db';
import { Redis } from 'ioredis';
import {
  type CorridorJobs,
  createBullmqRuntime,
  createOutboxRelay,
  defaultCoalesce,
  defaultRoutes,
  type JobHandlers,
  type JobRequest,
  type JobRuntime,
} from '../src/index.ts';

const DATABASE_URL = 'postgres://postgres@127.0.0.1:5432/test';
const REDIS_URL = 'redis://127.0.0.1:6379';

export interface RelayBenchOptions {
  events: number;
  /** Events per relay transaction. */
  batchSize?: number;
  /** Relays running in parallel (SKIP LOCKED). */
  relays?: number;
  /** Parallel no-op jobs in the worker. */
  concurrency?: number;
  /** Events for the naive one-add-per-event comparison (0 skips it). */
  naiveEvents?: number;
}

export interface RelayRun {
  events: number;
  seconds: number;
  eventsPerSecond: number;
  redisUsedBefore: number;
  redisUsedPeak: number;
  redisUsedAfter: number;
}

export interface RelayBenchResult {
  bulk: RelayRun;
  coalesced: RelayRun;
  naive?: RelayRun;
}

type Variant = 'bulk' | 'coalesced' | 'naive';

async function usedMemory(redis: Redis): Promise<number> {
  const info = await redis.info('memory');
  return Number(/used_memory:(\d+)/.exec(info)?.[1] ?? 0);
}

async function seed(database: Database, events: number) {
  for (let done = 0; done < events; done += 5_000) {
    const chunk: DomainEvent[] = Array.from({ length: Math.min(5_000, events - done) }, () => {
      const id = randomUUID();
      return { type: 'trainee.created', aggregateType: 'trainee', aggregateId: id, payload: { traineeId: id } };
    });
    await outboxRepository.append(database.db, chunk);
  }
}

/** One awaited add per job: what a relay without addBulk would do. */
function oneAddPerJob(runtime: JobRuntime<CorridorJobs>): JobRuntime<CorridorJobs> {
  return {
    ...runtime,
    kind: runtime.kind,
    catalog: runtime.catalog,
    async enqueueBulk(jobs: readonly JobRequest<CorridorJobs>[]) {
      for (const j of jobs)
        await runtime.enqueue(j.job, j.payload as never, j.jobId === undefined ? {} : { jobId: j.jobId });
    },
  };
}

async function runOnce(
  events: number,
  options: Required<Omit<RelayBenchOptions, 'events' | 'naiveEvents'>>,
  variant: Variant,
): Promise<RelayRun> {
  const schema = `bench_relay_${randomBytes(4).toString('hex')}`;
  const prefix = `bench_relay_${randomBytes(4).toString('hex')}`;
  const database = await openDatabase({ url: DATABASE_URL, schema, poolMax: options.relays + 2 });
  const redis = new Redis(REDIS_URL);
  const runtime = createBullmqRuntime({ redisUrl: REDIS_URL, prefix, enqueueTimeoutMs: 60_000 });
  try {
    await migrateToLatest(database.db, schema);
    await seed(database, events);
    const redisUsedBefore = await usedMemory(redis);

    let handled = 0;
    let allHandled: () => void = () => {};
    const finished = new Promise<void>((resolve) => {
      allHandled = resolve;
    });
    const noop = async () => {};
    const handlers: JobHandlers<CorridorJobs> = {
      'eligibility.evaluate': async ({ traineeIds }) => {
        handled += traineeIds.length;
        if (handled === events) allHandled();
      },
      'eligibility.reevaluate': noop,
      'match.vacancy': noop,
      'match.trainee': noop,
      'match.trainees': noop,
      'match.vacancies': noop,
      'match.round': noop,
      'round.lists': noop,
      'round.unmatched': noop,
      'notify.fanout': noop,
      'notify.deliver': noop,
    };
    await runtime.startWorkers(handlers, { concurrency: { 'eligibility.evaluate': options.concurrency } });

    let redisUsedPeak = redisUsedBefore;
    const sampler = setInterval(() => {
      usedMemory(redis).then(
        (m) => {
          redisUsedPeak = Math.max(redisUsedPeak, m);
        },
        () => {},
      );
    }, 100);

    const target = variant === 'naive' ? oneAddPerJob(runtime) : runtime;
    const relays = Array.from({ length: options.relays }, () =>
      createOutboxRelay({
        database,
        runtime: target,
        routes: defaultRoutes,
        ...(variant === 'coalesced' ? { coalesce: defaultCoalesce } : {}),
        batchSize: options.batchSize,
        pollMs: 50,
      }),
    );
    const started = performance.now();
    for (const r of relays) r.start();
    await finished;
    const seconds = (performance.now() - started) / 1000;
    await Promise.all(relays.map((r) => r.stop()));
    clearInterval(sampler);

    const left = await outboxRelayRepository.countPending(database.db);
    if (left !== 0) throw new Error(`${left} events still pending after all jobs ran`);
    await runtime.close();
    const redisUsedAfter = await usedMemory(redis);
    return {
      events,
      seconds,
      eventsPerSecond: Math.round(events / seconds),
      redisUsedBefore,
      redisUsedPeak,
      redisUsedAfter,
    };
  } finally {
    await runtime.close();
    await database.pool.query(`DROP SCHEMA IF EXISTS "${schema}" CASCADE`);
    await database.close();
    let cursor = '0';
    do {
      const [next, keys] = await redis.scan(cursor, 'MATCH', `${prefix}:*`, 'COUNT', 1000);
      cursor = next;
      if (keys.length > 0) await redis.unlink(...keys);
    } while (cursor !== '0');
    redis.disconnect();
  }
}

export async function runRelayBench(options: RelayBenchOptions): Promise<RelayBenchResult> {
  const settings = {
    batchSize: options.batchSize ?? 2_000,
    relays: options.relays ?? 2,
    concurrency: options.concurrency ?? 200,
  };
  const bulk = await runOnce(options.events, settings, 'bulk');
  const coalesced = await runOnce(options.events, settings, 'coalesced');
  const naiveEvents = options.naiveEvents ?? Math.min(options.events, 10_000);
  const naive = naiveEvents > 0 ? await runOnce(naiveEvents, settings, 'naive') : undefined;
  return naive ? { bulk, coalesced, naive } : { bulk, coalesced };
}

const mib = (bytes: number) => `${(bytes / 1024 / 1024).toFixed(1)} MiB`;
const describeRun = (label: string, r: RelayRun) =>
  `${label}: ${r.events} events in ${r.seconds.toFixed(2)} s = ${r.eventsPerSecond} events/s outbox→handler; ` +
  `redis used_memory ${mib(r.redisUsedBefore)} before, ${mib(r.redisUsedPeak)} peak, ${mib(r.redisUsedAfter)} after`;

if (import.meta.url === pathToFileURL(process.argv[1] ?? '').href) {
  const events = Number(process.argv[2] ?? 100_000);
  const result = await runRelayBench({ events });
  console.log(describeRun('addBulk, job per event', result.bulk));
  console.log(describeRun('addBulk, coalesced    ', result.coalesced));
  if (result.naive) console.log(describeRun('one add per event     ', result.naive));
}
