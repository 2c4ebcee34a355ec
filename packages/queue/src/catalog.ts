import { Id, PathwayId } from '@corridor/domain';
import { z } from 'zod';
import type { JobLogger } from './logger.ts';

export interface JobBackoff {
  readonly type: 'exponential' | 'fixed';
  /** The first retry's delay; exponential doubles it for each further retry (BullMQ's formula). */
  readonly delayMs: number;
}

export interface JobDefinition<S extends z.ZodType = z.ZodType> {
  /** Persisted identifier (BullMQ queue and job name, Redis keys, failed-job records): never rename casually. */
  readonly name: string;
  readonly payload: S;
  /** Total tries including the first. */
  readonly attempts: number;
  readonly backoff: JobBackoff;
  /** A try running longer than this fails (and is retried) and its handler's signal is aborted. */
  readonly timeoutMs: number;
}

export type JobCatalog = Readonly<Record<string, JobDefinition>>;
export type JobKey<C extends JobCatalog> = Extract<keyof C, string>;
/** What the handler receives: the schema's output, after parsing. */
export type PayloadOf<C extends JobCatalog, K extends JobKey<C>> = z.output<C[K]['payload']>;
/** What producers pass: the schema's input. */
export type PayloadInput<C extends JobCatalog, K extends JobKey<C>> = z.input<C[K]['payload']>;

export interface JobContext {
  readonly jobId: string;
  /** 1 on the first try. */
  readonly attempt: number;
  /** Aborted when the try times out or the worker shuts down; pass it to fetch, pg queries and loops. */
  readonly signal: AbortSignal;
  readonly log: JobLogger;
}

export type JobHandler<P> = (payload: P, ctx: JobContext) => Promise<void>;

/** One handler per catalog job: a missing key is a compile error, and `startWorkers` checks again at runtime. */
export type JobHandlers<C extends JobCatalog> = { readonly [K in JobKey<C>]: JobHandler<PayloadOf<C, K>> };

// Dotted lowercase segments; no ':' because BullMQ uses it as its Redis key separator.
const JOB_NAME = /^[a-z][a-z0-9-]*(\.[a-z][a-z0-9-]*)+$/;

export function defineJob<S extends z.ZodType>(definition: JobDefinition<S>): JobDefinition<S> {
  if (!JOB_NAME.test(definition.name)) throw new Error(`job name ${definition.name} must be dotted lowercase segments`);
  if (!Number.isInteger(definition.attempts) || definition.attempts < 1)
    throw new Error(`job ${definition.name}: attempts must be a positive integer`);
  if (definition.backoff.delayMs < 0) throw new Error(`job ${definition.name}: backoff delay must not be negative`);
  if (definition.timeoutMs <= 0) throw new Error(`job ${definition.name}: timeoutMs must be positive`);
  return Object.freeze({ ...definition, backoff: Object.freeze({ ...definition.backoff }) });
}

/** Checks that no two jobs share a persisted name (they would share a queue). */
export function defineCatalog<C extends JobCatalog>(catalog: C): C {
  const seen = new Map<string, string>();
  for (const [key, definition] of Object.entries(catalog)) {
    const other = seen.get(definition.name);
    if (other) throw new Error(`jobs ${other} and ${key} share the name ${definition.name}`);
    seen.set(definition.name, key);
  }
  return Object.freeze(catalog);
}

/** Delay before the retry that follows `attemptsMade` failed tries (1 = after the first failure). */
export function backoffDelay(backoff: JobBackoff, attemptsMade: number): number {
  return backoff.type === 'fixed' ? backoff.delayMs : Math.round(2 ** (attemptsMade - 1) * backoff.delayMs);
}

// Unknown payload fields are stripped, not refused: during a rolling deploy a newer producer may add a
// field that an older worker does not know yet, and that must not become a terminal failure.
const TraineeIds = z.array(Id).min(1).max(500);

/**
 * Corridor's jobs. Payloads carry ids only; handlers reload state from Postgres and must be idempotent,
 * because delivery is at least once (outbox relay retries, BullMQ stalled-job recovery, retries after a
 * timeout while the first try still runs).
 */
