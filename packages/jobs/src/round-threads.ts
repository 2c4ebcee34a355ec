import { availableParallelism } from 'node:os';
import { Worker } from 'node:worker_threads';
import type { RulePack } from '@corridor/rules';
import type { CohortPage, PageLists, RoundListsOptions, RoundPlacement, RoundVacancyRow } from './round-lists.ts';

/**
 * Worker threads that build a round's lists, a page of the cohort each, beside the job's own thread: list building
 * is pure CPU over data the round has already read (see round-lists.ts), so on N cores it runs about N times as fast,
 * and the job's event loop stays free for its lock and the next page's reads. Each thread builds the same rule book
 * from the same packs and prepares the same vacancies, so a page's lists do not depend on where they were built.
 */
export interface RoundThreadInit {
  packs: readonly RulePack[];
  vacancyRows: readonly RoundVacancyRow[];
  placements: readonly RoundPlacement[];
  options: RoundListsOptions;
}
export interface RoundThreadRequest {
  index: number;
  cohort: CohortPage;
}
export type RoundThreadReply =
  | { ready: true }
  | { index: number; result: PageLists }
  | { index: number; error: string };

/** Threads beside the job's own: one fewer than the cores (the job's thread builds lists too), at most 4. */
export const defaultRoundThreads = (): number => Math.max(0, Math.min(4, availableParallelism() - 1));

const BOOT = new URL('./round-lists.boot.mjs', import.meta.url);

export class RoundThreads {
  private readonly idle: Worker[] = [];
  private readonly pending = new Map<number, { resolve: (r: PageLists) => void; reject: (e: Error) => void }>();
  private failure: Error | undefined;

  private constructor(private readonly workers: Worker[]) {}

  /** Starts `count` threads and waits until each has prepared the round; rejects if any cannot start. */
  static async start(count: number, init: RoundThreadInit, timeoutMs = 60_000): Promise<RoundThreads> {
    const workers = Array.from({ length: count }, () => new Worker(BOOT, { workerData: init }));
    const threads = new RoundThreads(workers);
    try {
      await Promise.all(workers.map((w) => threads.ready(w, timeoutMs)));
    } catch (error) {
      await threads.close();
      throw error;
    }
    return threads;
  }

  /** Whether a thread is free for a page now. */
  get available(): boolean {
    return this.idle.length > 0 && this.failure === undefined;
  }

  /** Builds one page's lists on a free thread (check `available` first). */
  run(index: number, cohort: CohortPage): Promise<PageLists> {
    if (this.failure) return Promise.reject(this.failure);
    const worker = this.idle.pop();
    if (!worker) return Promise.reject(new Error('no round thread is free'));
    return new Promise((resolve, reject) => {
      this.pending.set(index, { resolve, reject });
      worker.postMessage({ index, cohort } satisfies RoundThreadRequest);
    });
  }

  async close(): Promise<void> {
    await Promise.all(this.workers.map((w) => w.terminate()));
  }

  private ready(worker: Worker, timeoutMs: number): Promise<void> {
    return new Promise((resolve, reject) => {
      const timer = setTimeout(() => reject(new Error(`a round thread did not start in ${timeoutMs} ms`)), timeoutMs);
      worker.once('error', (error) => {
        clearTimeout(timer);
        reject(error);
      });
      worker.once('message', () => {
        clearTimeout(timer);
        this.idle.push(worker);
        // After start, replies resolve their page and free the thread; a thread that dies fails every page still
        // waiting, and the job fails and is retried (its transaction rolls back).
        worker.on('message', (reply: RoundThreadReply) => {
          if ('ready' in reply) return;
          const waiting = this.pending.get(reply.index);
          this.pending.delete(reply.index);
          this.idle.push(worker);
          if ('error' in reply) waiting?.reject(new Error(`round thread: ${reply.error}`));
          else waiting?.resolve(reply.result);
        });
        worker.on('error', (error) => this.fail(error));
        worker.on('exit', (code) => {
          if (code !== 0) this.fail(new Error(`a round thread exited with code ${code}`));
        });
        resolve();
      });
    });
  }

  private fail(error: Error): void {
    this.failure ??= error;
    for (const waiting of this.pending.values()) waiting.reject(error);
    this.pending.clear();
  }
}
