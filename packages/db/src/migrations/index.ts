import type { Migration, MigrationProvider } from 'kysely';
import * as foundation from './20261129_0001_foundation.ts';
import * as eligibility from './20261129_0002_eligibility.ts';

// A static index rather than a folder scan: bundlers and tests see exactly the same list, in this order.
const MIGRATIONS: Record<string, Migration> = {
  '20261129_0001_foundation': foundation,
  '20261129_0002_eligibility': eligibility,
};

export const migrationProvider: MigrationProvider = {
  getMigrations: async () => MIGRATIONS,
};
