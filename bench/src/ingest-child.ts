import { createReadStream } from 'node:fs';
import { loadavg } from 'node:os';
import { migrateToLatest, openDatabase, organizationsRepository } from '@corridor/db';
import { importTrainees } from '@corridor/ingest';
import { sql } from 'kysely';

// One bulk import in its own process, so that its peak RSS is the import's alone. Prints one JSON line.
const [file, url, schema] = process.argv.slice(2) as [string, string, string];
const database = await openDatabase({ url, schema, poolMax: 2 });
await migrateToLatest(database.db, schema);
const org = await organizationsRepository.create(database.db, {
  name: 'Bench provider',
  kind: 'training_provider',
  country: 'PH',
});
const cpu = process.cpuUsage();
const started = performance.now();
// The L file (5M profiles, 3.6 GB) is past the API's default 2 GiB limit; the bench's own file is trusted.
const limits = { maxBytes: Number.MAX_SAFE_INTEGER };
const report = await importTrainees(database, org.id, createReadStream(file), { format: 'jsonl', limits });
const seconds = (performance.now() - started) / 1000;
const cpuUsed = process.cpuUsage(cpu);
const load = loadavg()[0]!;
const again = performance.now();
const repost = await importTrainees(database, org.id, createReadStream(file), { format: 'jsonl', limits });
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
    // All of this process's threads, per profile: on a shared machine this moves less than the wall time.
    nodeCpuMicrosPerRow: Math.round(
      (cpuUsed.user + cpuUsed.system) / Math.max(1, report.accepted + report.rejectedCount),
    ),
    load: Math.round(load * 100) / 100,
    peakRssMb: Math.round(process.resourceUsage().maxRSS / 1024),
  })}\n`,
);
