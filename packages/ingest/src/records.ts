import { type Readable, Transform } from 'node:stream';
import { parse as parseCsv } from 'csv-parse';
import split2 from 'split2';
import type { z } from 'zod';
import { csvColumnsFor, recordFromCells } from './csv-columns.ts';

export type BulkFormat = 'jsonl' | 'csv';

/** A file-level problem: the whole file is refused and nothing is written. */
export class BulkFileError extends Error {
  override name = 'BulkFileError';
  constructor(
    readonly status: 400 | 413,
    message: string,
    readonly field: string = 'body',
  ) {
    super(message);
  }
}

export interface Limits {
  /** The whole file, in bytes. */
  maxBytes: number;
  /** One line or CSV record, in bytes: keeps memory bounded whatever a line holds. */
  maxLineBytes: number;
}

export type RawRecord = { line: number; value: unknown } | { line: number; syntaxError: string };

/** Counts bytes as they pass, enforces the size limit, and remembers whether the input ended with a newline. */
class ByteMeter extends Transform {
  bytes = 0;
  endsWithNewline = true;
  constructor(
    private readonly maxBytes: number,
    private readonly onBytes?: (bytes: number) => void,
  ) {
    super();
  }
  override _transform(chunk: Buffer, _enc: BufferEncoding, done: (err?: Error | null, data?: Buffer) => void) {
    this.bytes += chunk.length;
    if (this.bytes > this.maxBytes) {
      done(new BulkFileError(413, `the file is larger than the limit of ${this.maxBytes} bytes`));
      return;
    }
    if (chunk.length > 0) this.endsWithNewline = chunk[chunk.length - 1] === 0x0a;
    this.onBytes?.(this.bytes);
    done(null, chunk);
  }
}

/**
 * Streams records out of a JSON Lines or CSV body, one at a time, so memory stays bounded whatever the size.
 * Lines are numbered from 1 over the data lines (the CSV header is not counted).
 */
export async function* readRecords(
  source: Readable,
  format: BulkFormat,
  schema: z.ZodType,
  limits: Limits,
  onBytes?: (bytes: number) => void,
): AsyncGenerator<RawRecord> {
  const meter = new ByteMeter(limits.maxBytes, onBytes);
  source.on('error', (err) => meter.destroy(err));
  source.pipe(meter);
  if (format === 'jsonl') yield* jsonLines(meter, limits);
  else yield* csvRecords(meter, schema, limits);
}

async function* jsonLines(meter: ByteMeter, limits: Limits): AsyncGenerator<RawRecord> {
  const lines = meter.pipe(split2({ maxLength: limits.maxLineBytes }));
  meter.on('error', (err) => lines.destroy(err));
  let line = 0;
  let pendingSyntaxError: RawRecord | undefined;
  try {
    for await (const text of lines as AsyncIterable<string>) {
      line++;
      if (pendingSyntaxError) yield pendingSyntaxError;
      pendingSyntaxError = undefined;
      if (text.trim() === '') continue;
      try {
        yield { line, value: JSON.parse(text) };
      } catch (err) {
        // Held back one line: if this is the last line and the file has no final newline, the file was cut short.
        pendingSyntaxError = { line, syntaxError: `not valid JSON: ${(err as Error).message}` };
      }
    }
  } catch (err) {
    throw toFileError(err, limits);
  }
  if (pendingSyntaxError) {
    if (!meter.endsWithNewline) {
      throw new BulkFileError(
        400,
        `the file ends in the middle of line ${pendingSyntaxError.line}: it looks truncated`,
      );
    }
    yield pendingSyntaxError;
  }
}

async function* csvRecords(meter: ByteMeter, schema: z.ZodType, limits: Limits): AsyncGenerator<RawRecord> {
  const parser = meter.pipe(
    parseCsv({ bom: true, relax_column_count: true, skip_empty_lines: true, max_record_size: limits.maxLineBytes }),
  );
  meter.on('error', (err) => parser.destroy(err));
  let header: ReturnType<typeof csvColumnsFor> | undefined;
  let line = 0;
  try {
    for await (const cells of parser as AsyncIterable<string[]>) {
      if (!header) {
        header = csvColumnsFor(schema, cells);
        if (header.unknown.length > 0) {
          throw new BulkFileError(400, `unknown CSV columns: ${header.unknown.join(', ')}`, 'header');
        }
        continue;
      }
      line++;
      yield { line, value: recordFromCells(header.columns, cells) };
    }
  } catch (err) {
    throw toFileError(err, limits);
  }
}

export function toFileError(err: unknown, limits: Limits): unknown {
  if (err instanceof BulkFileError) return err;
  const e = err as { code?: string; message?: string };
  if (e.code === 'CSV_MAX_RECORD_SIZE' || /maxLength|exceeded/i.test(e.message ?? '')) {
    return new BulkFileError(413, `a line is longer than the limit of ${limits.maxLineBytes} bytes`);
  }
  if (typeof e.code === 'string' && e.code.startsWith('CSV_')) {
    return new BulkFileError(400, `the CSV cannot be read: ${e.message}`);
  }
  if (e.code === 'ECONNRESET' || e.code === 'ERR_STREAM_PREMATURE_CLOSE' || /aborted/i.test(e.message ?? '')) {
    return new BulkFileError(400, 'the upload ended before the whole file arrived: it looks truncated');
  }
  return err;
}
