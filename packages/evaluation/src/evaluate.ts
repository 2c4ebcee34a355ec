import {
  ConcurrentWriteError,
  type Database,
  type EligibilityChangedEvent,
  type EligibilityResultWrite,
  type Executor,
  eligibilityProfileOf,
  eligibilityRepository,
  type TraineeForEvaluation,
  withBulkSession,
} from '@corridor/db';
import type { EligibilityResult } from '@corridor/domain';
import type { RuleBook } from '@corridor/rules';

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
type Stored = EligibilityResultWrite;
/** A stored row in signature form (see eligibilityRepository.signatureOf). */
type StoredSig = { trainee_id: string; pathway_id: string; as_of: string; sig: string };

const isDatabase = (h: Handle): h is Database => 'db' in h && 'pool' in h;
const executorOf = (h: Handle): Executor => (isDatabase(h) ? h.db : h);

/** Runs `work` in a transaction: the caller's, if it passed one, else a new one on the handle. */
function inTransaction<T>(handle: Handle, work: (trx: Executor) => Promise<T>): Promise<T> {
  const executor = executorOf(handle);
  return executor.isTransaction ? work(executor) : executor.transaction().execute(work);
}

/** How much of trainees.content_hash a stored result keeps (66 bits of SHA-1: enough to tell profiles apart). */
export const PROFILE_HASH_LENGTH = 11;
export const profileHashOf = (contentHash: string): string => contentHash.slice(0, PROFILE_HASH_LENGTH);

/** The compact record of one result: the decision, and what is needed to explain it again. */
export function recordOf(
  result: EligibilityResult,
  traineeId: string,
  asOf: string,
  profileHash: string,
): EligibilityResultWrite {
  const failed: string[] = [];
  const unknown: string[] = [];
  let ranking: number | null = null;
  const criteria = result.criteria;
  for (let i = 0; i < criteria.length; i++) {
    const c = criteria[i]!;
    if (c.status === 'unmet') failed.push(c.id);
    else if (c.status === 'unknown') unknown.push(c.id);
    if (c.id === 'points' && c.points !== undefined) ranking = c.points;
  }
  return {
    trainee_id: traineeId,
    pathway_id: result.pathwayId,
    pack_version: result.pathwayVersion,
    status: result.status,
    as_of: asOf,
    failed_criteria: failed,
    unknown_criteria: unknown,
    points: result.points !== undefined ? result.points.total : ranking,
    profile_hash: profileHash,
  };
}

/** Criterion ids of a pack version, in result order (every criterion appears, then `points` if the pack has a table). */
const criterionIdCache = new WeakMap<RuleBook, Map<string, string[] | null>>();
export function criterionIdsOf(book: RuleBook, pathwayId: string, version: string): string[] | undefined {
  let cache = criterionIdCache.get(book);
  if (!cache) {
    cache = new Map();
    criterionIdCache.set(book, cache);
  }
  const key = `${pathwayId}|${version}`;
  let ids = cache.get(key);
  if (ids === undefined) {
    const summary = book.versions(pathwayId).find((v) => v.version === version);
    const pack = summary ? book.get(pathwayId, summary.effectiveFrom) : undefined;
    ids = pack ? [...pack.criteria.map((c) => c.id), ...(pack.points ? ['points'] : [])] : null;
    cache.set(key, ids);
  }
  return ids ?? undefined;
}

/**
 * The criteria whose status differs between a stored record and a new result (as `flippedCriteria` of the rules
 * package does for two documents): a criterion is unmet or unknown if the record lists it, else met; criteria of
 * the old pack version that the new one dropped count as flipped.
 */
