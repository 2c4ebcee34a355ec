import { hash } from 'node:crypto';
import {
  type Database,
  type EligibilityChangedEvent,
  type EligibilityResultWrite,
  type Executor,
  eligibilityProfileOf,
  eligibilityRepository,
  type TraineeForEvaluation,
} from '@corridor/db';
import type { EligibilityResult } from '@corridor/domain';
import { flippedCriteria, type RuleBook } from '@corridor/rules';

/** Why a stored status changed; carried by `eligibility.changed`. */
export type ChangeReason = 'profile_changed' | 'rules_changed';

export interface BatchOutcome {
  /** Trainees evaluated (active ones found). */
  trainees: number;
  /** (trainee × pathway) results computed. */
  evaluated: number;
  /** Results written because they were new or differed from what was stored. */
  written: number;
  /** `eligibility.changed` events written (a stored status flipped). */
  changed: number;
}

export interface EvaluateTraineesOptions {
  /** The legally relevant date (YYYY-MM-DD): picks pack versions and dated thresholds. Callers read the clock. */
  asOf: string;
  /** Default: `rules_changed` when the pack version differs from the stored one, else `profile_changed`. */
  reason?: ChangeReason;
  /** Trainees per transaction when given a database handle (default 500, the queue's eligibility chunk). */
  batchSize?: number;
}

export interface EvaluateTraineesOutcome extends BatchOutcome {
  /** Ids that are not active trainees (erased or unknown): their stored results were removed. */
  skipped: string[];
}

type Handle = Database | Executor;

const isDatabase = (h: Handle): h is Database => 'db' in h && 'pool' in h;

/** Runs `work` in a transaction: the caller's, if it passed one, else a new one on the handle. */
function inTransaction<T>(handle: Handle, work: (trx: Executor) => Promise<T>): Promise<T> {
  const executor = isDatabase(handle) ? handle.db : handle;
  return executor.isTransaction ? work(executor) : executor.transaction().execute(work);
}

const failedOf = (r: EligibilityResult): string[] => {
  const out: string[] = [];
  for (const c of r.criteria) if (c.status === 'unmet') out.push(c.id);
  return out;
};

/**
 * The pure part of a batch: evaluate, compare with what is stored, decide rows and events. Kept apart from the
 * SQL so the decisions (when to write, when to emit) are plain code.
 */
async function evaluateLocked(
  trx: Executor,
  book: RuleBook,
  trainees: readonly TraineeForEvaluation[],
  options: { asOf: string; pathways?: readonly string[]; reason?: ChangeReason | undefined },
): Promise<BatchOutcome> {
  const ids = trainees.map((t) => t.id);
  const stored = await eligibilityRepository.storedFor(trx, ids, options.pathways);
  const storedByKey = new Map(stored.map((s) => [`${s.trainee_id}|${s.pathway_id}`, s]));
  const writes: EligibilityResultWrite[] = [];
  const flips: { write: EligibilityResultWrite; result: EligibilityResult; from: string; fromVersion: string }[] = [];
  let evaluated = 0;
  for (const t of trainees) {
    const profile = eligibilityProfileOf(t);
    if (profile === undefined) continue; // no date of birth: only erased rows, which lockActive* never returns
    const results = book.evaluate(profile, { asOf: options.asOf, pathways: options.pathways });
    evaluated += results.length;
    for (const result of results) {
      const resultJson = JSON.stringify(result);
      const resultHash = hash('sha1', resultJson, 'base64url');
      const before = storedByKey.get(`${t.id}|${result.pathwayId}`);
      if (before && before.result_hash === resultHash && before.pack_version === result.pathwayVersion) continue;
      const write: EligibilityResultWrite = {
        trainee_id: t.id,
        pathway_id: result.pathwayId,
        pack_version: result.pathwayVersion,
        status: result.status,
        as_of: options.asOf,
        resultJson,
        failed_criteria: failedOf(result),
        result_hash: resultHash,
      };
      writes.push(write);
      // A first evaluation is not a change: there is no "from" to report (trainee.created already says it is new).
      if (before && before.status !== result.status)
        flips.push({ write, result, from: before.status, fromVersion: before.pack_version });
    }
  }
  // The "before" documents are read before the upsert overwrites them, and only for the rows that flipped.
  const previous = await eligibilityRepository.resultsFor(
    trx,
    flips.map((f) => ({ traineeId: f.write.trainee_id, pathwayId: f.write.pathway_id })),
  );
  const previousByKey = new Map(previous.map((p) => [`${p.trainee_id}|${p.pathway_id}`, p.result]));
  const events: EligibilityChangedEvent[] = flips.map(({ write, result, from, fromVersion }) => {
    const old = previousByKey.get(`${write.trainee_id}|${write.pathway_id}`);
    return {
      traineeId: write.trainee_id,
      payload: {
        traineeId: write.trainee_id,
        pathwayId: write.pathway_id,
        from,
        to: write.status,
        flippedCriteria: old ? flippedCriteria(old, result) : [],
        packVersion: write.pack_version,
        fromPackVersion: fromVersion,
        asOf: options.asOf,
        reason: options.reason ?? (fromVersion !== write.pack_version ? 'rules_changed' : 'profile_changed'),
      },
    };
  });
  await eligibilityRepository.upsert(trx, writes);
  await eligibilityRepository.appendChanged(trx, events);
  return { trainees: trainees.length, evaluated, written: writes.length, changed: events.length };
}

