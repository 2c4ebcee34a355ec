import { z } from 'zod';

const Env = z.object({
  PORT: z.coerce.number().int().min(0).max(65535).default(3000),
  HOST: z.string().default('127.0.0.1'),
  DATABASE_URL: z.url({ protocol: /^postgres(ql)?$/ }).optional(),
  DATABASE_POOL_MAX: z.coerce.number().int().min(1).max(200).default(10),
  REDIS_URL: z.url({ protocol: /^rediss?$/ }).optional(),
  CORRIDOR_QUEUE_PREFIX: z
    .string()
    .regex(/^[a-z][a-z0-9_-]{0,40}$/, 'letters, digits, _ and - only')
    .default('corridor'),
  SMTP_URL: z.url({ protocol: /^smtps?$/ }).optional(),
  SMTP_FROM: z.string().min(3).default('Corridor <notifications@corridor.invalid>'),
  // Comma-separated CIDRs, addresses and host names that webhooks may call although they are not public
  // (development receivers on localhost). Empty in production.
  CORRIDOR_WEBHOOK_ALLOW: z
    .string()
    .regex(/^[A-Za-z0-9.:/,\s*-]*$/, 'CIDRs, addresses and host names, separated by commas')
    .optional(),
  CORRIDOR_ADMIN_KEY: z.string().min(16, 'CORRIDOR_ADMIN_KEY must be at least 16 characters').optional(),
  CORRIDOR_DATA_DIR: z.string().default('./.corridor'),
  CORRIDOR_PUBLIC_URL: z.url().optional(),
  LOG_LEVEL: z.enum(['fatal', 'error', 'warn', 'info', 'debug', 'trace', 'silent']).default('info'),
  BULK_MAX_BYTES: z.coerce
    .number()
    .int()
    .min(1024)
    .default(2 * 1024 * 1024 * 1024),
  NODE_ENV: z.string().default('development'),
});

export interface Config {
  port: number;
  host: string;
  /** Absent: the embedded PGlite database under dataDir. */
  databaseUrl: string | undefined;
  databasePoolMax: number;
  /** Absent: jobs run in-process. */
  redisUrl: string | undefined;
  /** BullMQ key prefix: separates deployments (or test runs) that share one Redis. */
  queuePrefix: string;
  smtpUrl: string | undefined;
  smtpFrom: string;
  /** The webhook SSRF allow-list (see packages/notify/src/ssrf.ts); absent: public addresses only. */
  webhookAllow: string | undefined;
  adminKey: string | undefined;
  dataDir: string;
  publicUrl: string | undefined;
  logLevel: z.infer<typeof Env>['LOG_LEVEL'];
  bulkMaxBytes: number;
}

export class ConfigError extends Error {
  override name = 'ConfigError';
}

/** Parses the environment once, at boot. Nothing else in Corridor reads process.env. */
export function loadConfig(env: Record<string, string | undefined> = process.env): Config {
  // Empty strings mean "unset" for operators who blank a variable in a .env file.
  const cleaned = Object.fromEntries(Object.entries(env).filter(([, v]) => v !== undefined && v !== ''));
  const parsed = Env.safeParse(cleaned);
  if (!parsed.success) {
    const lines = parsed.error.issues.map((i) => `  ${i.path.join('.')}: ${i.message}`);
    throw new ConfigError(`Invalid configuration:\n${lines.join('\n')}`);
  }
  const e = parsed.data;
  return {
    port: e.PORT,
    host: e.HOST,
    databaseUrl: e.DATABASE_URL,
    databasePoolMax: e.DATABASE_POOL_MAX,
    redisUrl: e.REDIS_URL,
    queuePrefix: e.CORRIDOR_QUEUE_PREFIX,
    smtpUrl: e.SMTP_URL,
    smtpFrom: e.SMTP_FROM,
    webhookAllow: e.CORRIDOR_WEBHOOK_ALLOW,
    adminKey: e.CORRIDOR_ADMIN_KEY,
    dataDir: e.CORRIDOR_DATA_DIR,
    publicUrl: e.CORRIDOR_PUBLIC_URL,
    logLevel: e.LOG_LEVEL,
    bulkMaxBytes: e.BULK_MAX_BYTES,
  };
}
