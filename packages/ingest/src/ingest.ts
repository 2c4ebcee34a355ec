import type { Readable } from 'node:stream';
import {
  type BulkSession,
  type Database,
  type TraineeWrite,
  traineeWrite,
  type VacancyWrite,
  vacanciesRepository,
  vacancyWrite,
  withBulkSession,
  writeTraineeBatch,
} from '@corridor/db';
import { type Actor, TraineeProfile, VacancyInput } from '@corridor/domain';
import type { z } from 'zod';
import { type BulkFormat, type Limits, readRecords } from './records.ts';

export interface FieldError {
  path: string;
  message: string;
}
export interface RejectedRow {
  line: number;
  errors: FieldError[];
}
export interface IngestReport {
  accepted: number;
  created: number;
  updated: number;
  /** Valid rows identical to what is stored: re-posting a file changes nothing. */
  unchanged: number;
  rejected: RejectedRow[];
  /** All rejected rows; `rejected` lists the first `maxRejectedListed` of them so the report stays bounded. */
  rejectedCount: number;
}

export interface IngestOptions {
  format: BulkFormat;
  limits?: Partial<Limits>;
  /** Rows per INSERT statement. */
  batchSize?: number;
  maxRejectedListed?: number;
  onProgress?: (progress: { bytes: number; rows: number }) => void;
}

const DEFAULT_LIMITS: Limits = { maxBytes: 2 * 1024 ** 3, maxLineBytes: 1024 * 1024 };

export const fieldErrors = (error: z.ZodError): FieldError[] =>
  error.issues.map((i) => ({ path: i.path.join('.') || '(row)', message: i.message }));

/** How one kind of row is validated, turned into a write, keyed for de-duplication and stored. */
interface RowKind<W> {
  schema: z.ZodType;
  prepare(value: unknown): Promise<{ write: W } | { errors: FieldError[] }> | { write: W } | { errors: FieldError[] };
  key(write: W): string | null;
  store(session: BulkSession, writes: W[]): Promise<{ change: 'created' | 'updated' }[]>;
}

/**
 * Streams a bulk file into the database inside one transaction: every row is validated, valid rows are stored
 * in multi-row statements, and each rejected row is reported with its line and field errors. A file-level
 * problem (too large, truncated, unreadable) throws BulkFileError and the transaction rolls back, so nothing
 * is written partially. Parsing the next batch overlaps with the database storing the previous one.
 */
async function ingest<W>(
  database: Database,
  source: Readable,
  kind: RowKind<W>,
  options: IngestOptions,
): Promise<IngestReport> {
  const limits = { ...DEFAULT_LIMITS, ...options.limits };
  const batchSize = options.batchSize ?? 2000;
  const maxListed = options.maxRejectedListed ?? 1000;
  const report: IngestReport = { accepted: 0, created: 0, updated: 0, unchanged: 0, rejected: [], rejectedCount: 0 };
  let bytes = 0;
  let rows = 0;

  const reject = (line: number, errors: FieldError[]) => {
    report.rejectedCount++;
    if (report.rejected.length < maxListed) report.rejected.push({ line, errors });
  };

  await withBulkSession(database, async (session) => {
    let inflight: Promise<void> | undefined;
    // Rows with the same externalRef in one batch would hit the same row twice in one statement; the later wins.
    let batch = new Map<string | symbol, W>();
    const flush = (writes: W[]): Promise<void> =>
      kind.store(session, writes).then((outcomes) => {
        report.accepted += writes.length;
        for (const o of outcomes) report[o.change]++;
        report.unchanged += writes.length - outcomes.length;
        options.onProgress?.({ bytes, rows });
      });
    const send = async () => {
      const writes = [...batch.values()];
      batch = new Map();
      if (inflight) await inflight;
      inflight = flush(writes);
      inflight.catch(() => {}); // awaited below; this only stops an early file error from reporting it as unhandled
    };

    for await (const record of readRecords(source, options.format, kind.schema, limits, (b) => {
      bytes = b;
    })) {
      rows++;
      if ('syntaxError' in record) {
        reject(record.line, [{ path: '(row)', message: record.syntaxError }]);
        continue;
      }
      const prepared = await kind.prepare(record.value);
      if ('errors' in prepared) {
        reject(record.line, prepared.errors);
        continue;
      }
      const key = kind.key(prepared.write);
      if (key !== null && batch.has(key)) {
        // A duplicate within the file: the earlier row is superseded, so it counts once.
        report.accepted++;
        report.unchanged++;
      }
      batch.set(key ?? Symbol(), prepared.write);
      if (batch.size >= batchSize) await send();
    }
    if (batch.size > 0) await send();
    if (inflight) await inflight;
  });
  options.onProgress?.({ bytes, rows });
  return report;
}

export function importTrainees(database: Database, ownerOrgId: string, source: Readable, options: IngestOptions) {
  const kind: RowKind<TraineeWrite> = {
    schema: TraineeProfile,
    prepare(value) {
      const parsed = TraineeProfile.safeParse(value);
      return parsed.success ? { write: traineeWrite(parsed.data) } : { errors: fieldErrors(parsed.error) };
    },
    key: (w) => w.external_ref,
    store: (session, writes) => writeTraineeBatch(session, ownerOrgId, writes),
  };
  return ingest(database, source, kind, options);
}

export type VacancyRowWrite = VacancyWrite & { employer_id: string };

/**
 * Who a vacancy row is for. An employer posts its own; an agency names an employer it holds a mandate for.
 * Returns the employer id, or a field error.
 */
export type EmployerResolver = (employerId: string | undefined) => Promise<string | FieldError>;

export function validateVacancy(value: unknown): { data: VacancyInput } | { errors: FieldError[] } {
  const parsed = VacancyInput.safeParse(value);
  if (!parsed.success) return { errors: fieldErrors(parsed.error) };
  return { data: parsed.data };
}

/** The employer-pays principle: a vacancy that charges the worker recruitment fees is refused. */
export const workerFeesError = (v: VacancyInput): FieldError | undefined =>
  v.costSharing.workerFees > 0
    ? {
        path: 'costSharing.workerFees',
        message:
          'workers may not be charged recruitment fees (employer-pays principle, ILO General Principles and IRIS)',
      }
    : undefined;

export function importVacancies(
  database: Database,
  actor: Actor & { type: 'organization' },
  resolveEmployer: EmployerResolver,
  source: Readable,
  options: IngestOptions,
) {
  const kind: RowKind<VacancyRowWrite> = {
    schema: VacancyInput,
    async prepare(value) {
      const v = validateVacancy(value);
      if ('errors' in v) return v;
      const fees = workerFeesError(v.data);
      if (fees) return { errors: [fees] };
      const employer = await resolveEmployer(v.data.employerId);
      if (typeof employer !== 'string') return { errors: [employer] };
      return { write: { ...vacancyWrite(v.data), employer_id: employer } };
    },
    key: (w) => (w.external_ref === null ? null : `${w.employer_id}\u0000${w.external_ref}`),
    store: (session, writes) => vacanciesRepository.upsertMany(session.db, actor.organizationId, writes, 'bulk'),
  };
  return ingest(database, source, kind, options);
}
