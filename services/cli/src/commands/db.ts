import { loadConfig } from '@corridor/config';
import { migrateToLatest, openDatabase } from '@corridor/db';

export async function migrateCommand() {
  const config = loadConfig();
  const database = await openDatabase({ url: config.databaseUrl, dataDir: config.dataDir });
  try {
    const { applied } = await migrateToLatest(database.db);
    process.stdout.write(
      applied.length === 0
        ? `${database.mode} database is up to date\n`
        : `applied ${applied.length} migration(s) to the ${database.mode} database: ${applied.join(', ')}\n`,
    );
  } finally {
    await database.close();
  }
}
