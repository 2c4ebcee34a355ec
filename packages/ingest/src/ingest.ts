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
import { type FieldError, fieldErrors } from './errors.ts';
import { BulkFileError, type BulkFormat, type Limits, readRecords, toFileError } from './records.ts';
import type { ChunkResult } from './trainee-chunks.ts';
import { type ChunkRunner, inlineRunner, startWorkers, workerCount } from './trainee-pool.ts';

export { type FieldError, fieldErrors };
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
  /** Trainee JSON Lines only: worker threads for validation (default: CORRIDOR_INGEST_WORKERS, else cores - 1). */
  workers?: number;
  /** Trainee JSON Lines only: files past this many bytes use the workers (default 16 MiB). */
  workerThresholdBytes?: number;
  /** Trainee JSON Lines only: bytes of whole lines per chunk, which is also one batch to store (default 2 MiB). */
  chunkBytes?: number;
}

const DEFAULT_LIMITS: Limits = { maxBytes: 2 * 1024 ** 3, maxLineBytes: 1024 * 1024 };

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
  if (options.format === 'jsonl') return importTraineeLines(database, ownerOrgId, source, options);
  const kind: RowKind<TraineeWrite> = {
    schema: TraineeProfile,
    prepare(value) {
      const parsed = TraineeProfile.safeParse(value);
      return parsed.success ? { write: traineeWrite(parsed.data) } : { errors: fieldErrors(parsed.error) };
    },
    key: (w) => w.external_ref,
    store: async (session, writes) => {
      const o = await writeTraineeBatch(session, ownerOrgId, writes);
      const outcomes: { change: 'created' | 'updated' }[] = [];
      for (let i = 0; i < o.created; i++) outcomes.push({ change: 'created' });
      for (let i = 0; i < o.updated; i++) outcomes.push({ change: 'updated' });
      return outcomes;
    },
  };
  return ingest(database, source, kind, options);
}

/**
 * Bytes of JSON Lines per chunk: one chunk is one batch (one COPY, one outbox event) of roughly 2,900 profiles.
 * 2 MiB measured 0.5 s faster than 1 MiB over a million profiles (fewer per-batch costs on the main thread and
 * in Postgres) at the same peak RSS; 4 MiB was no faster and took ~50 MB more.
 */
const CHUNK_BYTES = 2 * 1024 * 1024;

/**
 * Shared buffers reused chunk after chunk, for a chunk's lines and for its encoded rows: both cross between
 * the main thread and a worker without being copied or allocated again.
 */
class SlabPool {
  private readonly free: SharedArrayBuffer[] = [];
  constructor(private readonly minBytes: number) {}

  take(bytes: number): SharedArrayBuffer {
    const at = this.free.findIndex((b) => b.byteLength >= bytes);
    if (at >= 0) return this.free.splice(at, 1)[0]!;
    return new SharedArrayBuffer(Math.max(bytes, this.minBytes));
  }

  give(slab: SharedArrayBuffer | undefined): void {
    if (slab && this.free.length < 8) this.free.push(slab);
  }
}
/** Files larger than this validate on worker threads; smaller ones are not worth starting them. */
const WORKER_THRESHOLD_BYTES = 16 * 1024 * 1024;

/**
 * The JSON Lines path for trainees, built for large files: the main thread only cuts the byte stream into
 * chunks of whole lines and does the database I/O; parsing, validation and encoding of each chunk happen on
 * worker threads (inline for small files and on PGlite), and the chunks are stored in file order while
 * later ones are still being validated. Same contract as `ingest`.
 */
