import type { EligibilityStatus } from '@corridor/domain';
import { sql } from 'kysely';
import { newId } from '../ids.ts';
import type { StoredTraineeProfile } from '../trainee-row.ts';
import type { Executor } from './executor.ts';

/**
 * One stored result (compact: the decision and what is needed to explain it again). The explained document is
 * not stored: evaluating the profile whose hash is `profile_hash` with `pack_version` as of `as_of` reproduces it.
 */
export interface EligibilityResultWrite {
  trainee_id: string;
  pathway_id: string;
  pack_version: string;
  status: EligibilityStatus;
  as_of: string;
  failed_criteria: string[];
  unknown_criteria: string[];
  points: number | null;
  profile_hash: string;
}

/** A result as stored (what a write compares against). */
export type StoredEligibility = EligibilityResultWrite;

/** A write that replaces `expected`, and only if the stored row still is `expected` (compare-and-set). */
export interface EligibilityResultReplace extends EligibilityResultWrite {
  expected: Pick<StoredEligibility, 'status' | 'pack_version' | 'profile_hash' | 'as_of'>;
}

/** An `eligibility.changed` outbox event (ids, statuses and criterion ids only: no personal data). */
export interface EligibilityChangedEvent {
  traineeId: string;
  payload: Record<string, unknown>;
}

export interface TraineeForEvaluation {
  id: string;
  profile: StoredTraineeProfile;
  date_of_birth: string | null;
  content_hash: string;
}

/** A trainee with what is stored for it on one pathway, in signature form (null: never evaluated for it). */
export interface TraineeWithStored extends TraineeForEvaluation {
  stored: StoredSignature | null;
}

const STORED_COLUMNS = [
  'trainee_id',
  'pathway_id',
  'pack_version',
  'status',
  'as_of',
  'failed_criteria',
  'unknown_criteria',
  'points',
  'profile_hash',
] as const;

/** Criterion ids travel as one comma-joined text per row (unnest cannot carry an array of arrays). */
const joinIds = (ids: readonly string[]): string => ids.join(',');
const IDS = (column: string) =>
  sql.raw(`CASE WHEN ${column} = '' THEN '{}'::text[] ELSE string_to_array(${column}, ',') END`);

/** Column-wise parameters for unnest: one array per column, so a batch is a handful of parameters. */
function columns(rows: readonly EligibilityResultWrite[]) {
  const n = rows.length;
  const c = {
    trainee: new Array<string>(n),
    pathway: new Array<string>(n),
    version: new Array<string>(n),
    status: new Array<string>(n),
    asOf: new Array<string>(n),
    failed: new Array<string>(n),
    unknown: new Array<string>(n),
    points: new Array<number | null>(n),
    hash: new Array<string>(n),
  };
  for (let i = 0; i < n; i++) {
    const r = rows[i]!;
    c.trainee[i] = r.trainee_id;
    c.pathway[i] = r.pathway_id;
    c.version[i] = r.pack_version;
    c.status[i] = r.status;
    c.asOf[i] = r.as_of;
    c.failed[i] = joinIds(r.failed_criteria);
    c.unknown[i] = joinIds(r.unknown_criteria);
    c.points[i] = r.points;
    c.hash[i] = r.profile_hash;
  }
  return c;
}

/** A text[] literal as COPY text format wants it (criterion ids are plain words; anything else is quoted). */
function arrayLiteral(ids: readonly string[]): string {
  if (ids.length === 0) return '{}';
  let plain = true;
  for (const id of ids) if (!/^[\w.:-]+$/.test(id)) plain = false;
  if (plain) return `{${ids.join(',')}}`;
  const quoted = ids.map((id) => `"${id.replace(/[\\"]/g, (m) => `\\${m}`)}"`).join(',');
  return `{${quoted.replace(/[\\\t\n\r]/g, (m) => (m === '\\' ? '\\\\' : m === '\t' ? '\\t' : m === '\n' ? '\\n' : '\\r'))}}`;
}

/**
 * One text per stored row for the bulk comparisons (re-evaluation, full recompute): status, pack version, profile
 * hash, points, failed and unknown ids. Comparing it with `signatureOf(new record)` decides "unchanged" without
 * turning millions of rows (two arrays each) into objects; only rows that differ are parsed (`fromSignature`).
 */
