export { type AppDependencies, buildApp } from './app.ts';
export { loggerOptions, REDACT_PATHS } from './logger.ts';
export { embeddedAdminKey, type RunningService, startService } from './start.ts';
