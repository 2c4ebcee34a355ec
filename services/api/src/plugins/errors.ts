import { randomUUID } from 'node:crypto';
import { ConcurrentWriteError, InvalidCursorError } from '@corridor/db';
import { BulkFileError } from '@corridor/ingest';
import type { FastifyError, FastifyInstance } from 'fastify';
import fp from 'fastify-plugin';
import { hasZodFastifySchemaValidationErrors } from 'fastify-type-provider-zod';
import { type FieldProblem, ProblemError, validationFailed } from '../problems.ts';

const LOCATION: Record<string, string> = { body: '', querystring: 'query.', params: 'path.', headers: 'header.' };

/** Maps every error to RFC 9457 problem+json. Unknown errors become a bare 500 with an id to quote; details stay in the log. */
function toProblem(err: FastifyError): ProblemError | undefined {
  if (err instanceof ProblemError) return err;
  if (hasZodFastifySchemaValidationErrors(err)) {
    const prefix = LOCATION[err.validationContext ?? 'body'] ?? '';
    const errors: FieldProblem[] = err.validation.map((v) => {
      const path = v.instancePath.split('/').filter(Boolean).join('.');
      return { path: `${prefix}${path}` || prefix.replace(/\.$/, '') || 'body', message: v.message ?? 'invalid' };
    });
    return validationFailed(errors);
  }
  if (err instanceof BulkFileError) {
    return new ProblemError(
      err.status,
      err.status === 413 ? 'payload-too-large' : 'invalid-bulk-file',
      'The file was refused',
      `${err.message}; nothing was written`,
      [{ path: err.field, message: err.message }],
    );
  }
  if (err instanceof InvalidCursorError) return validationFailed([{ path: 'query.cursor', message: err.message }]);
  if (err instanceof ConcurrentWriteError) return new ProblemError(409, 'conflict', 'Conflict', err.message);
  switch (err.code) {
    case 'FST_ERR_CTP_BODY_TOO_LARGE':
      return new ProblemError(413, 'payload-too-large', 'Payload too large', err.message, [
        { path: 'body', message: err.message },
      ]);
    case 'FST_ERR_CTP_INVALID_MEDIA_TYPE':
      return new ProblemError(415, 'unsupported-media-type', 'Unsupported media type', err.message);
    case 'FST_ERR_CTP_EMPTY_JSON_BODY':
      return validationFailed([{ path: 'body', message: 'the body is empty; send a JSON object' }]);
    case 'FST_ERR_CTP_INVALID_JSON_BODY':
      return validationFailed([{ path: 'body', message: `the body is not valid JSON: ${err.message}` }]);
  }
  if (err instanceof SyntaxError && err.statusCode === 400) {
    return validationFailed([{ path: 'body', message: `the body is not valid JSON: ${err.message}` }]);
  }
  if (err.statusCode === 401) return new ProblemError(401, 'unauthorized', 'Unauthorized', err.message);
  if (err.statusCode === 429) {
    return new ProblemError(
      429,
      'too-many-requests',
      'Too many requests',
      `${err.message}; see the retry-after header`,
    );
  }
  if (err.statusCode && err.statusCode >= 400 && err.statusCode < 500) {
    return new ProblemError(err.statusCode, 'bad-request', 'Bad request', err.message);
  }
  return undefined;
}

export default fp(
  async (app: FastifyInstance) => {
    app.setErrorHandler((err: FastifyError, req, reply) => {
      const problem = toProblem(err);
      if (problem) {
        req.log.info({ status: problem.status, problem: problem.slug }, 'request refused');
        return reply
          .code(problem.status)
          .type('application/problem+json')
          .send(problem.body(req.url.split('?')[0]));
      }
      const errorId = randomUUID();
      // The error is logged without the request body (which may hold personal data); the client gets only an id.
      req.log.error({ err, errorId }, 'unhandled error');
      return reply
        .code(500)
        .type('application/problem+json')
        .send({
          type: 'https://corridor.dev/problems/internal',
          title: 'Internal error',
          status: 500,
          detail: `something went wrong on our side; quote error id ${errorId}`,
        });
    });

    app.setNotFoundHandler((req, reply) => {
      reply
        .code(404)
        .type('application/problem+json')
        .send(
          new ProblemError(404, 'not-found', 'Not found', `no route ${req.method} ${req.url.split('?')[0]}`).body(),
        );
    });
  },
  { name: 'corridor-errors' },
);
