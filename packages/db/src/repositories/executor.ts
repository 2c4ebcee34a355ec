import { type Kysely, type RawBuilder, sql, type Transaction } from 'kysely';
import type { DB } from '../schema/index.ts';

/** A database handle or a transaction: repositories take either, so callers decide the transaction boundary. */
export type Executor = Kysely<DB> | Transaction<DB>;

/**
 * A query's rows in pages of `pageSize`, through a cursor named `name` on the caller's transaction (one snapshot for
 * all pages): a million rows never held at once. Run it to the end, or the cursor stays open until the transaction
 * ends.
 */
export async function* cursorPages<R>(
  trx: Executor,
  name: string,
  query: RawBuilder<unknown>,
  pageSize: number,
  /** Fetches through this raw query instead (on the same connection): binary results, say. */
  fetch?: (text: string) => Promise<{ rows: R[] }>,
): AsyncGenerator<R[]> {
  const cursor = sql.id(name);
  await sql`DECLARE ${cursor} NO SCROLL CURSOR FOR ${query}`.execute(trx);
  for (;;) {
    const page = fetch
      ? await fetch(`FETCH FORWARD ${pageSize} FROM "${name}"`)
      : await sql<R>`FETCH FORWARD ${sql.lit(pageSize)} FROM ${cursor}`.execute(trx);
    if (page.rows.length > 0) yield page.rows;
    if (page.rows.length < pageSize) break;
  }
  await sql`CLOSE ${cursor}`.execute(trx);
}
