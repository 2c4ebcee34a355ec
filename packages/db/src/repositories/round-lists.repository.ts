import { sql } from 'kysely';
import { cursorPages, type Executor } from './executor.ts';
import { TRAINEE_FIELDS, type TraineeForMatching } from './matching.repository.ts';
import { FILLED_STATUSES } from './placements.repository.ts';

/** What a set of stored round lists was built over (see migration 0012). */
export interface RoundListBasis {
  id: string;
  rulesKey: string;
  /** The partnership's open vacancies, in id order: a list names each by its position here. */
  vacancyIds: string[];
  vacancyVersions: number[];
}

/** A trainee's stored list, as written and read back. */
export interface StoredRoundList {
  basisId: string;
  traineeVersion: number;
  statedHash: string | null;
  /** Per entry, the vacancy's position in the basis (uint32 LE) and the score (float64 LE): 12 bytes each. */
  entries: Buffer;
  complete: boolean;
}

/** A cohort's trainee as a round first reads them: no profile, only what tells whether their stored list holds. */
export interface CohortListRow {
  id: string;
  version: number;
  /** Holds a place anywhere already: left out of rounds. */
  placed: boolean;
  stated: string[] | null;
  list: StoredRoundList | null;
}

/** Rows written per statement. */
const STORE_BATCH = 5_000;

