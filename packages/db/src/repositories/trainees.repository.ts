import { hash } from 'node:crypto';
import type { Actor, TraineeProfile } from '@corridor/domain';
import { type Selectable, sql } from 'kysely';
import { newId } from '../ids.ts';
import type { TraineesTable } from '../schema/trainees.ts';
import { languageLevelTokens, storedProfile } from '../trainee-row.ts';
import { pageById } from './cursor.ts';
import type { Executor } from './executor.ts';
import { traineeVisibleTo } from './visibility.ts';

/** A trainee as a row to write: the validated profile split into columns. */
export interface TraineeWrite {
  id: string;
  external_ref: string | null;
  given_name: string | null;
  family_name: string | null;
  email: string | null;
  date_of_birth: string;
  nationality: string;
  residence: string | null;
  isco08: string;
  partnership_id: string | null;
  cohort: string | null;
  track: string | null;
  preferred_destinations: string[];
  language_levels: string[];
  earliest_start: string | null;
  consent_share_profile: boolean;
  consent_contact_email: boolean;
  /** The stored profile, serialised once: it goes to the database as text in both write paths. */
  profile: string;
  content_hash: string;
}

/**
 * What the content hash covers after the stored profile's JSON: everything else a write sets is derived from
 * these, so equal hashes mean an identical row. The hash is sha1 (base64url) of the UTF-8 bytes of
 * `profile + contentHashTail(p)`; bulk ingest hashes the same bytes where it has encoded them for COPY.
 */
export const contentHashTail = (p: TraineeProfile): string =>
  `\u0000${p.givenName ?? ''}\u0000${p.familyName ?? ''}\u0000${p.email ?? ''}\u0000${p.dateOfBirth}` +
  `\u0000${p.consent?.shareProfileWithEmployers ?? false}\u0000${p.consent?.contactByEmail ?? false}`;

export function traineeWrite(p: TraineeProfile, id: string = newId()): TraineeWrite {
  const profile = JSON.stringify(storedProfile(p));
  // Hashing the UTF-8 bytes rather than the string gives the same digest at half the cost (measured on Node 20).
  const content_hash = hash('sha1', Buffer.from(profile + contentHashTail(p), 'utf8'), 'base64url');
  return {
    id,
    external_ref: p.externalRef ?? null,
    given_name: p.givenName ?? null,
    family_name: p.familyName ?? null,
    email: p.email ?? null,
    date_of_birth: p.dateOfBirth,
    nationality: p.nationality,
    residence: p.residence ?? null,
    isco08: p.occupation.isco08,
    partnership_id: p.programme?.partnershipId ?? null,
    cohort: p.programme?.cohort ?? null,
    track: p.programme?.track ?? null,
    preferred_destinations: p.preferences?.destinations ?? [],
    language_levels: languageLevelTokens(p.languages),
    earliest_start: p.preferences?.earliestStart ?? null,
    consent_share_profile: p.consent?.shareProfileWithEmployers ?? false,
    consent_contact_email: p.consent?.contactByEmail ?? false,
    profile,
    content_hash,
  };
}

export interface UpsertOutcome {
  id: string;
  externalRef: string | null;
  change: 'created' | 'updated';
}

// The columns a re-post may change. A row whose values are all equal is left alone: no version bump and no
// event, which is what makes re-posting the same file a no-op.
const MUTABLE = [
  'given_name',
  'family_name',
  'email',
  'date_of_birth',
  'nationality',
  'residence',
  'isco08',
  'partnership_id',
  'cohort',
  'track',
  'preferred_destinations',
  'language_levels',
  'earliest_start',
  'consent_share_profile',
  'consent_contact_email',
  'profile',
  'content_hash',
] as const;

const RECORD_TYPE = sql.raw(`
  id uuid, external_ref text, given_name text, family_name text, email text, date_of_birth date,
  nationality text, residence text, isco08 text, partnership_id uuid, cohort text, track text,
  preferred_destinations text[], language_levels text[], earliest_start date,
  consent_share_profile boolean, consent_contact_email boolean, profile text, content_hash text`);
const INSERT_COLUMNS = sql.raw(`id, owner_org_id, external_ref, ${MUTABLE.join(', ')}`);
const SELECT_REST = sql.raw(
  `r.external_ref, ${MUTABLE.map((c) => (c === 'profile' ? 'r.profile::json' : `r.${c}`)).join(', ')}`,
);
const SET_CLAUSE = sql.raw(MUTABLE.map((c) => `${c} = excluded.${c}`).join(', '));

