import { createHash, timingSafeEqual } from 'node:crypto';
import { createBullBoard } from '@bull-board/api';
import { BullMQAdapter } from '@bull-board/api/bullMQAdapter';
import { FastifyAdapter } from '@bull-board/fastify';
import basicAuth from '@fastify/basic-auth';
import type { FastifyInstance } from 'fastify';
import fp from 'fastify-plugin';

type BoardQueue = ConstructorParameters<typeof BullMQAdapter>[0];

const sha256 = (s: string) => createHash('sha256').update(s).digest();

/**
 * The BullMQ dashboard (bull-board) at /admin/queues, for platform admins: failed jobs can be inspected and
 * retried there. It is a browser app, which cannot send a bearer header, so it asks for HTTP Basic auth with the
 * platform admin key as the password (any user name). Mounted only when jobs run on BullMQ.
 */
export default fp(
  async (app: FastifyInstance, opts: { queues: readonly unknown[]; adminKey: string }) => {
    const serverAdapter = new FastifyAdapter();
    serverAdapter.setBasePath('/admin/queues');
    createBullBoard({ queues: opts.queues.map((q) => new BullMQAdapter(q as BoardQueue)), serverAdapter });
    await app.register(async (scope) => {
      await scope.register(basicAuth, {
        authenticate: { realm: 'Corridor platform admin' },
        validate: async (_user: string, password: string) => {
          if (!timingSafeEqual(sha256(password), sha256(opts.adminKey))) throw new Error('wrong admin key');
        },
      });
      scope.addHook('onRequest', scope.basicAuth);
      await scope.register(serverAdapter.registerPlugin(), { prefix: '/admin/queues' });
    });
  },
  { name: 'corridor-queue-dashboard' },
);
