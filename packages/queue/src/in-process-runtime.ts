import { setMaxListeners } from 'node:events';
import {
  backoffDelay,
  type CorridorJobs,
  type JobCatalog,
  type JobHandler,
  type JobHandlers,
  type JobKey,
  jobCatalog,
} from './catalog.ts';
import { RuntimeClosedError } from './errors.ts';
import { type JobLogger, silentLogger } from './logger.ts';
import {
  assertHandlers,
  concurrencyFor,
  type EnqueueOptions,
  isTerminal,
  type JobCounts,
  type JobRequest,
  type JobRuntime,
  runJob,
  type StartWorkersOptions,
} from './runtime.ts';

export interface InProcessRuntimeOptions<C extends JobCatalog> {
  catalog?: C;
  log?: JobLogger;
  /** Multiplies every backoff delay: tests use e.g. 0.01 to keep real timers but short waits. */
  backoffScale?: number;
  /** Failed jobs kept for `failures()` (oldest dropped first), like BullMQ's removeOnFail count. */
  keepFailed?: number;
}

export interface FailedJob {
  job: string;
  jobId: string;
  attempts: number;
  error: string;
}

export interface InProcessRuntime<C extends JobCatalog> extends JobRuntime<C> {
  readonly kind: 'in-process';
  /** Resolves when nothing is waiting, delayed or running (tests, and shutdown of the embedded mode). */
  drain(): Promise<void>;
  failures(): readonly FailedJob[];
}

interface Entry {
  key: string;
  jobId: string;
  payload: unknown;
  attemptsMade: number;
  state: 'waiting' | 'delayed' | 'active';
  timer?: NodeJS.Timeout;
  settled: Promise<void>;
  resolve: () => void;
  reject: (error: Error) => void;
}

/**
 * Jobs run inside this process: the embedded mode, with no Redis. Nothing is persisted here, which is
 * why `enqueue`/`enqueueBulk` resolve only after the jobs settle: the outbox relay marks events relayed
 * after that, so if the process dies mid-job the events are still pending in Postgres and run again on
 * the next start. Duplicate job ids collapse while the first job is pending (waiting, delayed or running).
 */
