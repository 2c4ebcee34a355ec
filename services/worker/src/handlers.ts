import type { Database } from '@corridor/db';
import {
  type CorridorJobs,
  type JobHandler,
  type JobHandlers,
  type JobLogger,
  TerminalJobError,
} from '@corridor/queue';

export interface HandlerDeps {
  database: Database;
  log: JobLogger;
}

/**
 * A job whose domain code is not built yet. Terminal on purpose: retrying cannot make it appear, and
 * returning success would lose the work silently. Failed jobs are kept (bounded) and visible in bull-board,
 * so they can be retried once the real handler ships.
 */
function notImplementedYet(job: keyof CorridorJobs, arrivesWith: string): JobHandler<unknown> {
  return async () => {
    throw new TerminalJobError(`not implemented yet: ${job} arrives with ${arrivesWith}`);
  };
}

/**
 * Every catalog job's handler. Handlers stay thin: load rows by id, call the pure package, write results and
 * outbox events in one transaction. They must be idempotent (delivery is at least once) and call
 * `yieldToEventLoop()` between chunks of CPU-heavy work so BullMQ can renew the job's lock.
 *
 * TODO(lead): replace each `notImplementedYet` with the real handler when its issue lands.
 */
export function buildHandlers(deps: HandlerDeps): JobHandlers<CorridorJobs> {
  void deps; // used by the real handlers
  return {
    // TODO(lead): eligibility issue — packages/rules evaluator + stored eligibility results.
    'eligibility.evaluate': notImplementedYet(
      'eligibility.evaluate',
      'the eligibility issue (rules evaluator, stored results)',
    ),
    // TODO(lead): eligibility issue — rule-pack version change, resumable by chunkAfter.
    'eligibility.reevaluate': notImplementedYet(
      'eligibility.reevaluate',
      'the eligibility issue (rule-pack re-evaluation)',
    ),
    // TODO(lead): matching issue — SQL prefilter + packages/matching scoring.
    'match.vacancy': notImplementedYet('match.vacancy', 'the matching issue'),
    'match.trainee': notImplementedYet('match.trainee', 'the matching issue'),
    // TODO(lead): matching issue — deferred acceptance round.
    'match.round': notImplementedYet('match.round', 'the matching-round issue (deferred acceptance)'),
    // TODO(lead): notify issue — packages/notify delivery ledger.
    'notify.deliver': notImplementedYet('notify.deliver', 'the notifications issue (packages/notify)'),
  };
}

/** Parallel jobs per type in one worker process; scale further with replicas. */
export const workerConcurrency = {
  'eligibility.evaluate': 4,
  'eligibility.reevaluate': 1,
  'match.vacancy': 4,
  'match.trainee': 4,
  'match.round': 1,
  'notify.deliver': 16,
} as const satisfies Record<keyof CorridorJobs, number>;