export const jobCatalog = defineCatalog({
  /** Evaluate eligibility for up to 500 trainees (one import chunk, or one trainee after a change). */
  'eligibility.evaluate': defineJob({
    name: 'corridor.eligibility.evaluate',
    payload: z.object({ traineeIds: TraineeIds }),
    attempts: 5,
    backoff: { type: 'exponential', delayMs: 1_000 },
    timeoutMs: 120_000,
  }),
  /**
   * Re-evaluate a pathway's trainees after its rule pack changed. Resumable: a handler processes one chunk
   * of trainees after `chunkAfter` (a trainee id cursor) and enqueues the next chunk as a new job.
   */
  'eligibility.reevaluate': defineJob({
    name: 'corridor.eligibility.reevaluate',
    payload: z.object({
      pathwayId: PathwayId,
      fromVersion: z.string().min(1).optional(),
      toVersion: z.string().min(1),
      chunkAfter: z.string().min(1).optional(),
    }),
    attempts: 5,
    backoff: { type: 'exponential', delayMs: 2_000 },
    timeoutMs: 300_000,
  }),
  'match.vacancy': defineJob({
    name: 'corridor.match.vacancy',
    payload: z.object({ vacancyId: Id }),
    attempts: 5,
    backoff: { type: 'exponential', delayMs: 1_000 },
    timeoutMs: 120_000,
  }),
  'match.trainee': defineJob({
    name: 'corridor.match.trainee',
    payload: z.object({ traineeId: Id }),
    attempts: 5,
    backoff: { type: 'exponential', delayMs: 1_000 },
    timeoutMs: 60_000,
  }),
  /** A bulk import's chunk: each vacancy the trainees would enter is re-run once for all of them. */
  'match.trainees': defineJob({
    name: 'corridor.match.trainees',
    payload: z.object({ traineeIds: TraineeIds }),
    attempts: 5,
    backoff: { type: 'exponential', delayMs: 2_000 },
    timeoutMs: 600_000,
  }),
  /**
   * A pathway's rules changed: re-match its open vacancies, one chunk per job (the next chunk is announced through
   * the outbox, as eligibility.reevaluate's). `version` is the pack version the change brought in force.
   */
  'match.vacancies': defineJob({
    name: 'corridor.match.vacancies',
    payload: z.object({ pathwayId: PathwayId, version: z.string().min(1), after: Id.optional() }),
    attempts: 5,
    backoff: { type: 'exponential', delayMs: 2_000 },
    timeoutMs: 600_000,
  }),
  'match.round': defineJob({
    name: 'corridor.match.round',
    payload: z.object({ roundId: Id }),
    attempts: 3,
    backoff: { type: 'exponential', delayMs: 5_000 },
    timeoutMs: 900_000,
  }),
  /**
   * Build and store the round lists of a partnership's cohort whose stored lists no longer hold, ahead of its next
   * round (after a bulk import), so that the round reads them rather than building them.
   */
  'round.lists': defineJob({
    name: 'corridor.round.lists',
    payload: z.object({ partnershipId: Id, cohort: z.string().min(1) }),
    attempts: 3,
    backoff: { type: 'exponential', delayMs: 5_000 },
    timeoutMs: 900_000,
  }),
  /**
   * Tell a finished round's unmatched trainees why (after `match_round.completed`): events naming them, written once
   * per round.
   */
  'round.unmatched': defineJob({
    name: 'corridor.round.unmatched',
    payload: z.object({ roundId: Id }),
    attempts: 5,
    backoff: { type: 'exponential', delayMs: 2_000 },
    timeoutMs: 300_000,
  }),
  /**
   * Turn domain events into inbox items and delivery ledger rows (one per recipient and channel). Carries the
   * events themselves (ids and statuses only), so it needs no second read of the outbox.
   */
  'notify.fanout': defineJob({
    name: 'corridor.notify.fanout',
    payload: z.object({
      events: z
        .array(
          z.object({
            eventId: Id,
            type: z.string().min(1),
            aggregateId: Id,
            payload: z.record(z.string(), z.unknown()),
            createdAt: z.string().min(1),
          }),
        )
        .min(1)
        .max(500),
    }),
    attempts: 8,
    backoff: { type: 'exponential', delayMs: 1_000 },
    timeoutMs: 120_000,
  }),
  /**
   * One try of up to 200 deliveries. Per-delivery retries (backoff with jitter, Retry-After, dead letters) live
   * in the delivery ledger, not here: a job is retried only when the try itself could not run (database down).
   */
  'notify.deliver': defineJob({
    name: 'corridor.notify.deliver',
    payload: z.object({ deliveryIds: z.array(Id).min(1).max(200) }),
    attempts: 5,
    backoff: { type: 'exponential', delayMs: 2_000 },
    timeoutMs: 60_000,
  }),
});

export type CorridorJobs = typeof jobCatalog;
