import { type TraineeWrite, writeTraineeBatch } from '@corridor/db';
import { TraineeProfile } from '@corridor/domain';
import { type FieldError, fieldErrors } from './errors.ts';

/** A batch of validated rows as writeTraineeBatch takes it from a worker (plain data, bytes transferable). */
export type TraineeBatch = Exclude<Parameters<typeof writeTraineeBatch>[2], readonly TraineeWrite[]>;

/** A run of whole JSON Lines (the last one may lack its newline when `final`), to validate and encode. */
export interface ChunkTask {
  bytes: Uint8Array;
  ownerOrgId: string;
  /** Encode the rows for COPY (Postgres) rather than keep them as objects (PGlite). */
  copy: boolean;
  maxLineBytes: number;
  /**
   * Shared memory for the encoded rows, used when large enough. With `bytes` in shared memory too, a chunk
   * crosses between threads without allocating: a fresh buffer per megabyte of file made both threads collect
   * garbage over and over for the external memory alone.
   */
  out?: SharedArrayBuffer;
}

export interface ChunkResult {
  batch: TraineeBatch;
  /** Line numbers count from 1 at the start of the chunk. */
  rejected: { line: number; errors: FieldError[] }[];
  /** Lines in the chunk, blank ones included. */
  lines: number;
  /** Non-blank lines. */
  rows: number;
  /** The chunk's last line is not valid JSON: if it is also the file's last line and has no newline, the file was cut short. */
  lastLineSyntaxError: boolean;
  /** A line is longer than maxLineBytes. */
  tooLong: boolean;
}

const isBlank = (s: string) => s.trim() === '';

/**
 * Validates one chunk of JSON Lines with the TraineeProfile schema and turns the valid rows into a batch to
 * store. Pure and synchronous: it runs in a worker thread for large files and inline otherwise.
 */
export function processTraineeChunk(task: ChunkTask): ChunkResult {
  const { bytes } = task;
  const text = Buffer.from(bytes.buffer, bytes.byteOffset, bytes.byteLength).toString('utf8');
  // Encoded rows run ~1.2 times their JSON; the buffer grows if not.
  const builder = new writeTraineeBatch.Builder(
    task.ownerOrgId,
    task.copy,
    Math.ceil(Math.max(64 * 1024, bytes.byteLength * 1.25)),
  );
  const rejected: ChunkResult['rejected'] = [];
  let lines = 0;
  let rows = 0;
  let lastLineSyntaxError = false;
  let tooLong = false;
  let start = 0;
  const length = text.length;
  while (start < length) {
    let end = text.indexOf('\n', start);
    if (end < 0) end = length;
    const next = end + 1;
    if (end > start && text.charCodeAt(end - 1) === 13) end--; // CRLF
    lines++;
    lastLineSyntaxError = false;
    if (end - start > task.maxLineBytes) {
      tooLong = true;
      break;
    }
    const line = text.slice(start, end);
    start = next;
    const first = line.charCodeAt(0);
    // JSON text starts with '{' in practice; anything else gets the full blank-line test.
    if (first !== 123 && (line.length === 0 || isBlank(line))) continue;
    rows++;
    let value: unknown;
    try {
      value = JSON.parse(line);
    } catch (err) {
      rejected.push({ line: lines, errors: [{ path: '(row)', message: `not valid JSON: ${(err as Error).message}` }] });
      lastLineSyntaxError = true;
      continue;
    }
    const parsed = TraineeProfile.safeParse(value);
    if (!parsed.success) {
      rejected.push({ line: lines, errors: fieldErrors(parsed.error) });
      continue;
    }
    builder.addProfile(parsed.data);
  }
  return { batch: builder.finish(task.out), rejected, lines, rows, lastLineSyntaxError, tooLong };
}

/** What a worker hands back without copying: the encoded rows. */
export const transferablesOf = (result: ChunkResult): ArrayBuffer[] => {
  const buffer = result.batch.copy?.buffer;
  return buffer instanceof ArrayBuffer ? [buffer] : []; // shared memory is shared, not transferred
};
