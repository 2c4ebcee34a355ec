import type { BulkFormat } from '@corridor/ingest';
import type { FastifyInstance, FastifyRequest } from 'fastify';
import { z } from 'zod';
import { payloadTooLarge, unsupportedMediaType } from '../problems.ts';

declare module 'fastify' {
  interface FastifyInstance {
    bulkMaxBytes: number;
  }
}

/** Documented in OpenAPI as a file; the handler reads the raw request stream. */
export const bulkBody = z.unknown().meta({ description: 'JSON Lines or CSV file', format: 'binary' });

/**
 * Bulk bodies are not buffered: the parser hands the stream on untouched, and ingest reads it row by row.
 * A declared Content-Length above the limit is refused before a byte is read.
 */
export function registerBulkParsers(app: FastifyInstance, maxBytes: number) {
  app.decorate('bulkMaxBytes', maxBytes);
  for (const type of ['application/x-ndjson', 'application/jsonl', 'text/csv']) {
    app.addContentTypeParser(type, (req, _payload, done) => {
      const declared = Number(req.headers['content-length'] ?? 0);
      if (declared > maxBytes) {
        done(payloadTooLarge(`the file is ${declared} bytes; the limit is ${maxBytes}`), undefined);
        return;
      }
      done(null, undefined);
    });
  }
}

export function bulkFormatOf(req: FastifyRequest): BulkFormat {
  const type = (req.headers['content-type'] ?? '').split(';')[0]!.trim().toLowerCase();
  if (type === 'application/x-ndjson' || type === 'application/jsonl') return 'jsonl';
  if (type === 'text/csv') return 'csv';
  throw unsupportedMediaType('send JSON Lines as application/x-ndjson or CSV as text/csv');
}
