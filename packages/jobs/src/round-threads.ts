import { availableParallelism } from 'node:os';
import { Worker } from 'node:worker_threads';
import type { RulePack } from '@corridor/rules';
import type { CohortPage, PageLists, RoundListsOptions, RoundPlacement, RoundVacancyRow } from './round-lists.ts';

/**
 * Worker threads that build a round's lists, a slice of the cohort each, beside the job's own thread: list building
 * is pure CPU over data the round has already read (see round-lists.ts), so on N cores it runs up to N times as
 * fast, and the job's event loop is free for its lock and the next page's reads. Each thread builds the same rule
 * book from the same packs and prepares the same vacancies, so a slice's lists do not depend on where they were
 * built.
 *
 * The threads live for the process (a thread takes a second or so to load its modules), unreferenced so they never
 * keep it alive, and serve one round at a time: a round that finds them busy starts threads of its own, which end
 * with it.
 */
export interface RoundThreadInit {
  packs: readonly RulePack[];
  vacancyRows: readonly RoundVacancyRow[];
  placements: readonly RoundPlacement[];
  options: RoundListsOptions;
}
export type RoundThreadMessage =
  | { type: 'round'; init: RoundThreadInit }
  | { type: 'slice'; index: number; cohort: CohortPage }
  | { type: 'end' };
export type RoundThreadReply =
  | { ready: true }
  | { index: number; result: PageLists }
  | { index: number; error: string };

/** Threads beside the job's own: one fewer than the cores (the job's thread builds lists too), at most 4. */
export const defaultRoundThreads = (): number => Math.max(0, Math.min(4, availableParallelism() - 1));

const BOOT = new URL('./round-lists.boot.mjs', import.meta.url);

/** The process's threads, by count, while no round holds them. */
const kept = new Map<number, Worker[]>();

/** Slices queued on a thread at once: it starts the next as soon as one is done, while this thread builds its own. */
const DEPTH = 2;

export class RoundThreads {
  /** Slices sent to each ready thread and not answered yet. */
  private readonly inFlight = new Map<Worker, number>();
  private readonly pending = new Map<number, { resolve: (r: PageLists) => void; reject: (e: Error) => void }>();
  private failure: Error | undefined;
  private readonly onMessage = new Map<Worker, (reply: RoundThreadReply) => void>();
  private readonly onError = (error: Error) => this.fail(error);
  private readonly onExit = (code: number) => {
    if (code !== 0) this.fail(new Error(`a round thread exited with code ${code}`));
  };

  private constructor(private readonly workers: Worker[]) {}

  /**
   * Threads for one round: the process's own if free (else new ones that end with the round), each sent the round
   * and waited for until it has prepared it. Rejects if any cannot start or prepare.
   */
  static async start(count: number, init: RoundThreadInit, timeoutMs = 60_000): Promise<RoundThreads> {
    const free = kept.get(count);
    kept.delete(count);
    const workers = free ?? Array.from({ length: count }, () => new Worker(BOOT));
    for (const w of workers) w.unref();
    const threads = new RoundThreads(workers);
    try {
      await Promise.all(workers.map((w) => threads.prepare(w, init, timeoutMs)));
    } catch (error) {
      threads.failure = error instanceof Error ? error : new Error(String(error));
      await threads.close();
      throw error;
    }
    return threads;
  }

  /** Whether a thread can take a slice now. */
  get available(): boolean {
    return this.failure === undefined && this.leastLoaded() !== undefined;
  }

  /** Builds one slice's lists on the least busy thread (check `available` first). */
  run(index: number, cohort: CohortPage): Promise<PageLists> {
    if (this.failure) return Promise.reject(this.failure);
    const worker = this.leastLoaded();
    if (!worker) return Promise.reject(new Error('no round thread is free'));
    this.inFlight.set(worker, this.inFlight.get(worker)! + 1);
    return new Promise((resolve, reject) => {
      this.pending.set(index, { resolve, reject });
      worker.postMessage({ type: 'slice', index, cohort } satisfies RoundThreadMessage);
    });
  }

  /** Ends the round: healthy threads go back to the process (or end, if it already keeps a set), others end. */
  async close(): Promise<void> {
    for (const w of this.workers) {
      const listener = this.onMessage.get(w);
      if (listener) w.off('message', listener);
      w.off('error', this.onError);
      w.off('exit', this.onExit);
    }
    if (this.failure === undefined && this.pending.size === 0 && !kept.has(this.workers.length)) {
      for (const w of this.workers) w.postMessage({ type: 'end' } satisfies RoundThreadMessage);
      kept.set(this.workers.length, this.workers);
      return;
    }
    await Promise.all(this.workers.map((w) => w.terminate()));
  }

  private prepare(worker: Worker, init: RoundThreadInit, timeoutMs: number): Promise<void> {
    return new Promise((resolve, reject) => {
      const timer = setTimeout(
        () => reject(new Error(`a round thread did not prepare the round in ${timeoutMs} ms`)),
        timeoutMs,
      );
      const early = (error: Error) => {
        clearTimeout(timer);
        reject(error);
      };
      const exited = (code: number) => early(new Error(`a round thread exited with code ${code} before preparing`));
      worker.once('error', early);
      worker.once('exit', exited);
      const listener = (reply: RoundThreadReply) => {
        if ('ready' in reply) {
          clearTimeout(timer);
          worker.off('error', early);
          worker.off('exit', exited);
          worker.on('error', this.onError);
          worker.on('exit', this.onExit);
          this.inFlight.set(worker, 0);
          resolve();
          return;
        }
        // A slice's reply frees its thread; a thread that dies fails every slice still waiting, and the job fails
        // and is retried (its transaction rolls back).
        const waiting = this.pending.get(reply.index);
        this.pending.delete(reply.index);
        this.inFlight.set(worker, this.inFlight.get(worker)! - 1);
        if ('error' in reply) waiting?.reject(new Error(`round thread: ${reply.error}`));
        else waiting?.resolve(reply.result);
      };
      this.onMessage.set(worker, listener);
      worker.on('message', listener);
      worker.postMessage({ type: 'round', init } satisfies RoundThreadMessage);
    });
  }

  private leastLoaded(): Worker | undefined {
    let best: Worker | undefined;
    for (const [worker, n] of this.inFlight)
      if (n < DEPTH && (best === undefined || n < this.inFlight.get(best)!)) best = worker;
    return best;
  }

  private fail(error: Error): void {
    this.failure ??= error;
    for (const waiting of this.pending.values()) waiting.reject(error);
    this.pending.clear();
  }
}
