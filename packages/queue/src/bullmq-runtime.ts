import { type Job, type KeepJobs, Queue, UnrecoverableError, Worker } from 'bullmq';
import { Redis } from 'ioredis';
import {
  type CorridorJobs,
  type JobCatalog,
  type JobHandler,
  type JobHandlers,
  type JobKey,
  jobCatalog,
} from './catalog.ts';
import { EnqueueTimeoutError, RedisEvictionPolicyError, RuntimeClosedError, TerminalJobError } from './errors.ts';
import { type JobLogger, silentLogger } from './logger.ts';
import {
  assertHandlers,
  concurrencyFor,
  type EnqueueOptions,
  type JobCounts,
  type JobRequest,
  type JobRuntime,
  runJob,
  type StartWorkersOptions,
} from './runtime.ts';

export interface BullmqRuntimeOptions<C extends JobCatalog> {
  redisUrl: string;
  /** Redis key prefix: one per deployment (and one per test file). */
  prefix?: string;
  catalog?: C;
  log?: JobLogger;
  /**
   * 'enforce' (default): `startWorkers` refuses unless Redis reports `maxmemory-policy noeviction`.
   * 'warn': log and start anyway; only for Redis you cannot configure yourself and have checked by hand.
   * When CONFIG is disabled (managed Redis) the policy cannot be read: both modes log a warning and start.
   */
  evictionPolicyCheck?: 'enforce' | 'warn';
  /** Give up on an enqueue after this long (Redis unreachable); the outbox relay then rolls back. Default 10 s. */
  enqueueTimeoutMs?: number;
  /** Failed jobs kept for inspection. Default: 7 days, at most 10,000 per job type. */
  keepFailed?: KeepJobs;
  /** Completed jobs kept. Default: none (nothing reads them; the results live in Postgres). */
  keepCompleted?: KeepJobs | true;
  /**
   * Job lock duration (BullMQ default 30 s). The lock is renewed every lockDuration/2 from this process's
   * event loop: handlers must `yieldToEventLoop()` well within it, or their jobs are declared stalled.
   */
  lockDurationMs?: number;
  /** Backoff delay multiplier, for tests. */
  backoffScale?: number;
}

export interface BullmqRuntime<C extends JobCatalog> extends JobRuntime<C> {
  readonly kind: 'bullmq';
  /** One BullMQ Queue per job type, for @fastify/bull-board and operator tooling. */
  queues(): readonly Queue[];
}

const DEFAULT_KEEP_FAILED: KeepJobs = { age: 7 * 24 * 3600, count: 10_000 };

/**
 * One BullMQ queue per catalog job rather than one queue of named jobs: each job type gets its own
 * concurrency and its own backlog, so a million-trainee re-evaluation cannot starve notification delivery,
 * and queue depth per job type is visible in bull-board. The cost is one blocking Redis connection per job
 * type per worker process (six), which is cheap.
 *
 * Connections: producers use a connection with the offline queue disabled, so an enqueue while Redis is
 * down fails at once instead of hanging (the relay then rolls back; BullMQ "failing fast when Redis is
 * down"); workers use `maxRetriesPerRequest: null` so their blocking commands wait out a Redis restart
 * (BullMQ "going to production").
 */