export function flippedFromRecord(book: RuleBook, before: Stored, after: EligibilityResult): string[] {
  const failed = before.failed_criteria;
  const unknown = before.unknown_criteria;
  const flipped: string[] = [];
  const seen = new Set<string>();
  for (const c of after.criteria) {
    seen.add(c.id);
    const old = failed.includes(c.id) ? 'unmet' : unknown.includes(c.id) ? 'unknown' : 'met';
    if (old !== c.status) flipped.push(c.id);
  }
  const oldIds = criterionIdsOf(book, before.pathway_id, before.pack_version) ?? [...failed, ...unknown];
  for (const id of oldIds) if (!seen.has(id)) flipped.push(id);
  return flipped;
}

interface Flip {
  traineeId: string;
  pathwayId: string;
  from: string;
  to: string;
  flippedCriteria: string[];
  packVersion: string;
  fromPackVersion: string;
}

/** What a batch will write: decided in plain code, applied by `applyPlan`. */
interface Plan {
  inserts: EligibilityResultWrite[];
  replaces: (EligibilityResultWrite & { expected: Stored })[];
  /** Status changes by `trainee|pathway`, reported only if the replace lands. */
  flips: Map<string, Flip>;
  evaluated: number;
}

const newPlan = (): Plan => ({ inserts: [], replaces: [], flips: new Map(), evaluated: 0 });

/** Adds one result to the plan: insert (first evaluation), nothing (same record), or replace (maybe a flip). */
function plan(
  p: Plan,
  book: RuleBook,
  result: EligibilityResult,
  write: EligibilityResultWrite,
  stored: StoredSig | undefined,
) {
  p.evaluated++;
  if (stored === undefined) {
    // A first evaluation is not a change: there is no "from" to report (trainee.created already says it is new).
    p.inserts.push(write);
    return;
  }
  // Same decision from the same profile and pack version: nothing to write (the as-of date alone is not a change).
  if (stored.sig === eligibilityRepository.signatureOf(write)) return;
  const before = eligibilityRepository.fromSignature(stored);
  p.replaces.push({ ...write, expected: before });
  if (before.status !== write.status)
    p.flips.set(`${write.trainee_id}|${write.pathway_id}`, {
      traineeId: write.trainee_id,
      pathwayId: write.pathway_id,
      from: before.status,
      to: write.status,
      flippedCriteria: flippedFromRecord(book, before, result),
      packVersion: write.pack_version,
      fromPackVersion: before.pack_version,
    });
}

interface Context {
  book: RuleBook;
  asOf: string;
  pathways?: readonly string[] | undefined;
  reason?: ChangeReason | undefined;
}

/** Evaluates trainees (all pathways, or `ctx.pathways`) against what is stored for them, into a plan. */
function planTrainees(
  ctx: Context,
  trainees: readonly TraineeForEvaluation[],
  storedOf: (traineeId: string, pathwayId: string) => StoredSig | undefined,
  p: Plan = newPlan(),
  from = 0,
  to = trainees.length,
): Plan {
  for (let i = from; i < to; i++) {
    const t = trainees[i]!;
    const profile = eligibilityProfileOf(t);
    if (profile === undefined) continue; // no date of birth: only erased rows, which are never selected
    const hash = profileHashOf(t.content_hash);
    const results = ctx.book.evaluate(profile, { asOf: ctx.asOf, pathways: ctx.pathways });
    for (const result of results)
      plan(p, ctx.book, result, recordOf(result, t.id, ctx.asOf, hash), storedOf(t.id, result.pathwayId));
  }
  return p;
}

const keyOf = (r: { trainee_id: string; pathway_id: string }) => `${r.trainee_id}|${r.pathway_id}`;

function indexStored(rows: readonly StoredSig[]): (traineeId: string, pathwayId: string) => StoredSig | undefined {
  const byKey = new Map<string, StoredSig>();
  for (const r of rows) byKey.set(keyOf(r), r);
  return (traineeId, pathwayId) => byKey.get(`${traineeId}|${pathwayId}`);
}

const asSignatures = (rows: readonly Stored[]): StoredSig[] =>
  rows.map((r) => ({
    trainee_id: r.trainee_id,
    pathway_id: r.pathway_id,
    as_of: r.as_of,
    sig: eligibilityRepository.signatureOf(r),
  }));

