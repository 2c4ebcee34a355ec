export { type AppDependencies, buildApp } from './app.ts';
export { loggerOptions, REDACT_PATHS } from './logger.ts';
