import { loadConfig } from '@corridor/config';
import { migrateToLatest, openDatabase } from '@corridor/db';
import closeWithGrace from 'close-with-grace';
import pino from 'pino';
import { buildApp } from './app.ts';
import { loggerOptions } from './logger.ts';

const config = loadConfig();
const pretty = process.stdout.isTTY === true;
const log = pino(loggerOptions(config.logLevel, pretty));

const database = await openDatabase({
  url: config.databaseUrl,
  dataDir: config.dataDir,
  poolMax: config.databasePoolMax,
});
const { applied } = await migrateToLatest(database.db);
log.info({ mode: database.mode, migrationsApplied: applied.length }, 'database ready');

const app = await buildApp({
  database,
  adminKey: config.adminKey,
  bulkMaxBytes: config.bulkMaxBytes,
  logger: log,
});

closeWithGrace({ delay: 10_000 }, async ({ signal, err }) => {
  if (err) log.error({ err }, 'closing after an error');
  else log.info({ signal }, 'closing');
  await app.close();
  await database.close();
});

await app.listen({ port: config.port, host: config.host });
const base = `http://${config.host}:${config.port}`;
log.info(
  { mode: database.mode, docs: `${base}/docs`, openapi: `${base}/openapi.json` },
  database.mode === 'embedded' ? `Corridor is up on the embedded database in ${config.dataDir}` : 'Corridor is up',
);
