/** How a failed delivery is retried: exponential backoff with jitter, then the dead-letter status. */
export interface RetryPolicy {
  /** Tries in all, the first included; after the last one the delivery is `failed` (an admin can retry it). */
  readonly maxAttempts: number;
  /** Delay after the first failure; doubles after each further one. */
  readonly baseMs: number;
  /** No wait exceeds this. */
  readonly maxMs: number;
}

/** ~5 s, 10 s, 20 s … 5 min between eight tries: a receiver gets about ten minutes to come back. */
export const DEFAULT_RETRY: RetryPolicy = { maxAttempts: 8, baseMs: 5_000, maxMs: 3_600_000 };

/**
 * The wait before the next try after `attempts` tries failed. "Equal jitter": half the exponential delay is fixed,
 * the other half random, so a receiver that comes back after an outage is not hit by every retry at once, while
 * no retry comes sooner than half its nominal delay. `random` is injected (pure; tests pass a constant).
 */
export function retryDelayMs(attempts: number, policy: RetryPolicy, random: () => number = Math.random): number {
  const nominal = Math.min(policy.maxMs, policy.baseMs * 2 ** Math.max(0, attempts - 1));
  return Math.round(nominal / 2 + random() * (nominal / 2));
}

/** `Retry-After` as seconds or an HTTP date; undefined when absent or unreadable. Capped at a day. */
export function parseRetryAfter(header: string | null | undefined, now: number): number | undefined {
  if (!header) return undefined;
  const seconds = Number(header);
  const ms = Number.isFinite(seconds) ? seconds * 1000 : Date.parse(header) - now;
  if (!Number.isFinite(ms)) return undefined;
  return Math.min(Math.max(0, ms), 86_400_000);
}
