import { randomBytes } from 'node:crypto';
import { type Database, migrateToLatest, openDatabase } from '@corridor/db';
import { sql } from 'kysely';

/** The real Postgres the suite runs against (CI starts it; see .ci/run). */
export const TEST_DATABASE_URL = process.env.TEST_DATABASE_URL ?? 'postgres://postgres@127.0.0.1:5432/test';

/**
 * A fresh schema in the real test database, migrated, for one test file: files run in parallel without
 * seeing each other's rows. `drop()` removes it.
 */
export async function isolatedDatabase(label = 't'): Promise<Database & { schema: string; drop(): Promise<void> }> {
  const schema = `${label.replace(/\W/g, '_')}_${randomBytes(5).toString('hex')}`;
  const database = await openDatabase({ url: TEST_DATABASE_URL, schema, poolMax: 5 });
  await migrateToLatest(database.db, schema);
  return {
    ...database,
    schema,
    async drop() {
      await sql`DROP SCHEMA IF EXISTS ${sql.id(schema)} CASCADE`.execute(database.db);
      await database.close();
    },
  };
}

/**
 * Drops a test database once every connection to it has gone. Without FORCE: terminating a connection that a
 * closing pool is still ending would surface as an unhandled error in the test process.
 */
export async function dropDatabase(admin: { query(sql: string): Promise<unknown> }, name: string): Promise<void> {
  for (let attempt = 0; ; attempt++) {
    try {
      await admin.query(`DROP DATABASE IF EXISTS ${name}`);
      return;
    } catch (err) {
      if ((err as { code?: string }).code !== '55006' || attempt > 100) throw err; // 55006: still in use
      await new Promise((r) => setTimeout(r, 100));
    }
  }
}

/**
 * A database of its own (not a schema), for tests whose worker processes connect by URL: created and migrated.
 * `admin` is the connection that created it, for `dropDatabase(admin, dbName)` at the end.
 */
export async function createOwnDatabase(dbName: string, databaseUrl: string) {
  const pg = (await import('pg')).default;
  const admin = new pg.Client({ connectionString: TEST_DATABASE_URL });
  await admin.connect();
  await admin.query(`CREATE DATABASE ${dbName}`);
  const database = await openDatabase({ url: databaseUrl });
  await migrateToLatest(database.db);
  return { admin, database };
}
