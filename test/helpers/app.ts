import { Writable } from 'node:stream';
import { buildApp } from '@corridor/api';
import type { Database } from '@corridor/db';
import type { WebhookTargetPolicy } from '@corridor/notify';
import type { FastifyInstance, InjectOptions, LightMyRequestResponse } from 'fastify';
import pino from 'pino';
import { isolatedDatabase } from './db.ts';

export const ADMIN_KEY = 'test-admin-key-0123456789';
export const admin = { authorization: `Bearer ${ADMIN_KEY}` };

export interface TestApp {
  app: FastifyInstance;
  database: Database;
  /** Every log line the app wrote, to check that no personal data reaches the logs. */
  logs: string[];
  call(options: InjectOptions): Promise<LightMyRequestResponse>;
  close(): Promise<void>;
}

/** The real app on a fresh schema of the real test database, with its pino logs captured at debug level. */
export async function buildTestApp(
  options: {
    database?: Database;
    bulkMaxBytes?: number;
    dashboardQueues?: readonly unknown[];
    webhookPolicy?: WebhookTargetPolicy;
  } = {},
): Promise<TestApp> {
  const isolated = options.database ? undefined : await isolatedDatabase('api');
  const database = options.database ?? isolated!;
  const logs: string[] = [];
  const sink = new Writable({
    write(chunk, _enc, done) {
      logs.push(String(chunk));
      done();
    },
  });
  const { loggerOptions } = await import('@corridor/api');
  const logger = pino(loggerOptions('debug', false), sink);
  const app = await buildApp({
    database,
    adminKey: ADMIN_KEY,
    logger,
    ...(options.bulkMaxBytes ? { bulkMaxBytes: options.bulkMaxBytes } : {}),
    ...(options.dashboardQueues ? { dashboardQueues: options.dashboardQueues } : {}),
    ...(options.webhookPolicy ? { webhookPolicy: options.webhookPolicy } : {}),
  });
  await app.ready();
  return {
    app,
    database,
    logs,
    call: (o) => app.inject(o),
    async close() {
      await app.close();
      if (isolated) await isolated.drop();
    },
  };
}

/** Registers an organization and issues it a key. */
export async function createOrganization(
  t: TestApp,
  kind: 'employer' | 'recruitment_agency' | 'training_provider' | 'partnership_admin',
  name = `${kind} org`,
  country = 'DE',
) {
  const res = await t.call({
    method: 'POST',
    url: '/v1/organizations',
    headers: admin,
    payload: { name, kind, country },
  });
  if (res.statusCode !== 201) throw new Error(`organization not created: ${res.body}`);
  const org = res.json() as { id: string };
  const key = await t.call({
    method: 'POST',
    url: `/v1/organizations/${org.id}/api-keys`,
    headers: admin,
    payload: {},
  });
  if (key.statusCode !== 201) throw new Error(`key not issued: ${key.body}`);
  return { id: org.id, headers: { authorization: `Bearer ${(key.json() as { key: string }).key}` } };
}