export function createInProcessRuntime<C extends JobCatalog = CorridorJobs>(
  options: InProcessRuntimeOptions<C> = {},
): InProcessRuntime<C> {
  const catalog = (options.catalog ?? jobCatalog) as C;
  const log = options.log ?? silentLogger;
  const backoffScale = options.backoffScale ?? 1;
  const keepFailed = options.keepFailed ?? 1_000;
  const keys = Object.keys(catalog) as JobKey<C>[];

  const pending = new Map<string, Entry>(); // by `${key}\0${jobId}`
  const ready = new Map<string, Entry[]>(keys.map((k) => [k, []]));
  const stats = new Map<string, JobCounts>(
    keys.map((k) => [k, { waiting: 0, active: 0, delayed: 0, failed: 0, completed: 0 }]),
  );
  const failed: FailedJob[] = [];
  const running = new Set<Promise<void>>();
  const shutdown = new AbortController();
  // Every running job listens on it: more than the default 10 is normal, not a leak.
  setMaxListeners(0, shutdown.signal);
  let handlers: JobHandlers<C> | undefined;
  let limits = new Map<string, number>();
  let idleWaiters: (() => void)[] = [];
  let nextId = 1;
  let closed = false;

  const statsOf = (key: string) => stats.get(key)!;

  function checkIdle() {
    if (pending.size > 0 || idleWaiters.length === 0) return;
    const waiters = idleWaiters;
    idleWaiters = [];
    for (const w of waiters) w();
  }

  function add(key: string, payload: unknown, jobId: string | undefined): Promise<void> {
    if (closed) return Promise.reject(new RuntimeClosedError('the in-process job runtime is closed'));
    if (!(key in catalog)) return Promise.reject(new Error(`unknown job ${key}`));
    const id = jobId ?? `${nextId++}`;
    const existing = pending.get(`${key}\0${id}`);
    if (existing) return existing.settled;
    let resolve!: () => void;
    let reject!: (error: Error) => void;
    const settled = new Promise<void>((res, rej) => {
      resolve = res;
      reject = rej;
    });
    const entry: Entry = { key, jobId: id, payload, attemptsMade: 0, state: 'waiting', settled, resolve, reject };
    pending.set(`${key}\0${id}`, entry);
    ready.get(key)!.push(entry);
    statsOf(key).waiting++;
    pump(key);
    return settled;
  }

  function pump(key: string) {
    if (!handlers || closed) return;
    const queue = ready.get(key)!;
    const counts = statsOf(key);
    const limit = limits.get(key) ?? 1;
    while (counts.active < limit && queue.length > 0) {
      const entry = queue.shift()!;
      counts.waiting--;
      counts.active++;
      entry.state = 'active';
      const run = execute(entry).finally(() => running.delete(run));
      running.add(run);
    }
  }

  async function execute(entry: Entry) {
    const key = entry.key as JobKey<C>;
    const definition = catalog[key]!;
    const handler = handlers![key] as JobHandler<unknown>;
    const attempt = entry.attemptsMade + 1;
    const jobLog = log.child({ job: definition.name, jobId: entry.jobId, attempt });
    const counts = statsOf(key);
    try {
      await runJob(definition, handler, entry.payload, {
        jobId: entry.jobId,
        attempt,
        signal: shutdown.signal,
        log: jobLog,
      });
      counts.active--;
      counts.completed++;
      finish(entry);
      entry.resolve();
    } catch (error) {
      counts.active--;
      entry.attemptsMade = attempt;
      const message = error instanceof Error ? error.message : String(error);
      if (closed) {
        finish(entry);
        entry.reject(new RuntimeClosedError(`closed while ${definition.name} ${entry.jobId} was running`));
      } else if (isTerminal(error) || attempt >= definition.attempts) {
        jobLog.warn({ err: error, terminal: isTerminal(error) }, 'job failed for good');
        counts.failed++;
        failed.push({ job: key, jobId: entry.jobId, attempts: attempt, error: message });
        if (failed.length > keepFailed) failed.shift();
        finish(entry);
        entry.resolve();
      } else {
        const delay = backoffDelay(definition.backoff, attempt) * backoffScale;
        jobLog.info({ err: error, retryInMs: delay }, 'job failed, retrying');
        counts.delayed++;
        entry.state = 'delayed';
        entry.timer = setTimeout(() => {
          entry.timer = undefined;
          counts.delayed--;
          counts.waiting++;
          entry.state = 'waiting';
          ready.get(key)!.push(entry);
          pump(key);
        }, delay);
      }
    }
    pump(key);
  }

  function finish(entry: Entry) {
    pending.delete(`${entry.key}\0${entry.jobId}`);
    checkIdle();
  }

  return {
    kind: 'in-process',
    catalog,

    enqueue(job, payload, enqueueOptions?: EnqueueOptions) {
      return add(job, payload, enqueueOptions?.jobId);
    },

    async enqueueBulk(jobs: readonly JobRequest<C>[]) {
      await Promise.all(jobs.map((j) => add(j.job, j.payload, j.jobId)));
    },

    async startWorkers(given: JobHandlers<C>, startOptions?: StartWorkersOptions<C>) {
      if (closed) throw new RuntimeClosedError('the in-process job runtime is closed');
      if (handlers) throw new Error('workers already started');
      assertHandlers(catalog, given);
      limits = new Map(keys.map((k) => [k, concurrencyFor(startOptions, k)]));
      handlers = given;
      for (const k of keys) pump(k);
    },

    async counts() {
      return Object.fromEntries(keys.map((k) => [k, { ...statsOf(k) }])) as Record<JobKey<C>, JobCounts>;
    },

    drain() {
      if (pending.size === 0) return Promise.resolve();
      return new Promise<void>((resolve) => idleWaiters.push(resolve));
    },

    failures() {
      return [...failed];
    },

    async close() {
      if (closed) return;
      closed = true;
      // Waiting and delayed jobs are dropped: their enqueuers (the relay) see the rejection, roll back and
      // leave the events pending in Postgres. Running handlers are asked to stop and awaited.
      for (const entry of [...pending.values()]) {
        if (entry.state === 'active') continue;
        clearTimeout(entry.timer);
        const counts = statsOf(entry.key);
        if (entry.state === 'waiting') counts.waiting--;
        else counts.delayed--;
        finish(entry);
        entry.reject(new RuntimeClosedError('the in-process job runtime closed before the job ran'));
      }
      for (const queue of ready.values()) queue.length = 0;
      shutdown.abort(new RuntimeClosedError('the in-process job runtime is closing'));
      await Promise.allSettled([...running]);
    },
  };
}
