import { type Database, deliveriesRepository } from '@corridor/db';
import { announceDue } from './fanout.ts';

export interface SweeperOptions {
  database: Pick<Database, 'db'>;
  /** How often to look for due deliveries. Default 1 s. */
  intervalMs?: number;
  /** Deliveries handed over per sweep. Default 2,000. */
  batchSize?: number;
  queuedForMs: number;
  log?: { error(obj: object, msg: string): void };
}

export interface Sweeper {
  start(): void;
  stop(): Promise<void>;
  /** One sweep now: the number of deliveries handed to the queue. */
  sweepOnce(): Promise<number>;
}

/**
 * Hands the queue what is due and not in anyone's hands: retries whose backoff ran out, digests whose window
 * closed, and tries whose lease expired because a worker died mid-send. It writes `notifications.due` events
 * through the outbox like everything else, in the transaction that claims the rows (SKIP LOCKED, so any number
 * of workers can sweep at once).
 */
export function createDeliverySweeper(options: SweeperOptions): Sweeper {
  const intervalMs = options.intervalMs ?? 1_000;
  const batchSize = options.batchSize ?? 2_000;
  let timer: NodeJS.Timeout | undefined;
  let running: Promise<unknown> = Promise.resolve();
  let stopped = true;

  const sweepOnce = () =>
    options.database.db.transaction().execute(async (trx) => {
      // claimDue marks the rows queued; the events hand them over.
      const ids = await deliveriesRepository.claimDue(trx, batchSize, options.queuedForMs);
      await announceDue(trx, ids);
      return ids.length;
    });

  function schedule() {
    if (stopped) return;
    timer = setTimeout(() => {
      running = sweepOnce()
        .catch((err) => options.log?.error({ err }, 'delivery sweep failed; retrying at the next interval'))
        .finally(schedule);
    }, intervalMs);
    timer.unref();
  }

  return {
    start() {
      if (!stopped) return;
      stopped = false;
      schedule();
    },
    async stop() {
      stopped = true;
      if (timer) clearTimeout(timer);
      await running;
    },
    sweepOnce,
  };
}