const SIGNATURE = (e: string) =>
  sql.raw(
    `${e}.status || '|' || ${e}.pack_version || '|' || ${e}.profile_hash || '|' || coalesce(${e}.points::text, '') || '|' || array_to_string(${e}.failed_criteria, ',') || '|' || array_to_string(${e}.unknown_criteria, ',')`,
  );

/** A stored row in signature form. */
export interface StoredSignature {
  trainee_id: string;
  pathway_id: string;
  as_of: string;
  sig: string;
}

const splitIds = (s: string): string[] => (s === '' ? [] : s.split(','));

export const eligibilityRepository = {
  signatureOf(w: EligibilityResultWrite): string {
    return `${w.status}|${w.pack_version}|${w.profile_hash}|${w.points === null ? '' : w.points}|${w.failed_criteria.join(',')}|${w.unknown_criteria.join(',')}`;
  },

  fromSignature(row: StoredSignature): StoredEligibility {
    const [status, pack_version, profile_hash, points, failed, unknown] = row.sig.split('|') as [
      EligibilityStatus,
      string,
      string,
      string,
      string,
      string,
    ];
    return {
      trainee_id: row.trainee_id,
      pathway_id: row.pathway_id,
      pack_version,
      status,
      as_of: row.as_of,
      failed_criteria: splitIds(failed),
      unknown_criteria: splitIds(unknown),
      points: points === '' ? null : Number(points),
      profile_hash,
    };
  },

  /** Everything stored for trainees first..last (inclusive; a primary-key range scan), in signature form. */
  async storedSignaturesInRange(db: Executor, first: string, last: string): Promise<StoredSignature[]> {
    const r = await sql<StoredSignature>`
      SELECT e.trainee_id, e.pathway_id, e.as_of, ${SIGNATURE('e')} AS sig
      FROM eligibility_results e
      WHERE e.trainee_id >= ${first}::uuid AND e.trainee_id <= ${last}::uuid`.execute(db);
    return r.rows;
  },

  /**
   * Active trainees by id, locked until the transaction ends (in id order, so batches cannot deadlock). One lock
   * per trainee does two jobs: a profile write waits, so the result stored is the result of the profile stored;
   * and two evaluations of one trainee run one after the other, so the second compares against what the first
   * wrote. FOR NO KEY UPDATE still lets the results' foreign-key checks (FOR KEY SHARE) and plain reads through.
   */
  lockActiveTrainees(trx: Executor, ids: readonly string[]): Promise<TraineeForEvaluation[]> {
    if (ids.length === 0) return Promise.resolve([]);
    return trx
      .selectFrom('trainees')
      .select(['id', 'profile', 'date_of_birth', 'content_hash'])
      .where(sql<boolean>`id = any(${sql.val(ids)}::uuid[])`)
      .where('status', '=', 'active')
      .orderBy('id')
      .forNoKeyUpdate()
      .execute();
  },

  /**
   * The next keyset page of active trainees after `after` with what is stored for them on one pathway, in one
   * statement (one snapshot), without locks: re-evaluation writes by compare-and-set instead (see `replace`), so
   * it never holds up profile writes and does not dirty a million trainee rows to lock them.
   */
  async activeTraineesWithStored(
    db: Executor,
    pathwayId: string,
    after: string | undefined,
    limit: number,
  ): Promise<TraineeWithStored[]> {
    const r = await sql<TraineeForEvaluation & { as_of: string | null; sig: string | null }>`
      SELECT t.id, t.profile, t.date_of_birth, t.content_hash, e.as_of, ${SIGNATURE('e')} AS sig
      FROM trainees t
      LEFT JOIN eligibility_results e ON e.trainee_id = t.id AND e.pathway_id = ${pathwayId}
      WHERE t.status = 'active' ${after === undefined ? sql`` : sql`AND t.id > ${after}::uuid`}
      ORDER BY t.id
      LIMIT ${limit}`.execute(db);
    return r.rows.map((row) => ({
      id: row.id,
      profile: row.profile,
      date_of_birth: row.date_of_birth,
      content_hash: row.content_hash,
      stored: row.sig === null ? null : { trainee_id: row.id, pathway_id: pathwayId, as_of: row.as_of!, sig: row.sig },
    }));
  },

  /** The next keyset page of active trainees after `after`, without locks (full recompute; see `replace`). */
  activeTraineesAfter(db: Executor, after: string | undefined, limit: number): Promise<TraineeForEvaluation[]> {
    let q = db
      .selectFrom('trainees')
      .select(['id', 'profile', 'date_of_birth', 'content_hash'])
      .where('status', '=', 'active');
    if (after !== undefined) q = q.where('id', '>', after);
    return q.orderBy('id').limit(limit).execute();
  },

  /** What is stored for these trainees (optionally only some pathways). */
  storedFor(
    trx: Executor,
    traineeIds: readonly string[],
    pathwayIds?: readonly string[],
  ): Promise<StoredEligibility[]> {
    if (traineeIds.length === 0) return Promise.resolve([]);
    let q = trx
      .selectFrom('eligibility_results')
      .select(STORED_COLUMNS)
      .where(sql<boolean>`trainee_id = any(${sql.val(traineeIds)}::uuid[])`);
    if (pathwayIds !== undefined) q = q.where(sql<boolean>`pathway_id = any(${sql.val(pathwayIds)}::text[])`);
    return q.execute();
  },

  /**
   * First evaluations: inserts the rows that are still absent (a concurrent evaluation that got there first
   * wins and its key comes back in `missed`). One statement, one array parameter per column.
   */
  async insertNew(
    trx: Executor,
    rows: readonly EligibilityResultWrite[],
  ): Promise<{ inserted: number; missed: string[] }> {
    if (rows.length === 0) return { inserted: 0, missed: [] };
    const c = columns(rows);
    const r = await sql<{ key: string }>`
      INSERT INTO eligibility_results AS e
        (trainee_id, pathway_id, pack_version, status, as_of, failed_criteria, unknown_criteria, points, profile_hash)
      SELECT u.trainee_id, u.pathway_id, u.pack_version, u.status, u.as_of, ${IDS('u.failed')}, ${IDS('u.unknown')},
             u.points, u.profile_hash
      FROM unnest(${c.trainee}::uuid[], ${c.pathway}::text[], ${c.version}::text[], ${c.status}::text[],
                  ${c.asOf}::date[], ${c.failed}::text[], ${c.unknown}::text[], ${c.points}::int[], ${c.hash}::text[])
        AS u(trainee_id, pathway_id, pack_version, status, as_of, failed, unknown, points, profile_hash)
      ON CONFLICT (trainee_id, pathway_id) DO NOTHING
      RETURNING e.trainee_id::text || '|' || e.pathway_id AS key`.execute(trx);
    if (r.rows.length === rows.length) return { inserted: rows.length, missed: [] };
    const done = new Set(r.rows.map((x) => x.key));
    const missed: string[] = [];
    for (const row of rows) {
      const key = `${row.trainee_id}|${row.pathway_id}`;
      if (!done.has(key)) missed.push(key);
    }
    return { inserted: r.rows.length, missed };
  },

  /**
   * Replaces stored rows, each only if it still is what the caller read (status, pack version, profile hash and
   * as-of date: the outcome is a function of those). A row another evaluation changed in between is left alone,
   * and under READ COMMITTED the check is made again on the newest row after waiting for its writer, so two
   * evaluations racing on one result write it once and report its flip once. Returns how many rows were replaced
   * the `trainee|pathway` keys of those whose status changed, and the keys of those left alone (`missed`).
   */
  async replace(
    trx: Executor,
    rows: readonly EligibilityResultReplace[],
  ): Promise<{ replaced: number; flipped: Set<string>; missed: string[] }> {
    if (rows.length === 0) return { replaced: 0, flipped: new Set(), missed: [] };
    const c = columns(rows);
    const n = rows.length;
    const oldStatus = new Array<string>(n);
    const oldVersion = new Array<string>(n);
    const oldHash = new Array<string>(n);
    const oldAsOf = new Array<string>(n);
    for (let i = 0; i < n; i++) {
      const e = rows[i]!.expected;
      oldStatus[i] = e.status;
      oldVersion[i] = e.pack_version;
      oldHash[i] = e.profile_hash;
      oldAsOf[i] = e.as_of;
    }
    const r = await sql<{ replaced: number; flipped: string[]; missed: string[] }>`
      WITH u AS (
        SELECT * FROM unnest(${c.trainee}::uuid[], ${c.pathway}::text[], ${c.version}::text[], ${c.status}::text[],
                  ${c.asOf}::date[], ${c.failed}::text[], ${c.unknown}::text[], ${c.points}::int[], ${c.hash}::text[],
                  ${oldStatus}::text[], ${oldVersion}::text[], ${oldHash}::text[], ${oldAsOf}::date[])
          AS u(trainee_id, pathway_id, pack_version, status, as_of, failed, unknown, points, profile_hash,
               old_status, old_version, old_hash, old_as_of)
      ), changed AS (
        UPDATE eligibility_results e SET
          pack_version = u.pack_version, status = u.status, as_of = u.as_of,
          failed_criteria = ${IDS('u.failed')}, unknown_criteria = ${IDS('u.unknown')}, points = u.points,
          profile_hash = u.profile_hash, evaluated_at = now()
        FROM u
        WHERE e.trainee_id = u.trainee_id AND e.pathway_id = u.pathway_id
          AND e.status = u.old_status AND e.pack_version = u.old_version AND e.profile_hash = u.old_hash
          AND e.as_of = u.old_as_of
        RETURNING e.trainee_id, e.pathway_id, u.old_status <> u.status AS flipped
      )
      SELECT count(*)::int AS replaced,
             coalesce(array_agg(trainee_id::text || '|' || pathway_id) FILTER (WHERE flipped), '{}') AS flipped,
             (SELECT coalesce(array_agg(u.trainee_id::text || '|' || u.pathway_id), '{}') FROM u
               WHERE NOT EXISTS (SELECT 1 FROM changed c WHERE c.trainee_id = u.trainee_id AND c.pathway_id = u.pathway_id)
             ) AS missed
      FROM changed`.execute(trx);
    const row = r.rows[0]!;
    return { replaced: row.replaced, flipped: new Set(row.flipped), missed: row.missed };
  },

  /** COPY FROM STDIN statement and lines for first evaluations in bulk (real Postgres; see `insertNew`). */
  copyStatement:
    'COPY eligibility_results (trainee_id, pathway_id, pack_version, status, as_of, failed_criteria, unknown_criteria, points, profile_hash) FROM STDIN',
  *copyLines(rows: readonly EligibilityResultWrite[], perChunk = 2000): Generator<string> {
    let buf = '';
    for (let i = 0; i < rows.length; i++) {
      const r = rows[i]!;
      buf += `${r.trainee_id}\t${r.pathway_id}\t${r.pack_version}\t${r.status}\t${r.as_of}\t${arrayLiteral(r.failed_criteria)}\t${arrayLiteral(r.unknown_criteria)}\t${r.points === null ? '\\N' : r.points}\t${r.profile_hash}\n`;
      if ((i + 1) % perChunk === 0) {
        yield buf;
        buf = '';
      }
    }
    if (buf !== '') yield buf;
  },

  /** Appends `eligibility.changed` events to the outbox in the caller's transaction, in one statement. */
  async appendChanged(trx: Executor, events: readonly EligibilityChangedEvent[]): Promise<void> {
    if (events.length === 0) return;
    const n = events.length;
    const ids = new Array<string>(n);
    const aggregates = new Array<string>(n);
    const payloads = new Array<string>(n);
    for (let i = 0; i < n; i++) {
      ids[i] = newId();
      aggregates[i] = events[i]!.traineeId;
      payloads[i] = JSON.stringify(events[i]!.payload);
    }
    await sql`
      INSERT INTO outbox (event_id, type, aggregate_type, aggregate_id, payload)
      SELECT r.event_id, 'eligibility.changed', 'trainee', r.aggregate_id, r.payload
      FROM unnest(${ids}::uuid[], ${aggregates}::uuid[], ${payloads}::jsonb[]) AS r(event_id, aggregate_id, payload)`.execute(
      trx,
    );
  },

  /** Removes stored results (trainees erased or gone): results explain decisions about a person. */
  async deleteForTrainees(trx: Executor, traineeIds: readonly string[]): Promise<number> {
    if (traineeIds.length === 0) return 0;
    const r = await trx
      .deleteFrom('eligibility_results')
      .where(sql<boolean>`trainee_id = any(${sql.val(traineeIds)}::uuid[])`)
      .executeTakeFirst();
    return Number(r.numDeletedRows);
  },

  /** A trainee's stored results, by pathway (GET /v1/trainees/{id}/eligibility); served by the primary key. */
  listForTrainee(db: Executor, traineeId: string) {
    return db
      .selectFrom('eligibility_results')
      .select([...STORED_COLUMNS, 'evaluated_at'])
      .where('trainee_id', '=', traineeId)
      .orderBy('pathway_id')
      .execute();
  },
};
