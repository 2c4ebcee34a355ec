import type { LoggerOptions } from 'pino';

/**
 * Personal data never reaches the logs: request and response bodies are not logged at all, headers only
 * through the serializers below (no Authorization), and these paths are censored wherever a log call
 * passes an object that contains them.
 */
export const REDACT_PATHS = [
  'req.headers.authorization',
  'req.headers.cookie',
  '*.givenName',
  '*.familyName',
  '*.email',
  '*.dateOfBirth',
  '*.given_name',
  '*.family_name',
  '*.date_of_birth',
  '*.*.givenName',
  '*.*.familyName',
  '*.*.email',
  '*.*.dateOfBirth',
  'givenName',
  'familyName',
  'email',
  'dateOfBirth',
  'key',
  '*.key',
];

export function loggerOptions(level: string, pretty: boolean): LoggerOptions {
  return {
    level,
    redact: { paths: REDACT_PATHS, censor: '[redacted]' },
    serializers: {
      req: (req: { method?: string; url?: string; id?: string }) => ({
        method: req.method,
        url: req.url?.split('?')[0],
        id: req.id,
      }),
      res: (res: { statusCode?: number }) => ({ statusCode: res.statusCode }),
    },
    ...(pretty
      ? { transport: { target: 'pino-pretty', options: { translateTime: 'SYS:HH:MM:ss', ignore: 'pid,hostname' } } }
      : {}),
  };
}