/** Stored round lists and their bases (see packages/jobs/src/stored-lists.ts for when one holds). */
export const roundListsRepository = {
  /** Every basis of the partnership's stored lists (old ones are pruned as lists move to newer ones). */
  async bases(trx: Executor, partnershipId: string): Promise<RoundListBasis[]> {
    const rows = await trx
      .selectFrom('round_list_bases')
      .select(['id', 'rules_key', 'vacancy_ids', 'vacancy_versions'])
      .where('partnership_id', '=', partnershipId)
      .orderBy('id')
      .execute();
    return rows.map((r) => ({
      id: String(r.id),
      rulesKey: r.rules_key,
      vacancyIds: r.vacancy_ids,
      vacancyVersions: r.vacancy_versions,
    }));
  },

  async createBasis(
    trx: Executor,
    basis: {
      partnershipId: string;
      rulesKey: string;
      vacancyIds: readonly string[];
      vacancyVersions: readonly number[];
    },
  ): Promise<string> {
    const result = await sql<{ id: string }>`
      INSERT INTO round_list_bases (partnership_id, rules_key, vacancy_ids, vacancy_versions)
      VALUES (${basis.partnershipId}::uuid, ${basis.rulesKey}, ${sql.val([...basis.vacancyIds])}::uuid[],
        ${sql.val([...basis.vacancyVersions])}::int4[])
      RETURNING id`.execute(trx);
    return String(result.rows[0]!.id);
  },

  /**
   * Writes lists (replacing each trainee's previous one), in trainee id order so that two writers never wait on each
   * other's rows in opposite orders.
   */
  async store(trx: Executor, lists: readonly ({ traineeId: string } & StoredRoundList)[]): Promise<void> {
    const sorted = [...lists].sort((a, b) => (a.traineeId < b.traineeId ? -1 : a.traineeId > b.traineeId ? 1 : 0));
    for (let i = 0; i < sorted.length; i += STORE_BATCH) {
      const batch = sorted.slice(i, i + STORE_BATCH);
      await sql`
        INSERT INTO round_lists (trainee_id, basis_id, trainee_version, stated_hash, entries, complete)
        SELECT * FROM unnest(${sql.val(batch.map((l) => l.traineeId))}::uuid[],
          ${sql.val(batch.map((l) => l.basisId))}::int8[], ${sql.val(batch.map((l) => l.traineeVersion))}::int4[],
          ${sql.val(batch.map((l) => l.statedHash))}::text[], ${sql.val(batch.map((l) => l.entries))}::bytea[],
          ${sql.val(batch.map((l) => l.complete))}::bool[])
        ON CONFLICT (trainee_id) DO UPDATE SET basis_id = EXCLUDED.basis_id,
          trainee_version = EXCLUDED.trainee_version, stated_hash = EXCLUDED.stated_hash,
          entries = EXCLUDED.entries, complete = EXCLUDED.complete`.execute(trx);
    }
  },

  /** Bases no list refers to any more. */
  async pruneBases(trx: Executor, partnershipId: string): Promise<void> {
    await sql`
      DELETE FROM round_list_bases b WHERE b.partnership_id = ${partnershipId}::uuid
        AND NOT EXISTS (SELECT 1 FROM round_lists l WHERE l.basis_id = b.id)`.execute(trx);
  },

  /** Erasure: which vacancies a person may take is theirs. */
  async deleteForTrainee(trx: Executor, traineeId: string): Promise<void> {
    await trx.deleteFrom('round_lists').where('trainee_id', '=', traineeId).execute();
  },

  /**
   * Turns off JIT compilation for the rest of the transaction. A round's queries read many rows through plans whose
   * costs the planner overestimates (one subquery per trainee), so Postgres compiled them: 0.3 s of a 45,000-trainee
   * round went to compiling one cursor's query.
   */
  async withoutJit(trx: Executor): Promise<void> {
    await sql`SET LOCAL jit = off`.execute(trx);
  },

  /**
   * A cohort's active trainees in pages of `pageSize`, in id order, through a cursor on the caller's transaction:
   * each with their version, whether they hold a place anywhere, their stated order and their stored list, but no
   * profile (a round whose lists all hold reads no profile at all). The cursor reads ids and versions from
   * trainees_round_cohort_idx and the lists beside them; who holds a place and who stated an order are read first,
   * once for the cohort (a subquery per trainee cost five times the rest). Run it to the end, or the cursor stays
   * open until the transaction ends.
   */
  async *cohortPages(
    trx: Executor,
    partnershipId: string,
    cohort: string,
    pageSize: number,
  ): AsyncGenerator<CohortListRow[]> {
    const inCohort = sql`t.partnership_id = ${partnershipId}::uuid AND t.cohort = ${cohort} AND t.status = 'active'`;
    const placed = await sql<{ trainee_id: string }>`
      SELECT DISTINCT p.trainee_id FROM placements p JOIN trainees t ON t.id = p.trainee_id
      WHERE ${inCohort} AND p.status = ANY(${sql.val([...FILLED_STATUSES])}::text[])`.execute(trx);
    const placedIds = new Set(placed.rows.map((r) => r.trainee_id));
    const stated = await sql<{ trainee_id: string; vacancy_ids: string[] }>`
      SELECT r.trainee_id, r.vacancy_ids FROM trainee_round_preferences r JOIN trainees t ON t.id = r.trainee_id
      WHERE ${inCohort}`.execute(trx);
    const statedBy = new Map(stated.rows.map((r) => [r.trainee_id, r.vacancy_ids]));
    const pages = cursorPages<{
      id: string;
      version: number;
      basis_id: string | null;
      trainee_version: number | null;
      stated_hash: string | null;
      entries: Buffer | null;
      complete: boolean | null;
    }>(
      trx,
      'cohort_lists',
      sql`
        SELECT t.id, t.version, l.basis_id, l.trainee_version, l.stated_hash, l.entries, l.complete
        FROM trainees t LEFT JOIN round_lists l ON l.trainee_id = t.id
        WHERE ${inCohort}
        ORDER BY t.id`,
      pageSize,
    );
    for await (const rows of pages)
      yield rows.map((r) => ({
        id: r.id,
        version: r.version,
        placed: placedIds.has(r.id),
        stated: statedBy.get(r.id) ?? null,
        list:
          r.basis_id === null
            ? null
            : {
                basisId: String(r.basis_id),
                traineeVersion: r.trainee_version!,
                statedHash: r.stated_hash,
                entries: r.entries!,
                complete: r.complete!,
              },
      }));
  },

  /**
   * Trainees by id, in id order, with their version: for lists built again (a list records the version it was built
   * from). Whether they hold a place and what they stated come from `cohortPages`.
   */
  async traineesWithVersions(
    trx: Executor,
    ids: readonly string[],
  ): Promise<(TraineeForMatching & { version: number })[]> {
    if (ids.length === 0) return [];
    const result = await sql<TraineeForMatching & { version: number }>`
      SELECT ${TRAINEE_FIELDS}, t.version
      FROM trainees t WHERE t.id = ANY(${sql.val([...ids])}::uuid[]) ORDER BY t.id`.execute(trx);
    return result.rows;
  },
};
