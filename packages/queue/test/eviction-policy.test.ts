import { type ChildProcess, spawn } from 'node:child_process';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import {
  createBullmqRuntime,
  type JobHandlers,
  jobCatalog,
  RedisEvictionPolicyError,
  TerminalJobError,
} from '../src/index.ts';
import { freePort, waitFor } from './helpers.ts';

// A private, throwaway redis-server configured the way BullMQ must not run (the shared test Redis stays
// untouched: changing its policy would break other suites running at the same time).
let server: ChildProcess;
let url: string;

beforeAll(async () => {
  const port = await freePort();
  url = `redis://127.0.0.1:${port}`;
  server = spawn(
    'redis-server',
    [
      '--port',
      String(port),
      '--bind',
      '127.0.0.1',
      '--save',
      '',
      '--appendonly',
      'no',
      '--maxmemory-policy',
      'allkeys-lru',
    ],
    { stdio: 'ignore' },
  );
  const { Redis } = await import('ioredis');
  await waitFor(
    async () => {
      const probe = new Redis(url, { lazyConnect: true, retryStrategy: () => null });
      probe.on('error', () => {}); // refused until the server is up
      try {
        await probe.connect();
        return (await probe.ping()) === 'PONG';
      } catch {
        return false;
      } finally {
        probe.disconnect();
      }
    },
    10_000,
    'the private redis-server',
  );
});

afterAll(() => {
  server?.kill();
});

const handlers = Object.fromEntries(
  Object.keys(jobCatalog).map((k) => [
    k,
    async () => {
      throw new TerminalJobError('unused');
    },
  ]),
) as unknown as JobHandlers<typeof jobCatalog>;

describe('BullMQ runtime on a Redis that evicts keys', () => {
  it('refuses to start workers', async () => {
    const runtime = createBullmqRuntime({ redisUrl: url, prefix: 'evict' });
    try {
      const refusal = runtime.startWorkers(handlers);
      await expect(refusal).rejects.toThrow(RedisEvictionPolicyError);
      await expect(refusal).rejects.toThrow(/allkeys-lru/);
    } finally {
      await runtime.close();
    }
  });

  it("starts with evictionPolicyCheck: 'warn', logging the policy", async () => {
    const warnings: unknown[] = [];
    const log = {
      debug() {},
      info() {},
      error() {},
      warn(obj: object) {
        warnings.push(obj);
      },
      child() {
        return log;
      },
    };
    const runtime = createBullmqRuntime({ redisUrl: url, prefix: 'evict3', evictionPolicyCheck: 'warn', log });
    try {
      await runtime.startWorkers(handlers);
      expect(warnings).toContainEqual({ policy: 'allkeys-lru' });
    } finally {
      await runtime.close();
    }
  });
});
