import { Readable } from 'node:stream';
import { pipeline } from 'node:stream/promises';
import { Kysely, PostgresDialect, type PostgresPool, type PostgresPoolClient } from 'kysely';
import type pg from 'pg';
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
  copy?: (statement: string, chunks: Iterable<string> | AsyncIterable<string>) => Promise<void>;
}

export class ConcurrentWriteError extends Error {
  override name = 'ConcurrentWriteError';
}

export async function withBulkSession<T>(database: Database, work: (session: BulkSession) => Promise<T>): Promise<T> {
  const client = await database.pool.connect();
  // Kysely runs on this one client for the whole session; releasing it is ours to do, at the end.
  const pinned: PostgresPool = {
    connect: async () => ({ query: client.query.bind(client), release: () => {} }) as PostgresPoolClient,
    end: async () => {},
  };
  const db = new Kysely<DB>({ dialect: new PostgresDialect({ pool: pinned }) });
  const session: BulkSession = { db };
  if (database.mode === 'postgres') {
    session.copy = async (statement, chunks) => {
      await pipeline(Readable.from(chunks), (client as pg.PoolClient).query(copyFrom(statement)));
    };
  }
  let broken = false;
  try {
    await client.query('BEGIN');
    // The planner's statistics describe the table as it was before this import; as the import grows it within
    // this transaction, lookups by (owner, externalRef) would turn into sequential scans, quadratic over a large
    // file. Every lookup in a bulk session is by that unique key, so the index is always the right plan.
    await client.query('SET LOCAL enable_seqscan = off');
    const result = await work(session);
    await client.query('COMMIT');
    return result;
  } catch (err) {
    await client.query('ROLLBACK').catch(() => {
      broken = true; // the connection itself failed: drop it rather than return it to the pool
    });
    if ((err as { code?: string }).code === '23505') {
      throw new ConcurrentWriteError(
        'another request wrote the same externalRef at the same time; nothing was written, retry',
      );
    }
    throw err;
  } finally {
    client.release(broken);
  }
}
