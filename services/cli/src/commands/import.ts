import { createReadStream, statSync } from 'node:fs';
import { extname } from 'node:path';
import { loadConfig } from '@corridor/config';
import { migrateToLatest, openDatabase, organizationsRepository } from '@corridor/db';
import { type BulkFormat, importTrainees, importVacancies } from '@corridor/ingest';
import { SingleBar } from 'cli-progress';

const mb = (bytes: number) => (bytes / 1024 / 1024).toFixed(1);

export async function importCommand(kind: string, file: string, options: { org: string; format?: string }) {
  if (kind !== 'trainees' && kind !== 'vacancies') fail(`unknown kind "${kind}": use trainees or vacancies`);
  const format = (options.format ?? (extname(file).toLowerCase() === '.csv' ? 'csv' : 'jsonl')) as BulkFormat;
  if (format !== 'csv' && format !== 'jsonl') fail(`unknown format "${format}": use jsonl or csv`);
  let size: number;
  try {
    size = statSync(file).size;
  } catch {
    fail(`cannot read ${file}`);
  }

  const config = loadConfig();
  const database = await openDatabase({ url: config.databaseUrl, dataDir: config.dataDir });
  try {
    await migrateToLatest(database.db);
    const org = await organizationsRepository.findById(database.db, options.org).catch(() => undefined);
    if (!org) fail(`no organization ${options.org}`);

    const bar = new SingleBar({
      format: '{bar} {percentage}% | {valueMB}/{totalMB} MB | {rows} rows | {rate} rows/s | ETA {eta_formatted}',
      hideCursor: true,
      etaBuffer: 50,
    });
    const started = performance.now();
    bar.start(size, 0, { valueMB: '0.0', totalMB: mb(size), rows: 0, rate: 0 });
    const onProgress = ({ bytes, rows }: { bytes: number; rows: number }) => {
      const seconds = (performance.now() - started) / 1000;
      bar.update(bytes, { valueMB: mb(bytes), rows, rate: Math.round(rows / Math.max(seconds, 0.001)) });
    };
    const source = createReadStream(file);
    const report =
      kind === 'trainees'
        ? await importTrainees(database, org.id, source, { format, onProgress })
        : await importVacancies(
            database,
            { type: 'organization', organizationId: org.id, organizationKind: org.kind, role: org.kind, keyId: 'cli' },
            async (employerId) => {
              if (org.kind === 'employer')
                return employerId && employerId !== org.id
                  ? { path: 'employerId', message: 'must be the importing employer' }
                  : org.id;
              if (!employerId) return { path: 'employerId', message: 'name the employer' };
              return (await organizationsRepository.hasMandate(database.db, org.id, employerId))
                ? employerId
                : { path: 'employerId', message: 'no mandate for this employer' };
            },
            source,
            { format, onProgress },
          );
    bar.update(size);
    bar.stop();
    const seconds = (performance.now() - started) / 1000;
    process.stdout.write(
      `${report.accepted} accepted (${report.created} created, ${report.updated} updated, ${report.unchanged} unchanged), ` +
        `${report.rejectedCount} rejected, in ${seconds.toFixed(1)} s (${Math.round((report.accepted + report.rejectedCount) / seconds)} rows/s)\n`,
    );
    for (const r of report.rejected.slice(0, 20)) {
      process.stdout.write(`  line ${r.line}: ${r.errors.map((e) => `${e.path}: ${e.message}`).join('; ')}\n`);
    }
    if (report.rejectedCount > 20) process.stdout.write(`  … and ${report.rejectedCount - 20} more\n`);
    process.exitCode = report.rejectedCount > 0 ? 2 : 0;
  } catch (err) {
    process.stderr.write(`\nimport failed, nothing was written: ${(err as Error).message}\n`);
    process.exitCode = 1;
  } finally {
    await database.close();
  }
}

function fail(message: string): never {
  process.stderr.write(`${message}\n`);
  process.exit(1);
}
