import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import { z } from 'zod';
import {
  createBullmqRuntime,
  createInProcessRuntime,
  defineCatalog,
  defineJob,
  type JobHandlers,
  type JobRuntime,
  MissingHandlersError,
  TerminalJobError,
} from '../src/index.ts';
import { deleteRedisPrefix, ensureNoEviction, TEST_REDIS_URL, uniqueName, waitFor } from './helpers.ts';

// Delays are written at production scale and scaled down by `backoffScale`, with real timers.
const BACKOFF_SCALE = 0.1;

const catalog = defineCatalog({
  'test.echo': defineJob({
    name: 'corridortest.echo',
    payload: z.object({ n: z.number().int() }),
    attempts: 3,
    backoff: { type: 'fixed', delayMs: 100 },
    timeoutMs: 5_000,
  }),
  'test.flaky': defineJob({
    name: 'corridortest.flaky',
    payload: z.object({ key: z.string(), failTimes: z.number().int() }),
    attempts: 4,
    backoff: { type: 'exponential', delayMs: 1_000 },
    timeoutMs: 5_000,
  }),
  'test.slow': defineJob({
    name: 'corridortest.slow',
    payload: z.object({ key: z.string() }),
    attempts: 2,
    backoff: { type: 'fixed', delayMs: 100 },
    timeoutMs: 150,
  }),
});
type TestJobs = typeof catalog;
type Runtime = JobRuntime<TestJobs>;

interface Recorder {
  echo: number[];
  flaky: Map<string, { attempt: number; at: number }[]>;
  slow: { key: string; attempt: number; aborted: boolean }[];
  active: number;
  maxActive: number;
}

function recordingHandlers(rec: Recorder, echoDelayMs = 0): JobHandlers<TestJobs> {
  return {
    'test.echo': async ({ n }) => {
      rec.active++;
      rec.maxActive = Math.max(rec.maxActive, rec.active);
      if (echoDelayMs > 0) await new Promise((r) => setTimeout(r, echoDelayMs));
      rec.active--;
      if (n < 0) throw new TerminalJobError('negative numbers cannot be echoed');
      rec.echo.push(n);
    },
    'test.flaky': async ({ key, failTimes }, ctx) => {
      const calls = rec.flaky.get(key) ?? [];
      calls.push({ attempt: ctx.attempt, at: Date.now() });
      rec.flaky.set(key, calls);
      if (calls.length <= failTimes) throw new Error(`transient failure ${calls.length}`);
    },
    'test.slow': async ({ key }, ctx) => {
      const entry = { key, attempt: ctx.attempt, aborted: false };
      rec.slow.push(entry);
      await new Promise<void>((resolve) => {
        const t = setTimeout(resolve, 1_000);
        ctx.signal.addEventListener('abort', () => {
          entry.aborted = true;
          clearTimeout(t);
          resolve();
        });
      });
    },
  };
}

const newRecorder = (): Recorder => ({ echo: [], flaky: new Map(), slow: [], active: 0, maxActive: 0 });

interface Harness {
  runtime: Runtime;
  /** Waits until nothing is waiting, delayed or running. */
  settle(): Promise<void>;
  failedAttempts(job: keyof TestJobs): Promise<number[]>;
}

const prefix = uniqueName('corridortest');
const harnesses: Harness[] = [];
let bullmqRuntimes = 0;

const factories: [string, () => Harness][] = [
  [
    'in-process',
    () => {
      const runtime = createInProcessRuntime({ catalog, backoffScale: BACKOFF_SCALE });
      return {
        runtime,
        settle: () => runtime.drain(),
        failedAttempts: async (job) =>
          runtime
            .failures()
            .filter((f) => f.job === job)
            .map((f) => f.attempts),
      };
    },
  ],
  [
    'bullmq',
    () => {
      const runtime = createBullmqRuntime({
        catalog,
        redisUrl: TEST_REDIS_URL,
        prefix: `${prefix}${bullmqRuntimes++}`,
        backoffScale: BACKOFF_SCALE,
      });
      return {
        runtime,
        settle: () =>
          waitFor(
            async () => Object.values(await runtime.counts()).every((c) => c.waiting + c.active + c.delayed === 0),
            10_000,
            'the queues to empty',
          ),
        failedAttempts: async (job) => {
          const queue = runtime.queues().find((q) => q.name === catalog[job].name)!;
          return (await queue.getFailed()).map((j) => j.attemptsMade);
        },
      };
    },
  ],
];

beforeAll(ensureNoEviction);

afterEach(async () => {
  await Promise.all(harnesses.splice(0).map((h) => h.runtime.close()));
});

afterAll(async () => {
  for (let i = 0; i < bullmqRuntimes; i++) await deleteRedisPrefix(`${prefix}${i}`);
});

