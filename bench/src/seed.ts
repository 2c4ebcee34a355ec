import { createReadStream } from 'node:fs';
import type { Database } from '@corridor/db';
import { importVacancies } from '@corridor/ingest';

/** Imports a JSON Lines file of vacancies for one employer through the bulk importer, as that employer posts them. */
export function importEmployerVacancies(database: Database, employerId: string, path: string) {
  return importVacancies(
    database,
    {
      type: 'organization',
      organizationId: employerId,
      organizationKind: 'employer',
      role: 'employer',
      keyId: 'bench',
    },
    async () => employerId,
    createReadStream(path),
    { format: 'jsonl' },
  );
}