const tick = () => new Promise<void>((resolve) => setImmediate(resolve));

/**
 * `planTrainees` in slices, letting the event loop run between them: the previous chunk's COPY or UPDATE keeps
 * streaming to the database while this one is evaluated.
 */
async function planTraineesYielding(
  ctx: Context,
  trainees: readonly TraineeForEvaluation[],
  storedOf: (traineeId: string, pathwayId: string) => StoredSig | undefined,
): Promise<Plan> {
  const p = newPlan();
  for (let i = 0; i < trainees.length; i += 250) {
    planTrainees(ctx, trainees, storedOf, p, i, Math.min(trainees.length, i + 250));
    await tick();
  }
  return p;
}

/**
 * Writes a plan in the caller's transaction: new rows (COPY when given), replaced rows by compare-and-set, and
 * an `eligibility.changed` event for each replaced row whose status flipped. Rows another evaluation changed since
 * they were read are evaluated again with their trainees locked (so a profile write cannot slip in between)
 * against what is stored now, a few times at most: every row ends up as the evaluation of the stored profile, and
 * each flip is reported once, by the writer that made it.
 */
async function applyPlan(
  trx: Executor,
  ctx: Context,
  p: Plan,
  copy?: (rows: readonly EligibilityResultWrite[]) => Promise<void>,
  attempt = 0,
): Promise<{ written: number; changed: number; evaluated: number }> {
  let inserted: number;
  let missed: string[];
  if (copy && p.inserts.length > 0) {
    await copy(p.inserts);
    inserted = p.inserts.length;
    missed = [];
  } else {
    ({ inserted, missed } = await eligibilityRepository.insertNew(trx, p.inserts));
  }
  const replaced = await eligibilityRepository.replace(trx, p.replaces);
  const events: EligibilityChangedEvent[] = [];
  for (const key of replaced.flipped) {
    const f = p.flips.get(key);
    if (!f) continue;
    events.push({
      traineeId: f.traineeId,
      payload: {
        traineeId: f.traineeId,
        pathwayId: f.pathwayId,
        from: f.from,
        to: f.to,
        flippedCriteria: f.flippedCriteria,
        packVersion: f.packVersion,
        fromPackVersion: f.fromPackVersion,
        asOf: ctx.asOf,
        reason: ctx.reason ?? (f.fromPackVersion !== f.packVersion ? 'rules_changed' : 'profile_changed'),
      },
    });
  }
  await eligibilityRepository.appendChanged(trx, events);
  const out = { written: inserted + replaced.replaced, changed: events.length, evaluated: 0 };
  missed.push(...replaced.missed);
  if (missed.length === 0) return out;
  if (attempt >= 5) throw new Error(`eligibility results kept changing under re-evaluation (${missed.length} rows)`);
  const ids = [...new Set(missed.map((k) => k.slice(0, k.indexOf('|'))))].sort();
  const pathways = [...new Set(missed.map((k) => k.slice(k.indexOf('|') + 1)))];
  const trainees = await eligibilityRepository.lockActiveTrainees(trx, ids);
  const stored = await eligibilityRepository.storedFor(trx, ids, pathways);
  const again = planTrainees({ ...ctx, pathways }, trainees, indexStored(asSignatures(stored)));
  const more = await applyPlan(trx, ctx, again, undefined, attempt + 1);
  return { written: out.written + more.written, changed: out.changed + more.changed, evaluated: more.evaluated };
}

