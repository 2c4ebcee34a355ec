import { loadConfig } from '@corridor/config';
import closeWithGrace from 'close-with-grace';
import pino from 'pino';
import { loggerOptions } from './logger.ts';
import { startService } from './start.ts';

const config = loadConfig();
const log = pino(loggerOptions(config.logLevel, process.stdout.isTTY === true));
const service = await startService(config, log);

closeWithGrace({ delay: 10_000 }, async ({ signal, err }) => {
  if (err) log.error({ err }, 'closing after an error');
  else log.info({ signal }, 'closing');
  await service.close();
});
