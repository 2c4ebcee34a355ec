import { createHash } from 'node:crypto';
import { type Database, matchRoundsRepository, outboxRepository } from '@corridor/db';
import {
  evaluateTrainees,
  type RuleBookSource,
  RuleBookStaleError,
  reevaluatePathway,
  UnknownPathwayError,
} from '@corridor/evaluation';
import { deliver, fanOut } from '@corridor/notify';
import { type CorridorJobs, type JobHandlers, type JobLogger, jobCatalog, TerminalJobError } from '@corridor/queue';
import { prepareRoundLists, runRound } from './match-round.ts';
import { matchTrainee, matchTrainees } from './match-trainee.ts';
import { type MatchingOptions, matchVacancy, rematchPathwayVacancies } from './match-vacancy.ts';
import { type NotificationDeps, notificationDeps, ruleChangeDescriber } from './notifications.ts';

export interface HandlerDeps {
  database: Database;
  ruleBooks: RuleBookSource;
  /** Today's date (YYYY-MM-DD) as the rules' as-of date; injected so handlers never read the clock themselves. */
  today: () => string;
  log: JobLogger;
  /** Shortlist size and occupation bridges for the match jobs; defaults per issue 4. */
  matching?: MatchingOptions;
  /** Senders, links and policies for the notification jobs; default: no email, public webhook targets only. */
  notifications?: NotificationDeps;
}

/** Outbox aggregate ids are UUIDs; a pathway is named by its id, so it gets a name-based (v5-style) UUID. */
export function pathwayAggregateId(pathwayId: string): string {
  const h = createHash('sha1').update(`corridor:pathway:${pathwayId}`).digest('hex');
  return `${h.slice(0, 8)}-${h.slice(8, 12)}-5${h.slice(13, 16)}-${((Number.parseInt(h[16]!, 16) & 0x3) | 0x8).toString(16)}${h.slice(17, 20)}-${h.slice(20, 32)}`;
}

/**
 * Every catalog job's handler, shared by the worker service (BullMQ) and the embedded in-process runner.
 * Handlers stay thin: load by id, call the pure packages, write results and outbox events in one transaction.
 * Delivery is at least once, so each is idempotent.
 */
