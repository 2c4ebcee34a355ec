import type { Config } from '@corridor/config';
import type { Database } from '@corridor/db';
import { databaseRuleBookSource, type RuleBookSource } from '@corridor/evaluation';
import { createDeliverySweeper } from '@corridor/notify';
import {
  type CorridorJobs,
  createBullmqRuntime,
  createInProcessRuntime,
  createOutboxRelay,
  type JobLogger,
  type JobRuntime,
} from '@corridor/queue';
import { buildHandlers, workerConcurrency } from './handlers.ts';
import { type NotificationTuning, type NotifyConfig, notificationDeps } from './notifications.ts';
import { corridorCoalesce, corridorRoutes } from './routes.ts';
import { startRuleCalendar } from './rule-calendar.ts';

export interface JobSystem {
  runtime: JobRuntime<CorridorJobs>;
  mode: 'bullmq' | 'in-process';
  ruleBooks: RuleBookSource;
  /** BullMQ's queue objects for the dashboard (one per catalog job); none when jobs run in-process. */
  dashboardQueues(): Promise<readonly unknown[]>;
  stop(): Promise<void>;
}

const utcToday = () => new Date().toISOString().slice(0, 10);

/**
 * The job side of a process: the runtime (BullMQ with REDIS_URL, else in-process), the handlers and the outbox
 * relay. The worker service runs it with `workers: true`; the API runs it in embedded mode (no Redis) so that a
 * newcomer's single process does everything, and with Redis only to enqueue (the workers live elsewhere).
 */
export async function startJobSystem(
  config: Pick<Config, 'redisUrl' | 'queuePrefix'> & NotifyConfig,
  database: Database,
  log: JobLogger,
  options: { workers: boolean; relay: boolean; notifications?: NotificationTuning },
): Promise<JobSystem> {
  const ruleBooks = databaseRuleBookSource(database.db);
  const notify = notificationDeps(config, options.notifications ?? {});
  const bullmq = config.redisUrl
    ? createBullmqRuntime({ redisUrl: config.redisUrl, prefix: config.queuePrefix, log })
    : undefined;
  const runtime: JobRuntime<CorridorJobs> = bullmq ?? createInProcessRuntime({ log });
  if (options.workers) {
    await runtime.startWorkers(
      buildHandlers({ database, ruleBooks, today: utcToday, log, notifications: notify.deps }),
      {
        concurrency: workerConcurrency,
      },
    );
  }
  const relay = options.relay
    ? createOutboxRelay({
        database,
        runtime,
        routes: corridorRoutes,
        coalesce: corridorCoalesce,
        batchSize: 1_000,
        log,
      })
    : undefined;
  relay?.start();
  // Due retries, closed digest windows and expired leases go back to the queue; runs wherever the relay runs.
  const sweeper = options.relay
    ? createDeliverySweeper({
        database,
        queuedForMs: notify.queuedForMs,
        intervalMs: options.notifications?.sweepIntervalMs ?? 1_000,
        log,
      })
    : undefined;
  sweeper?.start();
  // Versions that take effect on a date re-evaluate their trainees that day; runs wherever the relay runs.
  const calendar = options.relay ? startRuleCalendar(database, ruleBooks, utcToday, log) : undefined;
  return {
    runtime,
    mode: config.redisUrl ? 'bullmq' : 'in-process',
    ruleBooks,
    async dashboardQueues() {
      if (!bullmq) return [];
      await bullmq.counts(); // opens every catalog queue, so the dashboard lists them all
      return bullmq.queues();
    },
    async stop() {
      await calendar?.stop();
      await sweeper?.stop();
      await relay?.stop();
      await runtime.close();
      await notify.close();
    },
  };
}