/**
 * Evaluates trainees against every pathway of the rule book in force on `asOf` and stores the results, with an
 * `eligibility.changed` outbox event for each stored status that flipped, all in one transaction per batch.
 * Idempotent: running it again for the same profiles, rules and date writes and emits nothing. Ids that are
 * not active trainees have their stored results removed (erasure reaches the stored explanations too).
 * Pass a transaction to make it part of the caller's; pass the database to get one transaction per batch.
 */
export async function evaluateTrainees(
  handle: Handle,
  book: RuleBook,
  traineeIds: readonly string[],
  options: EvaluateTraineesOptions,
): Promise<EvaluateTraineesOutcome> {
  const unique = [...new Set(traineeIds)].sort();
  const size = Math.max(1, options.batchSize ?? 500);
  const total: EvaluateTraineesOutcome = { trainees: 0, evaluated: 0, written: 0, changed: 0, skipped: [] };
  for (let i = 0; i < unique.length; i += size) {
    const ids = unique.slice(i, i + size);
    const outcome = await inTransaction(handle, async (trx) => {
      const trainees = await eligibilityRepository.lockActiveTrainees(trx, ids);
      const found = new Set(trainees.map((t) => t.id));
      const skipped = ids.filter((id) => !found.has(id));
      await eligibilityRepository.deleteForTrainees(trx, skipped);
      const o = await evaluateLocked(trx, book, trainees, { asOf: options.asOf, reason: options.reason });
      return { ...o, skipped };
    });
    total.trainees += outcome.trainees;
    total.evaluated += outcome.evaluated;
    total.written += outcome.written;
    total.changed += outcome.changed;
    total.skipped.push(...outcome.skipped);
  }
  return total;
}

/** Thrown when the rule book does not (yet) know the version a job asks for: retry after the cache refreshes. */
export class RuleBookStaleError extends Error {
  override name = 'RuleBookStaleError';
}
/** Thrown for a pathway the rule book has never heard of: retrying will not help. */
export class UnknownPathwayError extends Error {
  override name = 'UnknownPathwayError';
}

export interface ReevaluateOptions {
  pathwayId: string;
  asOf: string;
  /** Resume after this trainee id (the cursor a previous chunk returned). */
  chunkAfter?: string | undefined;
  /** Trainees per chunk (one transaction). Default 1,000. */
  chunkSize?: number;
  /** The version the job was enqueued for; a rule book that lacks it is stale (RuleBookStaleError). */
  toVersion?: string | undefined;
}

export interface ReevaluateOutcome extends BatchOutcome {
  /** Where the next chunk starts; null when this was the last chunk. */
  nextCursor: string | null;
}

/**
 * Re-evaluates one chunk of active trainees (ordered by id, keyset from `chunkAfter`) for one pathway, in one
 * transaction, with reason `rules_changed`. Every active trainee is affected by a pack change (anyone can
 * become eligible), so the chunks walk the whole table. Resumable and idempotent: a chunk re-run after a crash
 * finds its results already stored and writes and emits nothing; the cursor is returned only after commit.
 */
export async function reevaluatePathway(
  handle: Handle,
  book: RuleBook,
  options: ReevaluateOptions,
): Promise<ReevaluateOutcome> {
  const versions = book.versions(options.pathwayId);
  if (versions.length === 0) throw new UnknownPathwayError(`no rule pack for pathway ${options.pathwayId}`);
  if (options.toVersion !== undefined && !versions.some((v) => v.version === options.toVersion))
    throw new RuleBookStaleError(`the rule book does not have ${options.pathwayId} ${options.toVersion} yet`);
  const size = Math.max(1, options.chunkSize ?? 1_000);
  return inTransaction(handle, async (trx) => {
    const trainees = await eligibilityRepository.lockActiveTraineesAfter(trx, options.chunkAfter, size);
    const outcome = await evaluateLocked(trx, book, trainees, {
      asOf: options.asOf,
      pathways: [options.pathwayId],
      reason: 'rules_changed',
    });
    return { ...outcome, nextCursor: trainees.length === size ? trainees[trainees.length - 1]!.id : null };
  });
}

/** Runs `reevaluatePathway` chunk after chunk until done (tests, the CLI, the embedded runner). */
export async function reevaluatePathwayToEnd(
  handle: Handle,
  book: RuleBook,
  options: Omit<ReevaluateOptions, 'chunkAfter'> & { chunkAfter?: string | undefined },
): Promise<BatchOutcome & { chunks: number }> {
  const total = { trainees: 0, evaluated: 0, written: 0, changed: 0, chunks: 0 };
  let cursor = options.chunkAfter;
  do {
    const o = await reevaluatePathway(handle, book, { ...options, chunkAfter: cursor });
    total.trainees += o.trainees;
    total.evaluated += o.evaluated;
    total.written += o.written;
    total.changed += o.changed;
    total.chunks++;
    cursor = o.nextCursor ?? undefined;
  } while (cursor !== undefined);
  return total;
}
