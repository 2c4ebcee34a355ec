import { createHash } from 'node:crypto';
import { type Database, idempotencyRepository } from '@corridor/db';
import type { FastifyInstance, FastifyReply, FastifyRequest } from 'fastify';
import fp from 'fastify-plugin';
import { conflict, ProblemError, validationFailed } from '../problems.ts';

declare module 'fastify' {
  interface FastifyRequest {
    idempotency: { scope: string; key: string } | null;
  }
  interface FastifyContextConfig {
    /** Streaming bodies (bulk) cannot be hashed up front; they are idempotent by externalRef instead. */
    idempotency?: false;
  }
}

const KEY = /^[\w.:-]{1,255}$/;
const IN_PROGRESS = 0;

function scopeOf(req: FastifyRequest): string {
  const a = req.actor;
  if (!a) return 'anonymous';
  return a.type === 'platform_admin' ? 'admin' : a.keyId;
}

/**
 * Idempotency-Key on writes: the same key with the same body within 24 h returns the first answer and writes
 * nothing twice. The key is claimed before the handler runs (an in-progress marker), so two concurrent
 * requests with one key cannot both write; the second gets 409 until the first finishes.
 */
export default fp(
  async (app: FastifyInstance, opts: { database: Database }) => {
    const db = opts.database.db;
    app.decorateRequest('idempotency', null);

    app.addHook('preHandler', async (req: FastifyRequest, reply: FastifyReply) => {
      const key = req.headers['idempotency-key'];
      if (key === undefined || req.method === 'GET' || req.routeOptions.config.idempotency === false) return;
      if (typeof key !== 'string' || !KEY.test(key)) {
        throw validationFailed([{ path: 'header.idempotency-key', message: 'use 1–255 letters, digits or . _ : -' }]);
      }
      const scope = scopeOf(req);
      const requestHash = createHash('sha256')
        .update(`${req.method} ${req.url}\n`)
        .update(JSON.stringify(req.body ?? null))
        .digest('base64url');
      const claimed = await idempotencyRepository.save(db, {
        scope,
        key,
        requestHash,
        statusCode: IN_PROGRESS,
        response: {},
      });
      if (!claimed) {
        const stored = await idempotencyRepository.find(db, scope, key);
        if (!stored) throw conflict('a request with this Idempotency-Key is being processed; retry shortly');
        if (stored.request_hash !== requestHash) {
          throw new ProblemError(
            422,
            'idempotency-key-reused',
            'Idempotency-Key reused',
            'this Idempotency-Key was used with a different request; use a new key',
            [{ path: 'header.idempotency-key', message: 'already used for a different request' }],
          );
        }
        if (stored.status_code === IN_PROGRESS)
          throw conflict('a request with this Idempotency-Key is being processed; retry shortly');
        reply.header('idempotent-replayed', 'true');
        return reply.code(stored.status_code).send(stored.response);
      }
      req.idempotency = { scope, key };
    });

    app.addHook('onSend', async (req, reply, payload) => {
      const claim = req.idempotency;
      if (!claim) return payload;
      req.idempotency = null;
      if (reply.statusCode >= 500) {
        // A failure on our side is not an answer: release the key so the client can retry.
        await idempotencyRepository.release(db, claim.scope, claim.key);
        return payload;
      }
      const body = typeof payload === 'string' && payload.length > 0 ? JSON.parse(payload) : {};
      const traineeId = typeof body?.id === 'string' && req.url.startsWith('/v1/trainees') ? body.id : undefined;
      await idempotencyRepository.complete(db, {
        scope: claim.scope,
        key: claim.key,
        statusCode: reply.statusCode,
        response: body,
        traineeId,
      });
      return payload;
    });
  },
  { name: 'corridor-idempotency' },
);
