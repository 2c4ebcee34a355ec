/**
 * The slice of pino the queue uses, so callers pass their pino logger and tests pass nothing.
 * Log ids and counts, never payload contents beyond ids.
 */
export interface JobLogger {
  debug(obj: object, msg?: string): void;
  info(obj: object, msg?: string): void;
  warn(obj: object, msg?: string): void;
  error(obj: object, msg?: string): void;
  child(bindings: Record<string, unknown>): JobLogger;
}

const noop = () => {};

export const silentLogger: JobLogger = {
  debug: noop,
  info: noop,
  warn: noop,
  error: noop,
  child: () => silentLogger,
};
