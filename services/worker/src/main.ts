import { ConfigError, loadConfig } from '@corridor/config';
import { migrateToLatest, openDatabase } from '@corridor/db';
import { startJobSystem } from '@corridor/jobs';
import pino from 'pino';

function exitWith(message: string): never {
  process.stderr.write(`corridor worker: ${message}\n`);
  process.exit(1);
}

let config: ReturnType<typeof loadConfig>;
try {
  config = loadConfig();
} catch (err) {
  if (err instanceof ConfigError) exitWith(err.message);
  throw err;
}
if (!config.redisUrl)
  exitWith(
    'REDIS_URL is required (e.g. redis://127.0.0.1:6379). Without Redis, jobs run inside the API process and no worker is needed.',
  );
// The embedded database belongs to the API process; a second process cannot open it.
if (!config.databaseUrl) exitWith('DATABASE_URL is required (e.g. postgres://user@host:5432/corridor).');

const log = pino({ level: config.logLevel, base: { service: 'worker' } });
const database = await openDatabase({ url: config.databaseUrl, poolMax: config.databasePoolMax });
const { applied } = await migrateToLatest(database.db);
log.info({ migrationsApplied: applied.length }, 'database ready');

let shuttingDown = false;
async function shutdown(signal: string) {
  if (shuttingDown) return;
  shuttingDown = true;
  log.info({ signal }, 'shutting down: finishing running jobs');
  const force = setTimeout(() => {
    log.error('shutdown took longer than 30 s; exiting');
    process.exit(1);
  }, 30_000);
  force.unref();
  await jobs?.stop();
  await database.close();
  log.info('worker stopped');
}
process.once('SIGTERM', () => void shutdown('SIGTERM'));
process.once('SIGINT', () => void shutdown('SIGINT'));

let jobs: Awaited<ReturnType<typeof startJobSystem>> | undefined;
try {
  jobs = await startJobSystem(config, database, log, { workers: true, relay: true });
} catch (err) {
  log.fatal({ err }, 'cannot start workers');
  await database.close();
  process.exit(1);
}
log.info({ jobs: Object.keys(jobs.runtime.catalog).length }, 'worker running');
