/**
 * Throw from a handler when retrying cannot help: the input is wrong, the row is gone, the work is not
 * built yet. The job fails at once and stays in the failed set for inspection. Any other error is retried
 * with the job's backoff until its attempts run out.
 */
export class TerminalJobError extends Error {
  override name = 'TerminalJobError';
}

/** The handler map does not cover the catalog exactly: a job without a handler would sit in its queue forever. */
export class MissingHandlersError extends Error {
  override name = 'MissingHandlersError';
  constructor(
    readonly missing: readonly string[],
    readonly unknown: readonly string[],
  ) {
    const parts = [
      missing.length > 0 ? `no handler for ${missing.join(', ')}` : '',
      unknown.length > 0 ? `handlers for jobs not in the catalog: ${unknown.join(', ')}` : '',
    ].filter(Boolean);
    super(`refusing to start workers: ${parts.join('; ')}`);
  }
}

/** A handler ran past its job's timeoutMs. Retried like any other failure; the handler's signal is aborted. */
export class JobTimeoutError extends Error {
  override name = 'JobTimeoutError';
}

/** Redis would evict keys under memory pressure, which silently loses jobs and locks. */
export class RedisEvictionPolicyError extends Error {
  override name = 'RedisEvictionPolicyError';
}

/** The runtime was closed before the job settled; the caller (the outbox relay) rolls back and retries later. */
export class RuntimeClosedError extends Error {
  override name = 'RuntimeClosedError';
}

/** Enqueueing did not finish in time, typically because Redis is unreachable. */
export class EnqueueTimeoutError extends Error {
  override name = 'EnqueueTimeoutError';
}
