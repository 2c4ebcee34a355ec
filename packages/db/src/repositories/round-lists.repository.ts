import { sql } from 'kysely';
import { cursorPages, type Executor } from './executor.ts';
import { TRAINEE_FIELDS, type TraineeForMatching } from './matching.repository.ts';
import { FILLED_STATUSES } from './placements.repository.ts';

/** What a set of stored round lists was built over (see migration 0012). */
export interface RoundListBasis {
  id: number;
  rulesKey: string;
  /** The partnership's open vacancies, in id order: a list names each by its position here. */
  vacancyIds: string[];
  vacancyVersions: number[];
}

/** A trainee's stored list, as written and read back. */
export interface StoredRoundList {
  basisId: number;
  traineeVersion: number;
  statedHash: string | null;
  /** Per entry, the vacancy's position in the basis (uint32 LE) and the score (float64 LE): 12 bytes each. */
  entries: Buffer;
  complete: boolean;
}

/**
 * A cohort's trainee as a round first reads them: no profile, only what tells whether their stored list holds. One
 * object is reused for every trainee of a page (`CohortListPage.next`): a million are read per round.
 */
export interface CohortListRow {
  id: string;
  version: number;
  /** The list's basis; 0 when no list is stored. */
  basisId: number;
  traineeVersion: number;
  statedHash: string | null;
  complete: boolean;
  /** The list's entries are `buffer[entriesStart, entriesEnd)`: 12 bytes each (see `StoredRoundList.entries`). */
  buffer: Buffer;
  entriesStart: number;
  entriesEnd: number;
}

/**
 * A stored list as one `record`, what a round reads of it: its length after this field (int4), basis id (int4),
 * the trainee version it was built from (int4), flags (1 byte: 1 complete, 2 stated hash), the stated hash (16 bytes,
 * when flagged), then the entries; big-endian but for the entries (see `StoredRoundList.entries`).
 */
function encodeRecord(list: StoredRoundList): Buffer {
  const hash = list.statedHash === null ? null : Buffer.from(list.statedHash, 'hex');
  if (hash !== null && hash.length !== 16) throw new RangeError('a stated hash is 16 bytes, in hex');
  const head = 9 + (hash?.length ?? 0);
  const record = Buffer.allocUnsafe(4 + head + list.entries.length);
  record.writeUInt32BE(head + list.entries.length, 0);
  record.writeUInt32BE(list.basisId, 4);
  record.writeInt32BE(list.traineeVersion, 8);
  record[12] = (list.complete ? 1 : 0) | (hash ? 2 : 0);
  hash?.copy(record, 13);
  list.entries.copy(record, 4 + head);
  return record;
}

/** One page of a cohort's rows, read in id order into one reused `CohortListRow`. */
export class CohortListPage {
  private readonly row: CohortListRow;
  private i = 0;
  private at = 0;
  constructor(
    /** The page's ids, 36 characters each, in id order. */
    private readonly ids: string,
    /** Per trainee: their version (int4, big-endian), then their list's record (`encodeRecord`; length 0: none). */
    private readonly packed: Buffer,
  ) {
    this.row = {
      id: '',
      version: 0,
      basisId: 0,
      traineeVersion: 0,
      statedHash: null,
      complete: false,
      buffer: packed,
      entriesStart: 0,
      entriesEnd: 0,
    };
  }

  /** The next trainee of the page, in the reused row; undefined at the end. */
  next(): CohortListRow | undefined {
    const { row, packed } = this;
    const at = this.at;
    if (at >= packed.length) return undefined;
    row.id = this.ids.slice(this.i * 36, ++this.i * 36);
    row.version = packed.readInt32BE(at);
    const length = packed.readUInt32BE(at + 4);
    this.at = at + 8 + length;
    if (length === 0) {
      row.basisId = 0;
      row.entriesStart = row.entriesEnd = this.at;
      return row;
    }
    row.basisId = packed.readUInt32BE(at + 8);
    row.traineeVersion = packed.readInt32BE(at + 12);
    const flags = packed[at + 16]!;
    row.complete = (flags & 1) !== 0;
    row.statedHash = flags & 2 ? packed.toString('hex', at + 17, at + 33) : null;
    row.entriesStart = at + (flags & 2 ? 33 : 17);
    row.entriesEnd = this.at;
    return row;
  }
}

/** A cohort as a round reads it: who holds a place, who stated an order, and the rows, a page at a time. */
export interface CohortLists {
  /** Trainees who hold a place anywhere already: left out of rounds. */
  placed: ReadonlySet<string>;
  /** The orders trainees stated, by trainee. */
  stated: ReadonlyMap<string, string[]>;
  pages: AsyncGenerator<CohortListPage>;
}