/**
 * Evaluates trainees against every pathway of the rule book in force on `asOf` and stores the results, with an
 * `eligibility.changed` outbox event for each stored status that flipped, all in one transaction per batch.
 * Idempotent: running it again for the same profiles, rules and date writes and emits nothing. Ids that are
 * not active trainees have their stored results removed (erasure reaches the stored records too).
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
  const ctx: Context = { book, asOf: options.asOf, reason: options.reason };
  for (let i = 0; i < unique.length; i += size) {
    const ids = unique.slice(i, i + size);
    const outcome = await inTransaction(handle, async (trx) => {
      const trainees = await eligibilityRepository.lockActiveTrainees(trx, ids);
      const found = new Set(trainees.map((t) => t.id));
      const skipped = ids.filter((id) => !found.has(id));
      await eligibilityRepository.deleteForTrainees(trx, skipped);
      const stored = await eligibilityRepository.storedFor(trx, [...found]);
      const p = planTrainees(ctx, trainees, indexStored(asSignatures(stored)));
      const o = await applyPlan(trx, ctx, p);
      return { trainees: trainees.length, evaluated: p.evaluated, written: o.written, changed: o.changed, skipped };
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
  /** Trainees per chunk (one read, one write transaction). Default 10,000. */
  chunkSize?: number;
  /** The version the job was enqueued for; a rule book that lacks it is stale (RuleBookStaleError). */
  toVersion?: string | undefined;
}

export interface ReevaluateOutcome extends BatchOutcome {
  /** Where the next chunk starts; null when this was the last chunk. */
  nextCursor: string | null;
}

/** Default trainees per re-evaluation chunk: ~0.3 s of work, so a job holds no write locks for long. */
export const REEVALUATE_CHUNK = 10_000;

function checkPathway(book: RuleBook, options: ReevaluateOptions) {
  const versions = book.versions(options.pathwayId);
  if (versions.length === 0) throw new UnknownPathwayError(`no rule pack for pathway ${options.pathwayId}`);
  if (options.toVersion !== undefined && !versions.some((v) => v.version === options.toVersion))
    throw new RuleBookStaleError(`the rule book does not have ${options.pathwayId} ${options.toVersion} yet`);
}

type PathwayPage = Awaited<ReturnType<typeof eligibilityRepository.activeTraineesWithStored>>;

function readPathwayPage(handle: Handle, options: ReevaluateOptions, size: number): Promise<PathwayPage> {
  return eligibilityRepository.activeTraineesWithStored(
    executorOf(handle),
    options.pathwayId,
    options.chunkAfter,
    size,
  );
}

const pathwayContext = (book: RuleBook, options: ReevaluateOptions): Context => ({
  book,
  asOf: options.asOf,
  pathways: [options.pathwayId],
  reason: 'rules_changed',
});

/** Evaluates one page of trainees for one pathway into a plan (with the pack compiled once). */
async function planPathwayPage(book: RuleBook, options: ReevaluateOptions, page: PathwayPage): Promise<Plan> {
  const p = newPlan();
  const compiled = book.compiled(options.pathwayId, options.asOf);
  if (compiled === undefined) return p;
  for (let i = 0; i < page.length; i++) {
    const t = page[i]!;
    const profile = eligibilityProfileOf(t);
    if (profile !== undefined) {
      const result = compiled.evaluate(profile, options.asOf);
      plan(p, book, result, recordOf(result, t.id, options.asOf, profileHashOf(t.content_hash)), t.stored ?? undefined);
    }
    if (i % 500 === 499) await tick();
  }
  return p;
}

/** Writes a plan in one transaction (COPY for many first evaluations on real Postgres). */
async function writePlan(
  handle: Handle,
  ctx: Context,
  p: Plan,
  trainees: number,
  copyText?: string[],
): Promise<BatchOutcome> {
  const base = { trainees, evaluated: p.evaluated };
  if (p.inserts.length === 0 && p.replaces.length === 0) return { ...base, written: 0, changed: 0 };
  // A concurrent first evaluation of the same trainee makes COPY fail as a whole: the chunk is then written
  // again with INSERT ... ON CONFLICT.
  if (copyText !== undefined && isDatabase(handle)) {
    try {
      const o = await withBulkSession(handle, (session) =>
        applyPlan(session.db, ctx, p, async (rows) => {
          if (session.copy) await session.copy(eligibilityRepository.copyStatement, copyText);
          else await eligibilityRepository.insertNew(session.db, rows);
        }),
      );
      return { ...base, evaluated: base.evaluated + o.evaluated, written: o.written, changed: o.changed };
    } catch (err) {
      if (!(err instanceof ConcurrentWriteError)) throw err;
    }
  }
  const o = await inTransaction(handle, (trx) => applyPlan(trx, ctx, p));
  return { ...base, evaluated: base.evaluated + o.evaluated, written: o.written, changed: o.changed };
}

