import { randomBytes } from 'node:crypto';
import { connect, createServer, type Server } from 'node:net';
import { type Database, migrateToLatest, openDatabase } from '@corridor/db';
import { Redis } from 'ioredis';

// The suite's real services. Tests never mock Postgres or Redis.
export const TEST_DATABASE_URL = 'postgres://postgres@127.0.0.1:5432/test';
export const TEST_REDIS_URL = 'redis://127.0.0.1:6379';

export function uniqueName(label: string): string {
  return `${label}_${randomBytes(4).toString('hex')}`;
}

/** A fresh schema per test file, migrated; `drop` removes it. */
export async function openTestDatabase(
  label: string,
  poolMax = 10,
): Promise<{ database: Database; drop(): Promise<void> }> {
  const schema = uniqueName(`queue_${label}`);
  const database = await openDatabase({ url: TEST_DATABASE_URL, schema, poolMax });
  await migrateToLatest(database.db, schema);
  return {
    database,
    async drop() {
      // Test teardown only: the schema name is generated above, never user input.
      await database.pool.query(`DROP SCHEMA IF EXISTS "${schema}" CASCADE`);
      await database.close();
    },
  };
}

/**
 * BullMQ needs `maxmemory-policy noeviction`. The runtime refuses to start workers otherwise, so the test
 * setup configures the local Redis rather than weakening that check.
 */
export async function ensureNoEviction(): Promise<void> {
  const redis = new Redis(TEST_REDIS_URL, { lazyConnect: true });
  await redis.connect();
  try {
    const [, policy] = (await redis.call('CONFIG', 'GET', 'maxmemory-policy')) as string[];
    if (policy !== 'noeviction') await redis.call('CONFIG', 'SET', 'maxmemory-policy', 'noeviction');
  } finally {
    redis.disconnect();
  }
}

/** Deletes every key under a BullMQ prefix (each test file uses its own). */
export async function deleteRedisPrefix(prefix: string): Promise<void> {
  const redis = new Redis(TEST_REDIS_URL, { lazyConnect: true });
  await redis.connect();
  try {
    let cursor = '0';
    do {
      const [next, keys] = await redis.scan(cursor, 'MATCH', `${prefix}:*`, 'COUNT', 1000);
      cursor = next;
      if (keys.length > 0) await redis.unlink(...keys);
    } while (cursor !== '0');
  } finally {
    redis.disconnect();
  }
}

export async function waitFor(
  condition: () => boolean | Promise<boolean>,
  timeoutMs = 10_000,
  what = 'condition',
): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  while (!(await condition())) {
    if (Date.now() > deadline) throw new Error(`timed out after ${timeoutMs} ms waiting for ${what}`);
    await new Promise((r) => setTimeout(r, 25));
  }
}

/** A local port nothing listens on (a "Redis that is down"). */
export async function freePort(): Promise<number> {
  const server = createServer();
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const address = server.address();
  await new Promise<void>((resolve) => server.close(() => resolve()));
  if (address === null || typeof address === 'string') throw new Error('no port');
  return address.port;
}

/** Forwards a local port to the real Redis: starting it is "Redis is back". */
export async function startTcpProxy(port: number, targetPort = 6379): Promise<{ close(): Promise<void> }> {
  const sockets = new Set<import('node:net').Socket>();
  const server: Server = createServer((client) => {
    const upstream = connect(targetPort, '127.0.0.1');
    sockets.add(client).add(upstream);
    client.pipe(upstream).pipe(client);
    const end = () => {
      client.destroy();
      upstream.destroy();
    };
    client.on('error', end).on('close', end);
    upstream.on('error', end).on('close', end);
  });
  await new Promise<void>((resolve) => server.listen(port, '127.0.0.1', resolve));
  return {
    close: () =>
      new Promise<void>((resolve) => {
        for (const s of sockets) s.destroy();
        server.close(() => resolve());
      }),
  };
}
