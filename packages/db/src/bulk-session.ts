import { Readable } from 'node:stream';
import { pipeline } from 'node:stream/promises';
import { Kysely, PostgresDialect, type PostgresPool, type PostgresPoolClient } from 'kysely';
import pg from 'pg';

const pgTypes = pg.types;

import { from as copyFrom } from 'pg-copy-streams';
import type { Database } from './connect.ts';
import type { DB } from './schema/index.ts';

/**
 * One connection in one transaction for a bulk import. On real Postgres it can also stream COPY FROM STDIN,
 * which is several times faster than any INSERT; PGlite's wire protocol does not carry COPY, so there
 * `copy` is absent and writers fall back to multi-row INSERTs.
 */
export interface BulkSession {
  db: Kysely<DB>;
  copy?: (
    statement: string,
    chunks: Iterable<string | Uint8Array> | AsyncIterable<string | Uint8Array>,
  ) => Promise<void>;
  /** A raw query on the session's connection, inside its transaction. */
  query<R extends object = Record<string, unknown>>(text: string, values?: unknown[]): Promise<{ rows: R[] }>;
  /**
   * The same, its results in Postgres's binary format, `bytea` as Buffers: a large packed read (a round's stored
   * lists, 80 MB at a million trainees) comes without hex text to decode.
   */
  binaryQuery<R extends object = Record<string, unknown>>(text: string): Promise<{ rows: R[] }>;
  /** Call after writing rows to `table`: keeps the planner's statistics in step with a table the import is growing. */
  wrote(table: 'trainees' | 'vacancies', rows: number): Promise<void>;
}

/**
 * The planner's statistics describe a table as it was before an import. A large import multiplies it
 * within one transaction (or autovacuum has not caught up with the last one), and the per-batch lookups by
 * (owner, externalRef) then pick a plan that reads every row of the owner: quadratic over a big file,
 * measured at 100 ms per 2,000-key lookup at 200k rows instead of 4 ms. ANALYZE inside the transaction
 * sees the rows it inserted, so the session re-analyzes at start when the statistics are stale, and then
 * whenever the rows it wrote double (a handful of times per import, ~0.2 s each at a million rows).
 */
function statisticsKeeper(client: pg.PoolClient) {
  const next = new Map<string, number>();
  return async (table: string, rows: number) => {
    let threshold = next.get(table);
    if (threshold === undefined) {
      const stale = await client.query<{ stale: boolean }>(
        `SELECT coalesce(s.n_live_tup > 2 * greatest(c.reltuples, 0) + 10000, false) AS stale
           FROM pg_class c LEFT JOIN pg_stat_user_tables s ON s.relid = c.oid
          WHERE c.oid = to_regclass($1)`,
        [table],
      );
      if (stale.rows[0]?.stale) await client.query(`ANALYZE ${table}`);
      threshold = 10_000;
    }
    const written = (next.get(`${table}:written`) ?? 0) + rows;
    next.set(`${table}:written`, written);
    if (written >= threshold) {
      await client.query(`ANALYZE ${table}`);
      threshold = written * 2;
    }
    next.set(table, threshold);
  };
}

export class ConcurrentWriteError extends Error {
  override name = 'ConcurrentWriteError';
}

/** Binary results: `bytea` as the Buffer it arrives as (pg's default would make a string of it), else pg's own. */
const BINARY_TYPES = {
  getTypeParser: (oid: number, format?: string) =>
    format === 'binary' && oid === BYTEA_OID ? (value: Buffer) => value : pgTypes.getTypeParser(oid, format as 'text'),
};
const BYTEA_OID = 17;

/**
 * One connection in one transaction: `work` gets Kysely on that connection, its raw queries and (on real Postgres)
 * COPY. Committed when `work` resolves, rolled back when it throws.
 */
export async function withSession<T>(database: Database, work: (session: BulkSession) => Promise<T>): Promise<T> {
  const client = await database.pool.connect();
  // Kysely runs on this one client for the whole session; releasing it is ours to do, at the end.
  const pinned: PostgresPool = {
    connect: async () => ({ query: client.query.bind(client), release: () => {} }) as PostgresPoolClient,
    end: async () => {},
  };
  const db = new Kysely<DB>({ dialect: new PostgresDialect({ pool: pinned }) });
  const session: BulkSession = {
    db,
    wrote: statisticsKeeper(client as pg.PoolClient),
    query: (text, values) => client.query(text, values) as never,
    binaryQuery: (text) =>
      (client as pg.PoolClient).query({ text, binary: true, types: BINARY_TYPES } as never) as never,
  };
  if (database.mode === 'postgres') {
    session.copy = async (statement, chunks) => {
      await pipeline(Readable.from(chunks), (client as pg.PoolClient).query(copyFrom(statement)));
    };
  }
  let broken = false;
  try {
    await client.query('BEGIN');
    const result = await work(session);
    await client.query('COMMIT');
    return result;
  } catch (err) {
    await client.query('ROLLBACK').catch(() => {
      broken = true; // the connection itself failed: drop it rather than return it to the pool
    });
    throw err;
  } finally {
    client.release(broken);
  }
}

/** `withSession` for a bulk import: a unique violation means another request wrote the same externalRef. */
export async function withBulkSession<T>(database: Database, work: (session: BulkSession) => Promise<T>): Promise<T> {
  try {
    return await withSession(database, work);
  } catch (err) {
    if ((err as { code?: string }).code === '23505') {
      throw new ConcurrentWriteError(
        'another request wrote the same externalRef at the same time; nothing was written, retry',
      );
    }
    throw err;
  }
}