export function buildHandlers(deps: HandlerDeps): JobHandlers<CorridorJobs> {
  const { database, ruleBooks } = deps;
  const notifications = deps.notifications ?? notificationDeps({}, {}).deps;
  return {
    'eligibility.evaluate': async ({ traineeIds }) => {
      const book = await ruleBooks.current();
      await evaluateTrainees(database, book, traineeIds, { asOf: deps.today() });
    },

    // One chunk per job; the next chunk is announced through the outbox, so a crash mid-way resumes from the
    // last committed chunk rather than from the start, and the relay's deterministic job ids collapse repeats.
    'eligibility.reevaluate': async ({ pathwayId, toVersion, chunkAfter }) => {
      const book = await ruleBooks.current();
      let outcome: Awaited<ReturnType<typeof reevaluatePathway>>;
      try {
        outcome = await reevaluatePathway(database, book, { pathwayId, toVersion, chunkAfter, asOf: deps.today() });
      } catch (err) {
        if (err instanceof RuleBookStaleError) {
          ruleBooks.invalidate();
          throw err; // retried: another process published the version a moment ago
        }
        if (err instanceof UnknownPathwayError) throw new TerminalJobError(err.message);
        throw err;
      }
      if (outcome.nextCursor) {
        await outboxRepository.append(database.db, [
          {
            type: 'pathway.reevaluation_continues',
            aggregateType: 'pathway',
            aggregateId: pathwayAggregateId(pathwayId),
            payload: { pathwayId, toVersion, chunkAfter: outcome.nextCursor },
          },
        ]);
      }
    },

    // Idempotent: each run reconciles the vacancy's placements to what the data says now (see match-vacancy.ts).
    'match.vacancy': async ({ vacancyId }) => {
      await matchVacancy(database, await ruleBooks.current(), vacancyId, deps.matching);
    },

    'match.trainee': async ({ traineeId }) => {
      await matchTrainee(database, await ruleBooks.current(), traineeId, deps.matching);
    },

    'match.trainees': async ({ traineeIds }) => {
      const { cohorts } = await matchTrainees(database, await ruleBooks.current(), traineeIds, deps.matching);
      // A bulk import's cohorts get their round lists built ahead of their rounds (round.lists), once per relay
      // batch and cohort however many chunks name it.
      await outboxRepository.append(
        database.db,
        cohorts.map((key) => {
          const [partnershipId, ...rest] = key.split(' ');
          return {
            type: 'round_lists.due',
            aggregateType: 'partnership' as const,
            aggregateId: partnershipId!,
            payload: { partnershipId: partnershipId!, cohort: rest.join(' ') },
          };
        }),
      );
    },

    'round.lists': async ({ partnershipId, cohort }) => {
      await prepareRoundLists(database, await ruleBooks.current(), partnershipId, cohort, deps.matching);
    },

    // Once per round (the round is marked told in the same statement), so a repeated job tells nobody twice.
    'round.unmatched': async ({ roundId }) => {
      await matchRoundsRepository.tellUnmatched(database.db, roundId, UNMATCHED_PER_EVENT);
    },

    // As eligibility.reevaluate: one chunk per job, the next announced through the outbox. The version must be in
    // the rule book this process holds (another process may have published it a moment ago).
    'match.vacancies': async ({ pathwayId, version, after }) => {
      let book = await ruleBooks.current();
      if (!book.versions(pathwayId).some((v) => v.version === version)) {
        ruleBooks.invalidate();
        book = await ruleBooks.current();
        if (!book.versions(pathwayId).some((v) => v.version === version))
          throw new Error(`pathway ${pathwayId} version ${version} is not in the rule book yet`);
      }
      const { next } = await rematchPathwayVacancies(database, book, pathwayId, after, deps.matching);
      if (next) {
        await outboxRepository.append(database.db, [
          {
            type: 'pathway.vacancies_continue',
            aggregateType: 'pathway',
            aggregateId: pathwayAggregateId(pathwayId),
            payload: { pathwayId, version, after: next },
          },
        ]);
      }
    },

    // The round and its proposals commit together; a failed try is recorded on the round and retried by the queue.
    'match.round': async ({ roundId }, ctx) => {
      try {
        const outcome = await runRound(database, await ruleBooks.current(), roundId, deps.matching);
        if (outcome.status === 'done' && outcome.work.threadsFailed)
          ctx.log.warn(
            { roundId, reason: outcome.work.threadsFailed },
            'round threads could not start; the lists were built on the job thread',
          );
      } catch (err) {
        ctx.log.error({ err, roundId, attempt: ctx.attempt }, 'match round failed');
        // The last try (or one that will not be retried) tells the partnership's admin, with the failure recorded.
        const attempts = jobCatalog['match.round'].attempts;
        const last = ctx.attempt >= attempts || err instanceof TerminalJobError;
        await database.db.transaction().execute(async (trx) => {
          await matchRoundsRepository.markFailed(trx, roundId, err instanceof Error ? err.message : String(err));
          if (last) await matchRoundsRepository.announceFailure(trx, roundId, ctx.attempt);
        });
        throw err;
      }
    },
    'notify.fanout': async ({ events }) => {
      const describeRuleChange = ruleChangeDescriber(await ruleBooks.current());
      await fanOut(database, events, { ...notifications.fanOut, describeRuleChange });
    },

    'notify.deliver': async ({ deliveryIds }) => {
      await deliver(database, deliveryIds, notifications.deliver);
    },
  };
}

/**
 * Trainees one `match_round.unmatched` event names: the fan-out merges up to FANOUT_CHUNK (200) events into a job,
 * which then tells up to 10,000 people in one transaction.
 */
export const UNMATCHED_PER_EVENT = 50;

/** Parallel jobs per type in one worker process; scale further with replicas. */
export const workerConcurrency = {
  'eligibility.evaluate': 2,
  'eligibility.reevaluate': 1,
  'match.vacancy': 4,
  'match.trainee': 4,
  'match.trainees': 1,
  'match.vacancies': 1,
  'match.round': 1,
  'round.lists': 1,
  'round.unmatched': 1,
  'notify.fanout': 2,
  // Each job sends its deliveries in parallel too (DeliverOptions.parallel).
  'notify.deliver': 8,
} as const satisfies Record<keyof CorridorJobs, number>;