export const traineesRepository = {
  /**
   * Inserts new trainees and updates changed ones (matched by owner + externalRef) in one statement, and writes
   * a trainee.created / trainee.updated outbox event for each in the same statement. One round trip per batch:
   * the batch travels as a single jsonb parameter, which PGlite's wire protocol handles as well as Postgres
   * (COPY FROM STDIN does not work through pglite-socket). Rows in one batch must have distinct externalRefs.
   */
  async upsertMany(
    db: Executor,
    ownerOrgId: string,
    rows: readonly TraineeWrite[],
    events: 'per-row' | 'none' = 'per-row',
  ): Promise<UpsertOutcome[]> {
    if (rows.length === 0) return [];
    const result = await sql<{ id: string; external_ref: string | null; inserted: boolean }>`
      WITH input AS (
        SELECT * FROM jsonb_to_recordset(${JSON.stringify(rows)}::jsonb) AS r(${RECORD_TYPE})
      ),
      upserted AS (
        INSERT INTO trainees AS t (${INSERT_COLUMNS})
        SELECT r.id, ${ownerOrgId}::uuid, ${SELECT_REST} FROM input r
        ON CONFLICT (owner_org_id, external_ref) DO UPDATE
          SET ${SET_CLAUSE}, version = t.version + 1, updated_at = now()
          WHERE t.status = 'active' AND t.content_hash <> excluded.content_hash
        RETURNING t.id, t.external_ref, (t.xmax = 0) AS inserted
      ),
      events AS (
        INSERT INTO outbox (event_id, type, aggregate_type, aggregate_id, payload)
        SELECT gen_random_uuid(), CASE WHEN inserted THEN 'trainee.created' ELSE 'trainee.updated' END, 'trainee', id,
               jsonb_build_object('traineeId', id)
        FROM upserted WHERE ${sql.lit(events === 'per-row')}
      )
      SELECT id, external_ref, inserted FROM upserted`.execute(db);
    return result.rows.map((r) => ({
      id: r.id,
      externalRef: r.external_ref,
      change: r.inserted ? 'created' : 'updated',
    }));
  },

  /**
   * One trainee, created or updated by externalRef, with its outbox event, in a single statement (atomic by
   * itself, one round trip, so the busiest write path needs no explicit transaction). Returns the stored row,
   * or undefined when an identical trainee with this externalRef already exists.
   */
  async upsertOne(db: Executor, ownerOrgId: string, row: TraineeWrite) {
    const [outcome] = await traineesRepository.upsertRows(db, [{ ownerOrgId, row }]);
    return outcome;
  },

  /**
   * Several single-trainee writes (possibly for different owners) in one statement, each with its outbox event:
   * what the write batcher sends when requests arrive together. Returns, per input, the stored row or undefined
   * when an identical trainee with that externalRef already exists. Inputs must not share an (owner, externalRef).
   */
  async upsertRows(db: Executor, rows: readonly { ownerOrgId: string; row: TraineeWrite }[]) {
    const values = sql.join(
      rows.map(
        ({
          ownerOrgId,
          row: r,
        }) => sql`(${r.id}::uuid, ${ownerOrgId}::uuid, ${r.external_ref}, ${r.given_name}, ${r.family_name},
          ${r.email}, ${r.date_of_birth}::date, ${r.nationality}, ${r.residence}, ${r.isco08}, ${r.partnership_id}::uuid,
          ${r.cohort}, ${r.track}, ${r.preferred_destinations}::text[], ${r.language_levels}::text[], ${r.earliest_start}::date,
          ${r.consent_share_profile}::boolean, ${r.consent_contact_email}::boolean, ${r.profile}::json, ${r.content_hash})`,
      ),
    );
    const result = await sql<Selectable<TraineesTable> & { inserted: boolean }>`
      WITH upserted AS (
        INSERT INTO trainees AS t (${INSERT_COLUMNS})
        VALUES ${values}
        ON CONFLICT (owner_org_id, external_ref) DO UPDATE
          SET ${SET_CLAUSE}, version = t.version + 1, updated_at = now()
          WHERE t.status = 'active' AND t.content_hash <> excluded.content_hash
        RETURNING t.*, (t.xmax = 0) AS inserted
      ),
      events AS (
        INSERT INTO outbox (event_id, type, aggregate_type, aggregate_id, payload)
        SELECT gen_random_uuid(), CASE WHEN inserted THEN 'trainee.created' ELSE 'trainee.updated' END, 'trainee', id,
               jsonb_build_object('traineeId', id)
        FROM upserted
      )
      SELECT * FROM upserted`.execute(db);
    // Inserted rows keep the id we gave them; updated ones are found by (owner, externalRef).
    const byKey = new Map<string, { trainee: Selectable<TraineesTable>; change: 'created' | 'updated' }>();
    for (const { inserted, ...trainee } of result.rows) {
      const outcome = { trainee, change: inserted ? ('created' as const) : ('updated' as const) };
      byKey.set(trainee.id, outcome);
      if (trainee.external_ref !== null) byKey.set(`${trainee.owner_org_id}\u0000${trainee.external_ref}`, outcome);
    }
    return rows.map(
      ({ ownerOrgId, row }) =>
        byKey.get(row.id) ??
        (row.external_ref === null ? undefined : byKey.get(`${ownerOrgId}\u0000${row.external_ref}`)),
    );
  },

  /** Stored ids and content hashes for these externalRefs, to tell new, changed and unchanged rows apart. */
  existingByExternalRef(db: Executor, ownerOrgId: string, externalRefs: readonly string[]) {
    return db
      .selectFrom('trainees')
      .select(['id', 'external_ref', 'content_hash', 'status'])
      .where('owner_org_id', '=', ownerOrgId)
      .where('external_ref', '=', sql<string>`ANY(${sql.val(externalRefs)}::text[])`)
      .execute();
  },

  findVisible(db: Executor, actor: Actor, id: string) {
    return db
      .selectFrom('trainees')
      .selectAll()
      .where('id', '=', id)
      .where('status', '=', 'active')
      .where(traineeVisibleTo(actor))
      .executeTakeFirst();
  },

  findByExternalRef(db: Executor, ownerOrgId: string, externalRef: string) {
    return db
      .selectFrom('trainees')
      .selectAll()
      .where('owner_org_id', '=', ownerOrgId)
      .where('external_ref', '=', externalRef)
      .where('status', '=', 'active')
      .executeTakeFirst();
  },

  async list(
    db: Executor,
    actor: Actor,
    filter: {
      cohort?: string | undefined;
      track?: string | undefined;
      isco08?: string | undefined;
      externalRef?: string | undefined;
    },
    page: { limit: number; cursor?: string | undefined },
  ) {
    let q = db.selectFrom('trainees').selectAll().where('status', '=', 'active').where(traineeVisibleTo(actor));
    if (filter.cohort) q = q.where('cohort', '=', filter.cohort);
    if (filter.track) q = q.where('track', '=', filter.track);
    if (filter.isco08) q = q.where('isco08', '=', filter.isco08);
    if (filter.externalRef) q = q.where('external_ref', '=', filter.externalRef);
    return pageById(page, (after, limit) =>
      (after ? q.where('id', '>', after) : q).orderBy('id').limit(limit).execute(),
    );
  },

  /** Writes a full replacement of the trainee's data (the caller merged and validated the patch). */
  update(db: Executor, id: string, w: TraineeWrite, expectedVersion: number) {
    const { id: _id, ...values } = w;
    return db
      .updateTable('trainees')
      .set({ ...values, version: sql`version + 1`, updated_at: new Date() })
      .where('id', '=', id)
      .where('version', '=', expectedVersion)
      .where('status', '=', 'active')
      .returningAll()
      .executeTakeFirst();
  },

  /**
   * Erasure (GDPR Art. 17): personal identifiers and the free-form profile go; what anonymous outcome statistics
   * need stays (nationality, occupation, programme, cohort, track). The row keeps its id so placements and
   * outcome counts still add up, but nothing in it points to a person any more.
   */
  erase(db: Executor, id: string) {
    return db
      .updateTable('trainees')
      .set({
        status: 'erased',
        external_ref: null,
        given_name: null,
        family_name: null,
        email: null,
        date_of_birth: null,
        residence: null,
        preferred_destinations: [],
        language_levels: [],
        earliest_start: null,
        consent_share_profile: false,
        consent_contact_email: false,
        profile: '{}',
        content_hash: 'erased',
        erased_at: new Date(),
        updated_at: new Date(),
      })
      .where('id', '=', id)
      .returning(['id', 'owner_org_id'])
      .executeTakeFirst();
  },

  count(db: Executor, ownerOrgId?: string) {
    let q = db.selectFrom('trainees').select((eb) => eb.fn.countAll<string>().as('n'));
    if (ownerOrgId) q = q.where('owner_org_id', '=', ownerOrgId);
    return q.executeTakeFirstOrThrow().then((r) => Number(r.n));
  },
};