/** COPY text for a plan's first evaluations, built ahead so the write only streams it (real Postgres, ≥ 1,000 rows). */
const copyTextFor = (handle: Handle, p: Plan): string[] | undefined =>
  isDatabase(handle) && handle.mode === 'postgres' && p.inserts.length >= 1000
    ? [...eligibilityRepository.copyLines(p.inserts)]
    : undefined;

/**
 * Re-evaluates one chunk of active trainees (ordered by id, keyset from `chunkAfter`) for one pathway, with reason
 * `rules_changed`. Every active trainee is affected by a pack change (anyone can become eligible), so the chunks
 * walk the whole table. The page is read in one statement without locks and written in one transaction by
 * compare-and-set (see `applyPlan`). Resumable and idempotent: a chunk re-run after a crash finds its results
 * already stored and writes and emits nothing; the cursor is returned only after commit.
 */
export async function reevaluatePathway(
  handle: Handle,
  book: RuleBook,
  options: ReevaluateOptions,
): Promise<ReevaluateOutcome> {
  checkPathway(book, options);
  const size = Math.max(1, options.chunkSize ?? REEVALUATE_CHUNK);
  const page = await readPathwayPage(handle, options, size);
  const p = await planPathwayPage(book, options, page);
  const outcome = await writePlan(handle, pathwayContext(book, options), p, page.length, copyTextFor(handle, p));
  return { ...outcome, nextCursor: page.length === size ? page[page.length - 1]!.id : null };
}

const addTo = (total: BatchOutcome & { chunks: number }, o: BatchOutcome) => {
  total.trainees += o.trainees;
  total.evaluated += o.evaluated;
  total.written += o.written;
  total.changed += o.changed;
  total.chunks++;
};

/** Marks a promise as handled now (it is awaited later): a failure must not surface as an unhandled rejection. */
function later<T>(promise: Promise<T>): Promise<T> {
  promise.catch(() => {});
  return promise;
}

/**
 * The chunk loop shared by `reevaluatePathwayToEnd` and `recomputeAll`: chunk k+1 is read and evaluated while
 * chunk k is written (on real Postgres two chunks are written at once). With a transaction handle (one connection)
 * the steps simply run one after the other.
 */
async function pipeline<Page>(
  handle: Handle,
  read: (after: string | undefined) => Promise<Page>,
  lastId: (page: Page) => string | undefined,
  work: (page: Page) => Promise<{ plan: Plan; trainees: number; copyText?: string[] | undefined }>,
  write: (plan: Plan, trainees: number, copyText?: string[]) => Promise<BatchOutcome>,
  after: string | undefined,
): Promise<BatchOutcome & { chunks: number }> {
  const overlap = isDatabase(handle);
  // On real Postgres two chunks are written at once, on two connections: writing (COPY into an indexed table) is
  // the server's work and the slowest step, and one backend uses one core. Chunks are disjoint trainee ranges, so
  // the two never touch the same rows. PGlite is one connection: one write at a time.
  const maxWrites = overlap && handle.mode === 'postgres' ? 2 : 1;
  const total = { trainees: 0, evaluated: 0, written: 0, changed: 0, chunks: 0 };
  let next: Promise<Page> | undefined = later(read(after));
  const writing: Promise<BatchOutcome>[] = [];
  try {
    while (next !== undefined) {
      const page: Page = await next;
      const cursor = lastId(page);
      next = cursor === undefined ? undefined : overlap ? later(read(cursor)) : undefined;
      const planned = await work(page);
      while (writing.length >= maxWrites) addTo(total, await writing.shift()!);
      writing.push(later(write(planned.plan, planned.trainees, planned.copyText)));
      if (!overlap) {
        addTo(total, await writing.shift()!);
        if (cursor !== undefined) next = read(cursor);
      }
    }
    while (writing.length > 0) addTo(total, await writing.shift()!);
  } finally {
    // On failure, let in-flight work settle before returning (no writes behind the caller's back).
    await Promise.allSettled([next, ...writing]);
  }
  return total;
}

