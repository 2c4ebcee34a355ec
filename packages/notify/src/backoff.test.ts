import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { DEFAULT_RETRY, parseRetryAfter, retryDelayMs } from './backoff.ts';

describe('retry backoff', () => {
  it('doubles from the base, within half and the whole of the nominal delay, capped', () => {
    fc.assert(
      fc.property(fc.integer({ min: 1, max: 30 }), fc.double({ min: 0, max: 1, noNaN: true }), (attempts, r) => {
        const nominal = Math.min(DEFAULT_RETRY.maxMs, DEFAULT_RETRY.baseMs * 2 ** (attempts - 1));
        const d = retryDelayMs(attempts, DEFAULT_RETRY, () => r);
        expect(d).toBeGreaterThanOrEqual(Math.floor(nominal / 2));
        expect(d).toBeLessThanOrEqual(Math.ceil(nominal));
      }),
    );
    expect(retryDelayMs(1, DEFAULT_RETRY, () => 1)).toBe(5_000);
    expect(retryDelayMs(3, DEFAULT_RETRY, () => 1)).toBe(20_000);
    expect(retryDelayMs(3, DEFAULT_RETRY, () => 0)).toBe(10_000);
  });

  it('spreads retries that fail together (jitter)', () => {
    const delays = new Set(Array.from({ length: 50 }, () => retryDelayMs(4, DEFAULT_RETRY)));
    expect(delays.size).toBeGreaterThan(10);
  });

  it('reads Retry-After as seconds or an HTTP date', () => {
    const now = Date.parse('2026-11-29T10:00:00Z');
    expect(parseRetryAfter('120', now)).toBe(120_000);
    expect(parseRetryAfter('Sun, 29 Nov 2026 10:01:00 GMT', now)).toBe(60_000);
    expect(parseRetryAfter('soon', now)).toBeUndefined();
    expect(parseRetryAfter(undefined, now)).toBeUndefined();
    expect(parseRetryAfter('999999', now)).toBe(86_400_000);
  });
});
