import { randomBytes } from 'node:crypto';
import { existsSync, mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import type { Config } from '@corridor/config';
import { type Database, migrateToLatest, openDatabase } from '@corridor/db';
import { type JobSystem, startJobSystem } from '@corridor/jobs';
import { parseWebhookAllowList } from '@corridor/notify';
import type { FastifyInstance } from 'fastify';
import type { Logger } from 'pino';
import { buildApp } from './app.ts';

export interface RunningService {
  app: FastifyInstance;
  database: Database;
  url: string;
  adminKey: string | undefined;
  close(): Promise<void>;
}

/**
 * On the embedded default a newcomer has no admin key yet: one is made on first start and kept beside the
 * data (mode 0600), so `pnpm demo` and the newcomer's own curl calls can use it. With a real database the
 * operator must set CORRIDOR_ADMIN_KEY; without it there is simply no platform admin.
 */
export function embeddedAdminKey(dataDir: string): { key: string; path: string } {
  const path = join(dataDir, 'admin-key');
  if (existsSync(path)) return { key: readFileSync(path, 'utf8').trim(), path };
  mkdirSync(dataDir, { recursive: true });
  const key = `crdr_admin_${randomBytes(24).toString('base64url')}`;
  writeFileSync(path, `${key}\n`, { mode: 0o600 });
  return { key, path };
}

export async function startService(config: Config, log: Logger): Promise<RunningService> {
  const database = await openDatabase({
    url: config.databaseUrl,
    dataDir: config.dataDir,
    poolMax: config.databasePoolMax,
  });
  const { applied } = await migrateToLatest(database.db);
  log.info({ mode: database.mode, migrationsApplied: applied.length }, 'database ready');

  let adminKey = config.adminKey;
  if (!adminKey && database.mode === 'embedded') {
    const made = embeddedAdminKey(config.dataDir);
    adminKey = made.key;
    log.info({ adminKeyFile: made.path }, 'embedded mode: the platform admin key is in this file');
  }

  // Without Redis the handlers and the outbox relay run here, in-process; with Redis they run in `pnpm worker`
  // processes and this one only needs to know the queue is reachable.
  const jobs: JobSystem = await startJobSystem(config, database, log.child({ component: 'jobs' }), {
    workers: !config.redisUrl,
    relay: !config.redisUrl,
  });
  log.info({ jobs: jobs.mode }, jobs.mode === 'in-process' ? 'jobs run in-process' : 'jobs go to BullMQ workers');

  const app = await buildApp({
    database,
    adminKey,
    bulkMaxBytes: config.bulkMaxBytes,
    logger: log,
    ruleBook: jobs.ruleBooks,
    webhookPolicy: parseWebhookAllowList(config.webhookAllow),
    dashboardQueues: await jobs.dashboardQueues(),
    readinessChecks: [{ name: 'queue', check: async () => void (await jobs.runtime.counts()) }],
  });
  await app.listen({ port: config.port, host: config.host });
  const url = `http://${config.host}:${config.port}`;
  log.info(
    { mode: database.mode, docs: `${url}/docs`, openapi: `${url}/openapi.json` },
    database.mode === 'embedded' ? `Corridor is up on the embedded database in ${config.dataDir}` : 'Corridor is up',
  );
  return {
    app,
    database,
    url,
    adminKey,
    async close() {
      await app.close();
      await jobs.stop();
      await database.close();
    },
  };
}
