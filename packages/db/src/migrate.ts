import { type Kysely, Migrator, sql } from 'kysely';
import { migrationProvider } from './migrations/index.ts';
import type { DB } from './schema/index.ts';

export interface MigrationOutcome {
  applied: string[];
}

export class MigrationError extends Error {
  override name = 'MigrationError';
}

/** Runs every pending migration forward. Safe to re-run: applied ones are recorded and skipped. */
export async function migrateToLatest(db: Kysely<DB>, schema?: string): Promise<MigrationOutcome> {
  if (schema) await sql`CREATE SCHEMA IF NOT EXISTS ${sql.id(schema)}`.execute(db);
  const migrator = new Migrator({
    db,
    provider: migrationProvider,
    ...(schema ? { migrationTableSchema: schema } : {}),
  });
  const { error, results } = await migrator.migrateToLatest();
  if (error) {
    const failed = results?.find((r) => r.status === 'Error');
    throw new MigrationError(`migration ${failed?.migrationName ?? '?'} failed: ${String(error)}`, { cause: error });
  }
  return { applied: (results ?? []).filter((r) => r.status === 'Success').map((r) => r.migrationName) };
}
