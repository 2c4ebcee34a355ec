import { randomUUID } from 'node:crypto';
import { describe, expect, it } from 'vitest';
import { z } from 'zod';
import { backoffDelay } from '../src/catalog.ts';
import { defaultRoutes, defineCatalog, defineJob, jobCatalog, type OutboxEvent, routedJobId } from '../src/index.ts';

const event = (type: string, payload: Record<string, unknown> = {}): OutboxEvent => ({
  id: '1',
  eventId: randomUUID(),
  type,
  aggregateType: 'trainee',
  aggregateId: randomUUID(),
  payload,
  createdAt: new Date(),
});

describe('job catalog', () => {
  it('ships the corridor jobs under namespaced, persisted names', () => {
    expect(Object.fromEntries(Object.entries(jobCatalog).map(([k, d]) => [k, d.name]))).toEqual({
      'eligibility.evaluate': 'corridor.eligibility.evaluate',
      'eligibility.reevaluate': 'corridor.eligibility.reevaluate',
      'match.vacancy': 'corridor.match.vacancy',
      'match.trainee': 'corridor.match.trainee',
      'match.trainees': 'corridor.match.trainees',
      'match.vacancies': 'corridor.match.vacancies',
      'match.round': 'corridor.match.round',
      'round.lists': 'corridor.round.lists',
      'round.unmatched': 'corridor.round.unmatched',
      'notify.fanout': 'corridor.notify.fanout',
      'notify.deliver': 'corridor.notify.deliver',
    });
  });

  it('validates payloads: ids only, bounded batches, resumable re-evaluation', () => {
    const evaluate = jobCatalog['eligibility.evaluate'].payload;
    expect(evaluate.safeParse({ traineeIds: ['t1'] }).success).toBe(true);
    expect(evaluate.safeParse({ traineeIds: [] }).success).toBe(false);
    expect(evaluate.safeParse({ traineeIds: Array.from({ length: 501 }, (_, i) => `t${i}`) }).success).toBe(false);
    const reevaluate = jobCatalog['eligibility.reevaluate'].payload;
    expect(
      reevaluate.safeParse({ pathwayId: 'de-skilled-worker', toVersion: '2026.2', chunkAfter: 'abc' }).success,
    ).toBe(true);
    expect(reevaluate.safeParse({ pathwayId: 'Germany', toVersion: '2026.2' }).success).toBe(false);
  });

  it('refuses names BullMQ cannot store and names shared by two jobs', () => {
    const job = (name: string) =>
      defineJob({ name, payload: z.object({}), attempts: 1, backoff: { type: 'fixed', delayMs: 0 }, timeoutMs: 1 });
    expect(() => job('corridor:match')).toThrow(/dotted lowercase/);
    expect(() => job('match')).toThrow(/dotted lowercase/);
    expect(() => defineCatalog({ a: job('corridor.a'), b: job('corridor.a') })).toThrow(/share the name/);
  });

  it('computes BullMQ-compatible backoff delays', () => {
    expect([1, 2, 3].map((n) => backoffDelay({ type: 'exponential', delayMs: 1_000 }, n))).toEqual([
      1_000, 2_000, 4_000,
    ]);
    expect(backoffDelay({ type: 'fixed', delayMs: 500 }, 3)).toBe(500);
  });
});

describe('default outbox routes', () => {
  it('evaluates a created or updated trainee and matches a created or updated vacancy', () => {
    const created = event('trainee.created');
    expect(defaultRoutes['trainee.created']!(created)).toEqual([
      { job: 'eligibility.evaluate', payload: { traineeIds: [created.aggregateId] } },
    ]);
    const vacancy = event('vacancy.updated');
    expect(defaultRoutes['vacancy.updated']!(vacancy)).toEqual([
      { job: 'match.vacancy', payload: { vacancyId: vacancy.aggregateId } },
    ]);
  });

  it('splits an import into eligibility jobs of at most 500 trainees', () => {
    const ids = Array.from({ length: 1_201 }, () => randomUUID());
    const jobs = defaultRoutes['trainees.imported']!(
      event('trainees.imported', { created: ids.slice(0, 900), updated: ids.slice(900) }),
    );
    expect(jobs.map((j) => [j.part, (j.payload as { traineeIds: string[] }).traineeIds.length])).toEqual([
      [0, 500],
      [1, 500],
      [2, 201],
    ]);
    expect(jobs.flatMap((j) => (j.payload as { traineeIds: string[] }).traineeIds)).toEqual(ids);
    expect(() => defaultRoutes['trainees.imported']!(event('trainees.imported', { created: 'x' }))).toThrow();
  });

  it('derives job ids from the event id that BullMQ accepts (no colon, not an integer)', () => {
    const id = routedJobId('0198c0de-0000-7000-8000-000000000001', 'eligibility.evaluate', 2);
    expect(id).toBe('0198c0de-0000-7000-8000-000000000001.eligibility.evaluate.2');
    expect(id).not.toContain(':');
  });
});
