import { createHash } from 'node:crypto';
import { type Database, type Executor, outboxRelayRepository } from '@corridor/db';
import type { JobCatalog } from './catalog.ts';
import { type JobLogger, silentLogger } from './logger.ts';
import type { Coalescers, OutboxEvent, OutboxRoutes } from './routes.ts';
import { routedJobId } from './routes.ts';
import type { JobRequest, JobRuntime } from './runtime.ts';

export interface OutboxRelayOptions<C extends JobCatalog> {
  database: Pick<Database, 'db' | 'mode'>;
  runtime: JobRuntime<C>;
  routes: OutboxRoutes<C>;
  /**
   * Jobs to merge across the events of one batch (see `defaultCoalesce`). A merged job's id is derived from
   * the ids of all the events that fed it, so re-relaying the same batch yields the same job ids.
   */
  coalesce?: Coalescers<C>;
  /** Events claimed per transaction. Default 500. */
  batchSize?: number;
  /** Wait between polls when the last batch was not full. Default 200 ms. */
  pollMs?: number;
  /** Backoff after a failed batch (Redis or Postgres down): doubles from minMs to maxMs. */
  retry?: { minMs?: number; maxMs?: number };
  /**
   * 'transaction': claim with FOR UPDATE SKIP LOCKED and mark relayed in the same transaction, so several
   * relays (processes) share the outbox without relaying an event twice.
   * 'single-process': claim and mark without holding a transaction across the enqueue. Needed for the
   * in-process runtime on the embedded database: its pool has one connection, so a transaction held while
   * handlers run would leave the handlers no connection (deadlock). Safe only because the embedded database
   * belongs to one process and that process runs one relay.
   * Default: 'single-process' for in-process + embedded, 'transaction' otherwise.
   */
  claim?: 'transaction' | 'single-process';
  log?: JobLogger;
}

export interface OutboxRelay {
  /** Starts the poll loop (idempotent). */
  start(): void;
  /** Stops after the current batch; resolves when the loop has ended. */
  stop(): Promise<void>;
  /** Relays one batch now; resolves with the number of events claimed. Used by the loop, tests and benchmarks. */
  relayOnce(): Promise<number>;
  /** Polls now instead of waiting out pollMs (e.g. after an API write). */
  wake(): void;
}

/**
 * Moves outbox events to the job runtime: claim a batch, route each event to jobs with job ids derived
 * from the event id, enqueue them in bulk, mark the batch relayed, commit. If the enqueue fails (Redis
 * down) the transaction rolls back and the events stay pending in Postgres; the loop retries with backoff.
 *
 * Delivery is at least once: a crash between a successful enqueue and the commit relays the batch again.
 * The job ids collapse the duplicates that are still pending; jobs that already ran run again, so handlers
 * must be idempotent. An event whose route throws (a malformed payload) is logged at error level and
 * marked relayed without jobs, so it cannot block the outbox; replay it by clearing its relayed_at.
 */
export function createOutboxRelay<C extends JobCatalog>(options: OutboxRelayOptions<C>): OutboxRelay {
  const { database, runtime, routes } = options;
  const batchSize = options.batchSize ?? 500;
  const pollMs = options.pollMs ?? 200;
  const minRetryMs = options.retry?.minMs ?? 500;
  const maxRetryMs = options.retry?.maxMs ?? 30_000;
  const log = options.log ?? silentLogger;
  const claim =
    options.claim ?? (runtime.kind === 'in-process' && database.mode === 'embedded' ? 'single-process' : 'transaction');

  let loop: Promise<void> | undefined;
  let stopping = false;
  let wakeUp: (() => void) | undefined;
  let serial: Promise<unknown> = Promise.resolve();

  function route(event: OutboxEvent): { job: string; payload: unknown; part?: number | undefined }[] {
    const r = routes[event.type];
    if (!r) return [];
    try {
      return [...r(event)];
    } catch (err) {
      log.error(
        { err, eventId: event.eventId, type: event.type },
        'outbox event cannot be routed; marking it relayed without jobs',
      );
      return [];
    }
  }

  function jobsFor(events: OutboxEvent[]): JobRequest<C>[] {
    const jobs: { job: string; payload: unknown; jobId: string }[] = [];
    const merged = new Map<string, { payloads: unknown[]; eventIds: string[] }>();
    for (const event of events) {
      for (const j of route(event)) {
        if (options.coalesce?.[j.job as keyof Coalescers<C>]) {
          let group = merged.get(j.job);
          if (!group) {
            group = { payloads: [], eventIds: [] };
            merged.set(j.job, group);
          }
          group.payloads.push(j.payload);
          group.eventIds.push(event.eventId);
        } else {
          jobs.push({ job: j.job, payload: j.payload, jobId: routedJobId(event.eventId, j.job, j.part) });
        }
      }
    }
    for (const [job, group] of merged) {
      const merge = options.coalesce![job as keyof Coalescers<C>] as (payloads: unknown[]) => unknown[];
      const source = createHash('sha256')
        .update([...new Set(group.eventIds)].sort().join(','))
        .digest('hex')
        .slice(0, 32);
      merge(group.payloads).forEach((payload, part) => {
        jobs.push({ job, payload, jobId: `batch-${source}.${job}.${part}` });
      });
    }
    return jobs as JobRequest<C>[];
  }

  async function relayWith(executor: Executor): Promise<number> {
    const rows = await outboxRelayRepository.claimPending(executor, batchSize);
    if (rows.length === 0) return 0;
    const jobs = jobsFor(
      rows.map((row) => ({
        id: row.id,
        eventId: row.event_id,
        type: row.type,
        aggregateType: row.aggregate_type,
        aggregateId: row.aggregate_id,
        payload: row.payload,
        createdAt: row.created_at,
      })),
    );
    if (jobs.length > 0) await runtime.enqueueBulk(jobs);
    await outboxRelayRepository.markRelayed(
      executor,
      rows.map((r) => r.id),
    );
    log.debug({ events: rows.length, jobs: jobs.length }, 'outbox batch relayed');
    return rows.length;
  }

  function relayOnce(): Promise<number> {
    // One batch at a time per relay: concurrency comes from running several relays.
    const next = serial.then(() =>
      claim === 'transaction' ? database.db.transaction().execute((trx) => relayWith(trx)) : relayWith(database.db),
    );
    serial = next.catch(() => {});
    return next;
  }

  function sleep(ms: number) {
    return new Promise<void>((resolve) => {
      const timer = setTimeout(done, ms);
      function done() {
        clearTimeout(timer);
        wakeUp = undefined;
        resolve();
      }
      wakeUp = done;
    });
  }

  async function run() {
    let failures = 0;
    while (!stopping) {
      try {
        const claimed = await relayOnce();
        if (failures > 0) log.info({ failures }, 'outbox relay recovered');
        failures = 0;
        if (claimed < batchSize && !stopping) await sleep(pollMs);
      } catch (err) {
        if (stopping) break;
        failures++;
        const retryInMs = Math.min(maxRetryMs, minRetryMs * 2 ** (failures - 1));
        log.warn({ err, failures, retryInMs }, 'outbox relay batch failed; its events stay pending');
        await sleep(retryInMs);
      }
    }
  }

  return {
    start() {
      if (loop) return;
      stopping = false;
      loop = run().finally(() => {
        loop = undefined;
      });
    },
    async stop() {
      stopping = true;
      wakeUp?.();
      await loop;
    },
    relayOnce,
    wake() {
      wakeUp?.();
    },
  };
}