async function importTraineeLines(
  database: Database,
  ownerOrgId: string,
  source: Readable,
  options: IngestOptions,
): Promise<IngestReport> {
  const limits = { ...DEFAULT_LIMITS, ...options.limits };
  const maxListed = options.maxRejectedListed ?? 1000;
  const chunkBytes = Math.max(1024, options.chunkBytes ?? (options.batchSize ? options.batchSize * 800 : CHUNK_BYTES));
  const threshold = options.workerThresholdBytes ?? WORKER_THRESHOLD_BYTES;
  const report: IngestReport = { accepted: 0, created: 0, updated: 0, unchanged: 0, rejected: [], rejectedCount: 0 };
  let bytes = 0;
  let rows = 0;

  await withBulkSession(database, async (session) => {
    const copy = session.copy !== undefined;
    let runner: ChunkRunner = inlineRunner;
    let starting: Promise<unknown> | undefined;
    const inflight: { result: Promise<ChunkResult>; lines: SharedArrayBuffer; out?: SharedArrayBuffer }[] = [];
    let maxInflight = 2;
    let storing: Promise<void> = Promise.resolve();
    let lineBase = 0;
    const lineSlabs = new SlabPool(2 * chunkBytes);
    // Encoded rows run ~1.2 times their JSON; a chunk whose rows do not fit gets a buffer of its own.
    const rowSlabs = new SlabPool(Math.ceil(2.5 * chunkBytes));

    /** Submits the first `length` bytes of `lines` (whole lines), a slab taken from lineSlabs. */
    const submit = (lines: SharedArrayBuffer, length: number) => {
      if (!starting && copy && bytes > threshold) {
        const count = options.workers ?? workerCount();
        // Until the workers are up (or if they cannot start), chunks are validated inline.
        starting =
          count > 0
            ? startWorkers(count).then(
                (r) => {
                  runner = r;
                  maxInflight = 2 * count + 1;
                },
                () => {},
              )
            : Promise.resolve();
      }
      const out = copy ? rowSlabs.take(Math.ceil(length * 1.5)) : undefined;
      const chunk = new Uint8Array(lines, 0, length);
      const result = runner.run({ bytes: chunk, ownerOrgId, copy, maxLineBytes: limits.maxLineBytes, out });
      inflight.push({ result, lines, out });
    };
    const takeOne = async (last: boolean) => {
      const task = inflight.shift()!;
      const result = await task.result;
      lineSlabs.give(task.lines);
      if (result.tooLong) {
        throw new BulkFileError(413, `a line is longer than the limit of ${limits.maxLineBytes} bytes`);
      }
      if (last && result.lastLineSyntaxError) {
        throw new BulkFileError(
          400,
          `the file ends in the middle of line ${lineBase + result.lines}: it looks truncated`,
        );
      }
      for (const r of result.rejected) {
        report.rejectedCount++;
        if (report.rejected.length < maxListed) report.rejected.push({ line: lineBase + r.line, errors: r.errors });
      }
      lineBase += result.lines;
      rows += result.rows;
      const rowsSoFar = rows;
      const bytesSoFar = bytes;
      await storing;
      storing = writeTraineeBatch(session, ownerOrgId, result.batch).then((o) => {
        rowSlabs.give(task.out); // the COPY has been sent and acknowledged: nothing reads these bytes any more
        report.accepted += o.created + o.updated + o.unchanged;
        report.created += o.created;
        report.updated += o.updated;
        report.unchanged += o.unchanged;
        options.onProgress?.({ bytes: bytesSoFar, rows: rowsSoFar });
      });
      storing.catch(() => {}); // awaited in turn; this only keeps an early file error from reporting it as unhandled
    };

    try {
      let pending: Buffer[] = [];
      let pendingBytes = 0;
      let lastByte = 0x0a;
      // Not destroyed on an early stop: an HTTP request must stay open for the error response to reach the client.
      const pieces = source.iterator({ destroyOnReturn: false }) as AsyncIterable<Buffer | string>;
      for await (const piece of pieces) {
        const buf = typeof piece === 'string' ? Buffer.from(piece) : piece;
        bytes += buf.length;
        if (bytes > limits.maxBytes) {
          throw new BulkFileError(413, `the file is larger than the limit of ${limits.maxBytes} bytes`);
        }
        if (buf.length > 0) lastByte = buf[buf.length - 1]!;
        pending.push(buf);
        pendingBytes += buf.length;
        if (pendingBytes < chunkBytes) continue;
        const slab = lineSlabs.take(pendingBytes);
        const all = gather(slab, pending, pendingBytes);
        const cut = all.lastIndexOf(0x0a);
        const rest = all.length - (cut + 1);
        if (rest > limits.maxLineBytes) {
          throw new BulkFileError(413, `a line is longer than the limit of ${limits.maxLineBytes} bytes`);
        }
        // The unfinished line is copied out before the slab goes to its worker.
        pending = rest > 0 ? [Buffer.from(all.subarray(cut + 1))] : [];
        pendingBytes = rest;
        if (cut >= 0) submit(slab, cut + 1);
        else lineSlabs.give(slab);
        while (inflight.length >= maxInflight) await takeOne(false);
      }
      // A last line without its newline is still a line; if it does not parse, the file was cut short.
      const cutShort = lastByte !== 0x0a;
      if (pendingBytes > 0) {
        const slab = lineSlabs.take(pendingBytes);
        gather(slab, pending, pendingBytes);
        submit(slab, pendingBytes);
      }
      while (inflight.length > 0) await takeOne(inflight.length === 1 && cutShort);
      await storing;
    } catch (err) {
      await Promise.allSettled([storing, ...inflight.map((t) => t.result)]);
      throw toFileError(err, limits);
    } finally {
      await starting;
      await runner.close();
    }
  });
  options.onProgress?.({ bytes, rows });
  return report;
}

/** Copies `pieces` (`bytes` in all) to the start of `slab`; returns a view of them there. */
function gather(slab: SharedArrayBuffer, pieces: readonly Buffer[], bytes: number): Buffer {
  const all = Buffer.from(slab, 0, bytes);
  let at = 0;
  for (const piece of pieces) {
    all.set(piece, at);
    at += piece.length;
  }
  return all;
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