describe.each(factories)('%s runtime', (_kind, create) => {
  const setup = () => {
    const harness = create();
    harnesses.push(harness);
    return harness;
  };

  it('refuses to start workers unless every catalog job has exactly one handler', async () => {
    const { runtime } = setup();
    const rec = newRecorder();
    const { 'test.slow': _omitted, ...incomplete } = recordingHandlers(rec);
    await expect(runtime.startWorkers(incomplete as unknown as JobHandlers<TestJobs>)).rejects.toThrow(
      MissingHandlersError,
    );
    await expect(runtime.startWorkers(incomplete as unknown as JobHandlers<TestJobs>)).rejects.toThrow(/test\.slow/);
    const extra = { ...recordingHandlers(rec), 'test.unknown': async () => {} };
    await expect(runtime.startWorkers(extra as JobHandlers<TestJobs>)).rejects.toThrow(/test\.unknown/);
    // A complete map is accepted afterwards.
    await runtime.startWorkers(recordingHandlers(rec));
  });

  it('treats a payload that fails validation as terminal: no handler call, no retry', async () => {
    const { runtime, settle, failedAttempts } = setup();
    const rec = newRecorder();
    await runtime.startWorkers(recordingHandlers(rec));
    await runtime.enqueue('test.echo', { n: 'seven' } as unknown as { n: number });
    await runtime.enqueue('test.echo', { n: 7 });
    await settle();
    expect(rec.echo).toEqual([7]);
    expect(await failedAttempts('test.echo')).toEqual([1]);
    const counts = await runtime.counts();
    expect(counts['test.echo']).toMatchObject({ failed: 1, waiting: 0, delayed: 0, active: 0 });
  });

  it('does not retry a TerminalJobError', async () => {
    const { runtime, settle, failedAttempts } = setup();
    const rec = newRecorder();
    await runtime.startWorkers(recordingHandlers(rec));
    await runtime.enqueue('test.echo', { n: -1 });
    await settle();
    expect(await failedAttempts('test.echo')).toEqual([1]);
  });

  it('retries with exponential backoff, then succeeds', async () => {
    const { runtime, settle, failedAttempts } = setup();
    const rec = newRecorder();
    await runtime.startWorkers(recordingHandlers(rec));
    const done = runtime.enqueue('test.flaky', { key: 'a', failTimes: 2 });
    await waitFor(() => (rec.flaky.get('a')?.length ?? 0) === 3, 10_000, 'the third attempt');
    await done;
    await settle();
    const calls = rec.flaky.get('a')!;
    expect(calls.map((c) => c.attempt)).toEqual([1, 2, 3]);
    // 1000 ms then 2000 ms, scaled by 0.1; a little slack for timer granularity.
    expect(calls[1]!.at - calls[0]!.at).toBeGreaterThanOrEqual(90);
    expect(calls[2]!.at - calls[1]!.at).toBeGreaterThanOrEqual(190);
    expect(await failedAttempts('test.flaky')).toEqual([]);
    expect((await runtime.counts())['test.flaky'].completed).toBe(1);
  });

  it('fails a job for good once its attempts are used up', async () => {
    const { runtime, settle, failedAttempts } = setup();
    const rec = newRecorder();
    await runtime.startWorkers(recordingHandlers(rec));
    const done = runtime.enqueue('test.flaky', { key: 'b', failTimes: 99 });
    await waitFor(() => (rec.flaky.get('b')?.length ?? 0) === 4, 10_000, 'the fourth attempt');
    await done;
    await settle();
    expect(rec.flaky.get('b')!.map((c) => c.attempt)).toEqual([1, 2, 3, 4]);
    expect(await failedAttempts('test.flaky')).toEqual([4]);
  });

  it('collapses duplicate enqueues that share a job id while the job is pending', async () => {
    const { runtime, settle } = setup();
    const rec = newRecorder();
    // Workers start after the enqueues, so every duplicate arrives while the first is still waiting.
    const pending = [
      runtime.enqueue('test.echo', { n: 1 }, { jobId: 'event-1.echo' }),
      runtime.enqueue('test.echo', { n: 1 }, { jobId: 'event-1.echo' }),
      runtime.enqueueBulk([
        { job: 'test.echo', payload: { n: 1 }, jobId: 'event-1.echo' },
        { job: 'test.echo', payload: { n: 2 }, jobId: 'event-2.echo' },
        { job: 'test.echo', payload: { n: 2 }, jobId: 'event-2.echo' },
      ]),
    ];
    if (runtime.kind === 'bullmq') {
      await Promise.all(pending);
      expect((await runtime.counts())['test.echo'].waiting).toBe(2);
    }
    await runtime.startWorkers(recordingHandlers(rec));
    await Promise.all(pending);
    await settle();
    expect(rec.echo.sort()).toEqual([1, 2]);
  });

  it('times out a slow try, aborts its signal and retries it', async () => {
    const { runtime, settle, failedAttempts } = setup();
    const rec = newRecorder();
    await runtime.startWorkers(recordingHandlers(rec));
    await runtime.enqueue('test.slow', { key: 's' });
    await waitFor(() => rec.slow.length === 2, 10_000, 'the retry');
    await settle();
    expect(rec.slow.map((s) => [s.attempt, s.aborted])).toEqual([
      [1, true],
      [2, true],
    ]);
    expect(await failedAttempts('test.slow')).toEqual([2]);
  });

  it('keeps concurrency within the limit per job type', async () => {
    const { runtime, settle } = setup();
    const rec = newRecorder();
    await runtime.startWorkers(recordingHandlers(rec, 30), { concurrency: { 'test.echo': 3 } });
    await runtime.enqueueBulk(Array.from({ length: 12 }, (_, n) => ({ job: 'test.echo' as const, payload: { n } })));
    await settle();
    expect(rec.echo.length).toBe(12);
    expect(rec.maxActive).toBeLessThanOrEqual(3);
    expect(rec.maxActive).toBeGreaterThan(1);
  });
});

describe('compile-time handler map', () => {
  it('rejects a map that misses a job', () => {
    // @ts-expect-error 'test.slow' is missing: the handler map is typed by the catalog's keys.
    const incomplete: JobHandlers<TestJobs> = { 'test.echo': async () => {}, 'test.flaky': async () => {} };
    expect(Object.keys(incomplete)).toHaveLength(2);
  });
});
