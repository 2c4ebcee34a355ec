import { Id } from '@corridor/domain';
import { z } from 'zod';
import type { CorridorJobs, JobCatalog, JobKey, PayloadInput } from './catalog.ts';

/** An outbox row as the relay hands it to routes. Events carry ids and field names only. */
export interface OutboxEvent {
  id: string;
  eventId: string;
  type: string;
  aggregateType: string;
  aggregateId: string;
  payload: Record<string, unknown>;
  createdAt: Date;
}

/**
 * A job an event turns into. The relay derives its job id from the event id, the job and `part`
 * (for events split into several jobs of one type), so relaying an event twice enqueues the same ids.
 */
export type RoutedJob<C extends JobCatalog> = {
  [K in JobKey<C>]: { readonly job: K; readonly payload: PayloadInput<C, K>; readonly part?: number };
}[JobKey<C>];

/** Event type → the jobs it causes (none is fine). Throwing marks the event as unroutable (see the relay). */
export type OutboxRoute<C extends JobCatalog> = (event: OutboxEvent) => readonly RoutedJob<C>[];
export type OutboxRoutes<C extends JobCatalog> = Readonly<Record<string, OutboxRoute<C>>>;

/**
 * Merges the payloads one relay batch routed to the same job into fewer, larger jobs (e.g. 2,000
 * `trainee.created` events into 4 eligibility jobs of 500 trainees). Each job costs a Redis round trip per
 * state change and a handler start-up (loading a rule pack, a transaction), so per-event jobs cap the
 * pipeline at a few thousand events per second; merged jobs amortise that. Must keep every id it is given.
 */
export type Coalescers<C extends JobCatalog> = {
  readonly [K in JobKey<C>]?: (payloads: readonly PayloadInput<C, K>[]) => PayloadInput<C, K>[];
};

/** `${eventId}.${job}[.${part}]`: BullMQ refuses ':' in custom ids, and integers. */
export function routedJobId(eventId: string, job: string, part?: number): string {
  return part === undefined ? `${eventId}.${job}` : `${eventId}.${job}.${part}`;
}

/** The eligibility job's payload limit: one import batch becomes ceil(n / 500) jobs. */
export const ELIGIBILITY_CHUNK = 500;

const TraineesImported = z.object({ created: z.array(Id), updated: z.array(Id) });

const evaluateTrainee: OutboxRoute<CorridorJobs> = (event) => [
  { job: 'eligibility.evaluate', payload: { traineeIds: [event.aggregateId] } },
];
const matchVacancy: OutboxRoute<CorridorJobs> = (event) => [
  { job: 'match.vacancy', payload: { vacancyId: event.aggregateId } },
];

/** Eligibility jobs from one batch become jobs of up to 500 distinct trainees. */
export const defaultCoalesce: Coalescers<CorridorJobs> = {
  'eligibility.evaluate': (payloads) => {
    const ids = [...new Set(payloads.flatMap((p) => p.traineeIds))];
    const jobs: { traineeIds: string[] }[] = [];
    for (let i = 0; i < ids.length; i += ELIGIBILITY_CHUNK)
      jobs.push({ traineeIds: ids.slice(i, i + ELIGIBILITY_CHUNK) });
    return jobs;
  },
};

/** Default routes; other issues add theirs (placements, notifications) by spreading this object. */
export const defaultRoutes: OutboxRoutes<CorridorJobs> = {
  'trainee.created': evaluateTrainee,
  'trainee.updated': evaluateTrainee,
  'trainees.imported': (event) => {
    const { created, updated } = TraineesImported.parse(event.payload);
    const ids = [...created, ...updated];
    const jobs: RoutedJob<CorridorJobs>[] = [];
    for (let i = 0; i * ELIGIBILITY_CHUNK < ids.length; i++) {
      const traineeIds = ids.slice(i * ELIGIBILITY_CHUNK, (i + 1) * ELIGIBILITY_CHUNK);
      jobs.push({ job: 'eligibility.evaluate', payload: { traineeIds }, part: i });
    }
    return jobs;
  },
  'vacancy.created': matchVacancy,
  'vacancy.updated': matchVacancy,
};
