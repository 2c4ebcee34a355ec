import { z } from 'zod';
import type { JobCatalog, JobDefinition, JobHandler, JobHandlers, JobKey, PayloadInput } from './catalog.ts';
import { JobTimeoutError, MissingHandlersError, TerminalJobError } from './errors.ts';
import type { JobLogger } from './logger.ts';

export type JobRequest<C extends JobCatalog> = {
  [K in JobKey<C>]: { readonly job: K; readonly payload: PayloadInput<C, K>; readonly jobId?: string };
}[JobKey<C>];

export interface EnqueueOptions {
  /** Deterministic id: enqueueing the same id again while the job is pending adds nothing. */
  jobId?: string;
}

export interface StartWorkersOptions<C extends JobCatalog> {
  /** Jobs run in parallel per job type: one number for all, or per job (default 1 per type; unlisted jobs: 1). */
  concurrency?: number | Partial<Record<JobKey<C>, number>>;
}

export interface JobCounts {
  waiting: number;
  active: number;
  /** Waiting for a retry's backoff. */
  delayed: number;
  /** Failed for good (terminal error or attempts exhausted) and still kept for inspection. */
  failed: number;
  /** Completed by this runtime's workers since they started (BullMQ removes completed jobs from Redis). */
  completed: number;
}

/**
 * Where jobs go and who runs them. Two implementations: BullMQ on Redis (several processes, scale by
 * replicas) and in-process (embedded mode, no Redis). Same catalog, same payload parsing, same retry rules.
 */
export interface JobRuntime<C extends JobCatalog> {
  readonly kind: 'bullmq' | 'in-process';
  readonly catalog: C;
  /**
   * BullMQ: resolves once the job is stored in Redis. In-process: resolves once the job has settled
   * (completed, or failed for good), so a caller that records "handed over" after it can rely on the work
   * being done; rejects with RuntimeClosedError if the runtime closes first.
   */
  enqueue<K extends JobKey<C>>(job: K, payload: PayloadInput<C, K>, options?: EnqueueOptions): Promise<void>;
  /** All or nothing per job type on BullMQ (one addBulk per queue); settles like `enqueue`. */
  enqueueBulk(jobs: readonly JobRequest<C>[]): Promise<void>;
  /** Refuses unless `handlers` has exactly the catalog's jobs. */
  startWorkers(handlers: JobHandlers<C>, options?: StartWorkersOptions<C>): Promise<void>;
  counts(): Promise<Record<JobKey<C>, JobCounts>>;
  /** Stops taking jobs, lets running handlers finish, closes connections. */
  close(): Promise<void>;
}

/** The runtime check behind the compile-time one: handler maps can be built dynamically or cast. */
export function assertHandlers<C extends JobCatalog>(catalog: C, handlers: JobHandlers<C>): void {
  const given = new Set(
    Object.keys(handlers).filter((k) => typeof (handlers as Record<string, unknown>)[k] === 'function'),
  );
  const missing = Object.keys(catalog).filter((k) => !given.has(k));
  const unknown = Object.keys(handlers).filter((k) => !(k in catalog));
  if (missing.length > 0 || unknown.length > 0) throw new MissingHandlersError(missing, unknown);
}

export function concurrencyFor<C extends JobCatalog>(
  options: StartWorkersOptions<C> | undefined,
  key: JobKey<C>,
): number {
  const c = options?.concurrency;
  const n = typeof c === 'number' ? c : (c?.[key] ?? 1);
  if (!Number.isInteger(n) || n < 1) throw new Error(`concurrency for ${key} must be a positive integer`);
  return n;
}

export interface RunContext {
  jobId: string;
  attempt: number;
  /** The runtime's own cancellation (worker shutdown, BullMQ cancelJob). */
  signal?: AbortSignal | undefined;
  log: JobLogger;
}

/**
 * One try of one job, shared by both runtimes: parse the payload (a payload that does not parse can never
 * succeed, so it is terminal), then run the handler under the job's timeout.
 */
export async function runJob(
  definition: JobDefinition,
  handler: JobHandler<unknown>,
  rawPayload: unknown,
  context: RunContext,
): Promise<void> {
  const parsed = definition.payload.safeParse(rawPayload);
  if (!parsed.success) {
    throw new TerminalJobError(`invalid payload for ${definition.name}: ${z.prettifyError(parsed.error)}`);
  }
  const controller = new AbortController();
  const onOuterAbort = () => controller.abort(context.signal?.reason);
  if (context.signal?.aborted) onOuterAbort();
  else context.signal?.addEventListener('abort', onOuterAbort, { once: true });

  let timer: NodeJS.Timeout | undefined;
  const timedOut = new Promise<never>((_, reject) => {
    timer = setTimeout(() => {
      const error = new JobTimeoutError(`${definition.name} ran longer than ${definition.timeoutMs} ms`);
      controller.abort(error);
      reject(error);
    }, definition.timeoutMs);
  });
  try {
    await Promise.race([
      handler(parsed.data, {
        jobId: context.jobId,
        attempt: context.attempt,
        signal: controller.signal,
        log: context.log,
      }),
      timedOut,
    ]);
  } finally {
    clearTimeout(timer);
    context.signal?.removeEventListener('abort', onOuterAbort);
  }
}

export function isTerminal(error: unknown): boolean {
  return error instanceof TerminalJobError;
}