/** Trainees per page: Postgres packs each page into one row, so the driver parses a hundred rows, not a million. */
const LIST_PAGE = 10_000;

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
      id: Number(r.id),
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
  ): Promise<number> {
    const result = await sql<{ id: string }>`
      INSERT INTO round_list_bases (partnership_id, rules_key, vacancy_ids, vacancy_versions)
      VALUES (${basis.partnershipId}::uuid, ${basis.rulesKey}, ${sql.val([...basis.vacancyIds])}::uuid[],
        ${sql.val([...basis.vacancyVersions])}::int4[])
      RETURNING id`.execute(trx);
    return Number(result.rows[0]!.id);
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
        INSERT INTO round_lists (trainee_id, basis_id, record)
        SELECT * FROM unnest(${sql.val(batch.map((l) => l.traineeId))}::uuid[],
          ${sql.val(batch.map((l) => l.basisId))}::int8[], ${sql.val(batch.map(encodeRecord))}::bytea[])
        ON CONFLICT (trainee_id) DO UPDATE SET basis_id = EXCLUDED.basis_id, record = EXCLUDED.record`.execute(trx);
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
   * A cohort's active trainees in id order, through a cursor on the caller's transaction: each with their version
   * and their stored list, but no profile (a round whose lists all hold reads no profile at all). The cursor reads
   * ids and versions from trainees_round_cohort_idx and the lists beside them, and Postgres packs each page of
   * 10,000 into one row (a million rows read through the driver took 5.5 s, of which most was parsing rows and
   * collecting them). Who holds a place and who stated an order are read first, once for the cohort (a subquery per
   * trainee cost five times the rest). Run the pages to the end, or the cursor stays open until the transaction
   * ends.
   */
  async cohortLists(
    trx: Executor,
    partnershipId: string,
    cohort: string,
    /** A raw query on `trx`'s connection with binary results (`BulkSession.binaryQuery`): no hex to decode. */
    binaryQuery?: (text: string) => Promise<{ rows: { ids: string; packed: Buffer }[] }>,
  ): Promise<CohortLists> {
    const inCohort = sql`t.partnership_id = ${partnershipId}::uuid AND t.cohort = ${cohort} AND t.status = 'active'`;
    const placed = await sql<{ trainee_id: string }>`
      SELECT DISTINCT p.trainee_id FROM placements p JOIN trainees t ON t.id = p.trainee_id
      WHERE ${inCohort} AND p.status = ANY(${sql.val([...FILLED_STATUSES])}::text[])`.execute(trx);
    const stated = await sql<{ trainee_id: string; vacancy_ids: string[] }>`
      SELECT r.trainee_id, r.vacancy_ids FROM trainee_round_preferences r JOIN trainees t ON t.id = r.trainee_id
      WHERE ${inCohort}`.execute(trx);
    const rows = cursorPages<{ ids: string; packed: Buffer }>(
      trx,
      'cohort_lists',
      sql`
        SELECT string_agg(s.id::text, '' ORDER BY s.id) AS ids,
          string_agg(int4send(s.version) || coalesce(s.record, '\\x00000000'::bytea), ''::bytea ORDER BY s.id) AS packed
        FROM (
          SELECT t.id, t.version, l.record, (row_number() OVER (ORDER BY t.id) - 1) / ${sql.lit(LIST_PAGE)} AS page
          FROM trainees t LEFT JOIN round_lists l ON l.trainee_id = t.id
          WHERE ${inCohort}
        ) s
        GROUP BY s.page ORDER BY s.page`,
      1,
      binaryQuery,
    );
    return {
      placed: new Set(placed.rows.map((r) => r.trainee_id)),
      stated: new Map(stated.rows.map((r) => [r.trainee_id, r.vacancy_ids])),
      pages: (async function* () {
        for await (const [page] of rows) yield new CohortListPage(page!.ids, page!.packed);
      })(),
    };
  },

  /**
   * A cohort's active trainees with their profiles and versions, in id order through a cursor, in pages of
   * `pageSize`: for a round that builds most of its lists (streamed in order, not looked up by id).
   */
  cohortProfiles(
    trx: Executor,
    partnershipId: string,
    cohort: string,
    pageSize: number,
  ): AsyncGenerator<(TraineeForMatching & { version: number })[]> {
    return cursorPages<TraineeForMatching & { version: number }>(
      trx,
      'cohort_profiles',
      sql`
        SELECT ${TRAINEE_FIELDS}, t.version FROM trainees t
        WHERE t.partnership_id = ${partnershipId}::uuid AND t.cohort = ${cohort} AND t.status = 'active'
        ORDER BY t.id`,
      pageSize,
    );
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