/**
 * Runs `reevaluatePathway` chunk after chunk until done (tests, the CLI, the embedded runner, benchmarks). With a
 * database handle, chunk k+1 is read and evaluated while chunk k is written, so the database's reads, its writes
 * and the evaluation overlap.
 */
export async function reevaluatePathwayToEnd(
  handle: Handle,
  book: RuleBook,
  options: Omit<ReevaluateOptions, 'chunkAfter'> & { chunkAfter?: string | undefined },
): Promise<BatchOutcome & { chunks: number }> {
  checkPathway(book, options);
  const size = Math.max(1, options.chunkSize ?? REEVALUATE_CHUNK);
  const ctx = pathwayContext(book, options);
  return pipeline<PathwayPage>(
    handle,
    (after) => readPathwayPage(handle, { ...options, chunkAfter: after }, size),
    (page) => (page.length === size ? page[page.length - 1]!.id : undefined),
    async (page) => {
      const p = await planPathwayPage(book, options, page);
      return { plan: p, trainees: page.length, copyText: copyTextFor(handle, p) };
    },
    (p, trainees, copyText) => writePlan(handle, ctx, p, trainees, copyText),
    options.chunkAfter,
  );
}

export interface RecomputeOptions {
  asOf: string;
  /** Resume after this trainee id. */
  chunkAfter?: string | undefined;
  /** Trainees per chunk (21 results each). Default 5,000. */
  chunkSize?: number;
  /** Default: as in `evaluateTrainees`. */
  reason?: ChangeReason;
}

interface RecomputePage {
  trainees: TraineeForEvaluation[];
  stored: StoredSig[];
}

async function readRecomputePage(handle: Handle, after: string | undefined, size: number): Promise<RecomputePage> {
  const db = executorOf(handle);
  const trainees = await eligibilityRepository.activeTraineesAfter(db, after, size);
  if (trainees.length === 0) return { trainees, stored: [] };
  // A second range query rather than a join: 21 stored rows per trainee would repeat each profile 21 times.
  const stored = await eligibilityRepository.storedSignaturesInRange(
    db,
    trainees[0]!.id,
    trainees[trainees.length - 1]!.id,
  );
  return { trainees, stored };
}

/**
 * Recomputes every pathway for every active trainee, chunk after chunk (keyset by id), reading each chunk's stored
 * results by id range, writing only what changed (first evaluations by COPY), and reading and evaluating the next
 * chunk while this one is written. For a rule-book-wide change or the first evaluation after a bulk import.
 * Resumable from `chunkAfter` and idempotent like `reevaluatePathway`.
 */
export async function recomputeAll(
  handle: Handle,
  book: RuleBook,
  options: RecomputeOptions,
): Promise<BatchOutcome & { chunks: number }> {
  const size = Math.max(1, options.chunkSize ?? 5_000);
  const ctx: Context = { book, asOf: options.asOf, reason: options.reason };
  return pipeline<RecomputePage>(
    handle,
    (after) => readRecomputePage(handle, after, size),
    (page) => (page.trainees.length === size ? page.trainees[size - 1]!.id : undefined),
    async (page) => {
      const p = await planTraineesYielding(ctx, page.trainees, indexStored(page.stored));
      return { plan: p, trainees: page.trainees.length, copyText: copyTextFor(handle, p) };
    },
    (p, trainees, copyText) => writePlan(handle, ctx, p, trainees, copyText),
    options.chunkAfter,
  );
}