export function createBullmqRuntime<C extends JobCatalog = CorridorJobs>(
  options: BullmqRuntimeOptions<C>,
): BullmqRuntime<C> {
  const catalog = (options.catalog ?? jobCatalog) as C;
  const log = options.log ?? silentLogger;
  const prefix = options.prefix ?? 'bull';
  const enqueueTimeoutMs = options.enqueueTimeoutMs ?? 10_000;
  const backoffScale = options.backoffScale ?? 1;
  const keys = Object.keys(catalog) as JobKey<C>[];

  const producer = new Redis(options.redisUrl, {
    maxRetriesPerRequest: null,
    enableOfflineQueue: false,
    connectionName: `${prefix}:producer`,
  });
  // ioredis emits 'error' on every failed reconnect; unhandled it would crash the process.
  producer.on('error', (err) => log.debug({ err }, 'redis producer connection error'));

  const queues = new Map(
    keys.map((key) => {
      const definition = catalog[key]!;
      const queue = new Queue(definition.name, {
        connection: producer,
        prefix,
        defaultJobOptions: {
          attempts: definition.attempts,
          backoff: { type: definition.backoff.type, delay: Math.round(definition.backoff.delayMs * backoffScale) },
          removeOnComplete: options.keepCompleted ?? true,
          removeOnFail: options.keepFailed ?? DEFAULT_KEEP_FAILED,
        },
      });
      queue.on('error', (err) => log.debug({ err, queue: definition.name }, 'queue error'));
      return [key, queue] as const;
    }),
  );
  const queueOf = (key: string) => {
    const queue = queues.get(key as JobKey<C>);
    if (!queue) throw new Error(`unknown job ${key}`);
    return queue;
  };

  let workerConnection: Redis | undefined;
  const workers: Worker[] = [];
  const completed = new Map<string, number>(keys.map((k) => [k, 0]));
  let started = false;
  let closed = false;

  async function withTimeout<T>(work: Promise<T>, what: string): Promise<T> {
    let timer: NodeJS.Timeout | undefined;
    const timeout = new Promise<never>((_, reject) => {
      timer = setTimeout(
        () => reject(new EnqueueTimeoutError(`${what} took longer than ${enqueueTimeoutMs} ms`)),
        enqueueTimeoutMs,
      );
    });
    try {
      return await Promise.race([work, timeout]);
    } finally {
      clearTimeout(timer);
    }
  }

  async function checkEvictionPolicy(client: Redis) {
    let policy: string | undefined;
    try {
      const reply = (await client.call('CONFIG', 'GET', 'maxmemory-policy')) as string[];
      policy = reply[1];
    } catch (err) {
      log.warn({ err }, 'cannot read Redis maxmemory-policy (CONFIG disabled?): make sure it is noeviction');
      return;
    }
    if (policy === 'noeviction') return;
    const message = `Redis maxmemory-policy is ${policy ?? 'unknown'}; BullMQ needs noeviction or Redis may evict jobs and locks under memory pressure (set it with CONFIG SET maxmemory-policy noeviction, or in redis.conf)`;
    if (options.evictionPolicyCheck === 'warn') log.warn({ policy }, message);
    else throw new RedisEvictionPolicyError(message);
  }

  return {
    kind: 'bullmq',
    catalog,

    async enqueue(job, payload, enqueueOptions?: EnqueueOptions) {
      if (closed) throw new RuntimeClosedError('the BullMQ job runtime is closed');
      const definition = catalog[job]!;
      const opts = enqueueOptions?.jobId === undefined ? undefined : { jobId: enqueueOptions.jobId };
      await withTimeout(queueOf(job).add(definition.name, payload, opts), `enqueueing ${definition.name}`);
    },

    async enqueueBulk(jobs: readonly JobRequest<C>[]) {
      if (closed) throw new RuntimeClosedError('the BullMQ job runtime is closed');
      if (jobs.length === 0) return;
      const byKey = new Map<string, { name: string; data: unknown; opts?: { jobId: string } }[]>();
      for (const j of jobs) {
        const definition = catalog[j.job];
        if (!definition) throw new Error(`unknown job ${j.job}`);
        let group = byKey.get(j.job);
        if (!group) {
          group = [];
          byKey.set(j.job, group);
        }
        group.push({
          name: definition.name,
          data: j.payload,
          ...(j.jobId === undefined ? {} : { opts: { jobId: j.jobId } }),
        });
      }
      await withTimeout(
        Promise.all([...byKey].map(([key, group]) => queueOf(key).addBulk(group))),
        `enqueueing ${jobs.length} jobs`,
      );
    },

    async startWorkers(handlers: JobHandlers<C>, startOptions?: StartWorkersOptions<C>) {
      if (closed) throw new RuntimeClosedError('the BullMQ job runtime is closed');
      if (started) throw new Error('workers already started');
      assertHandlers(catalog, handlers);
      const concurrency = new Map(keys.map((k) => [k, concurrencyFor(startOptions, k)]));
      started = true;
      workerConnection = new Redis(options.redisUrl, {
        maxRetriesPerRequest: null,
        connectionName: `${prefix}:worker`,
      });
      workerConnection.on('error', (err) => log.debug({ err }, 'redis worker connection error'));
      await checkEvictionPolicy(workerConnection);

      for (const key of keys) {
        const definition = catalog[key]!;
        const handler = handlers[key] as JobHandler<unknown>;
        // Declared with three parameters: BullMQ passes the abort signal only to processors that take it.
        const processor = async (job: Job, _token?: string, signal?: AbortSignal) => {
          const attempt = job.attemptsMade + 1;
          const jobLog = log.child({ job: definition.name, jobId: job.id, attempt });
          try {
            await runJob(definition, handler, job.data, { jobId: job.id!, attempt, signal, log: jobLog });
          } catch (error) {
            if (error instanceof TerminalJobError) {
              jobLog.warn({ err: error }, 'job failed for good');
              throw new UnrecoverableError(error.message);
            }
            jobLog.info({ err: error, attemptsLeft: definition.attempts - attempt }, 'job failed');
            throw error;
          }
        };
        const worker = new Worker(definition.name, processor, {
          connection: workerConnection,
          prefix,
          concurrency: concurrency.get(key)!,
          ...(options.lockDurationMs ? { lockDuration: options.lockDurationMs } : {}),
        });
        worker.on('error', (err) => log.error({ err, queue: definition.name }, 'worker error'));
        worker.on('completed', () => completed.set(key, completed.get(key)! + 1));
        worker.on('stalled', (jobId) => log.warn({ queue: definition.name, jobId }, 'job stalled: its lock expired'));
        workers.push(worker);
      }
      await Promise.all(workers.map((w) => w.waitUntilReady()));
    },

    async counts() {
      const entries = await Promise.all(
        keys.map(async (key) => {
          const c = await queueOf(key).getJobCounts('wait', 'prioritized', 'active', 'delayed', 'failed');
          const counts: JobCounts = {
            waiting: (c.wait ?? 0) + (c.prioritized ?? 0),
            active: c.active ?? 0,
            delayed: c.delayed ?? 0,
            failed: c.failed ?? 0,
            completed: completed.get(key)!,
          };
          return [key, counts] as const;
        }),
      );
      return Object.fromEntries(entries) as Record<JobKey<C>, JobCounts>;
    },

    queues() {
      return [...queues.values()];
    },

    async close() {
      if (closed) return;
      closed = true;
      // Workers first: they finish their running jobs (graceful), then nothing else touches the connections.
      await Promise.allSettled(workers.map((w) => w.close()));
      await Promise.allSettled([...queues.values()].map((q) => q.close()));
      producer.disconnect();
      workerConnection?.disconnect();
    },
  };
}
