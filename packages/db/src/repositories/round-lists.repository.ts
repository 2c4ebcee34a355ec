import { sql } from 'kysely';
import { cursorPages, type Executor } from './executor.ts';
import { type CohortTrainee, roundFlags, TRAINEE_FIELDS } from './matching.repository.ts';

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
   * A cohort's active trainees in pages of `pageSize`, in id order, through a cursor on the caller's transaction:
   * each with their version, whether they hold a place anywhere, their stated order and their stored list, but no
   * profile (a round whose lists all hold reads no profile at all). Run it to the end, or the cursor stays open until
   * the transaction ends.
   */
  async *cohortPages(
    trx: Executor,
    partnershipId: string,
    cohort: string,
    pageSize: number,
  ): AsyncGenerator<CohortListRow[]> {
    const pages = cursorPages<{
      id: string;
      version: number;
      placed: boolean;
      stated: string[] | null;
      basis_id: string | null;
      trainee_version: number | null;
      stated_hash: string | null;
      entries: Buffer | null;
      complete: boolean | null;
    }>(
      trx,
      'cohort_lists',
      sql`
        SELECT t.id, t.version, ${roundFlags()}, l.basis_id, l.trainee_version, l.stated_hash, l.entries, l.complete
        FROM trainees t LEFT JOIN round_lists l ON l.trainee_id = t.id
        WHERE t.partnership_id = ${partnershipId}::uuid AND t.cohort = ${cohort} AND t.status = 'active'
        ORDER BY t.id`,
      pageSize,
    );
    for await (const rows of pages)
      yield rows.map((r) => ({
        id: r.id,
        version: r.version,
        placed: r.placed,
        stated: r.stated,
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
   * Cohort trainees by id, in id order, as `matchingRepository.cohortTraineePages` gives them, with their version: for
   * lists built again (a list records the version it was built from).
   */
  async cohortTrainees(trx: Executor, ids: readonly string[]): Promise<(CohortTrainee & { version: number })[]> {
    if (ids.length === 0) return [];
    const result = await sql<CohortTrainee & { version: number }>`
      SELECT ${TRAINEE_FIELDS}, t.version, ${roundFlags()}
      FROM trainees t WHERE t.id = ANY(${sql.val([...ids])}::uuid[]) ORDER BY t.id`.execute(trx);
    return result.rows;
  },
};
