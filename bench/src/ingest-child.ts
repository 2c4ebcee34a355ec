import { createReadStream } from 'node:fs';
import { migrateToLatest, openDatabase, organizationsRepository } from '@corridor/db';
import { importTrainees } from '@corridor/ingest';
import { sql } from 'kysely';

// One bulk import in its own process, so that its peak RSS is the import's alone. Prints one JSON line.
const [file, url, schema] = process.argv.slice(2) as [string, string, string];
const database = await openDatabase({ url, schema, poolMax: 2 });
await migrateToLatest(database.db, schema);
const org = await organizationsRepository.create(database.db, { name: 'Bench provider', kind: 'training_provider', country: 'PH' });
const started = performance.now();
const report = await importTrainees(database, org.id, createReadStream(file), { format: 'jsonl' });
const seconds = (performance.now() - started) / 1000;
const again = performance.now();
const repost = await importTrainees(database, org.id, createReadStream(file), { format: 'jsonl' });
const repostSeconds = (performance.now() - again) / 1000;
const stored = await sql<{ n: string }>`SELECT count(*) AS n FROM trainees`.execute(database.db);
await sql`DROP SCHEMA ${sql.id(schema)} CASCADE`.execute(database.db);
await database.close();
process.stdout.write(
  `${JSON.stringify({
    rows: report.accepted + report.rejectedCount,
    accepted: report.accepted,
    stored: Number(stored.rows[0]!.n),
    seconds,
    rowsPerSecond: Math.round((report.accepted + report.rejectedCount) / seconds),
    repostSeconds,
    repostUnchanged: repost.unchanged,
    peakRssMb: Math.round(process.resourceUsage().maxRSS / 1024),
  })}\n`,
);
