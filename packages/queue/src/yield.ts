/**
 * Gives the event loop one turn. Handlers that work through large batches (eligibility over thousands of
 * trainees, a matching round) call it between chunks: BullMQ renews a job's lock from a timer on this same
 * event loop, and a handler that holds the CPU past lockDuration gets its job declared stalled and run a
 * second time elsewhere. A chunk of a few milliseconds to ~100 ms between yields is plenty.
 */
export function yieldToEventLoop(): Promise<void> {
  return new Promise((resolve) => setImmediate(resolve));
}
