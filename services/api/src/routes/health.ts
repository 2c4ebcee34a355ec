import type { Database } from '@corridor/db';
import type { FastifyInstance } from 'fastify';
import type { ZodTypeProvider } from 'fastify-type-provider-zod';
import { sql } from 'kysely';
import { z } from 'zod';

export interface ReadinessCheck {
  name: string;
  check(): Promise<void>;
}

export default async function healthRoutes(
  app: FastifyInstance,
  opts: { database: Database; checks: ReadinessCheck[] },
) {
  const r = app.withTypeProvider<ZodTypeProvider>();
  r.get(
    '/healthz',
    {
      schema: {
        tags: ['health'],
        summary: 'The process is up',
        response: { 200: z.object({ status: z.literal('ok') }) },
      },
    },
    async () => ({
      status: 'ok' as const,
    }),
  );

  const checks: ReadinessCheck[] = [
    { name: 'database', check: async () => void (await sql`SELECT 1`.execute(opts.database.db)) },
    ...opts.checks,
  ];
  const Status = z.object({ status: z.enum(['ready', 'unavailable']), checks: z.record(z.string(), z.string()) });
  r.get(
    '/readyz',
    {
      schema: {
        tags: ['health'],
        summary: 'The database and the queue are reachable',
        response: { 200: Status, 503: Status },
      },
    },
    async (_req, reply) => {
      const results: Record<string, string> = {};
      let ok = true;
      await Promise.all(
        checks.map(async (c) => {
          try {
            await Promise.race([
              c.check(),
              new Promise((_, reject) => setTimeout(() => reject(new Error('timed out')), 2000).unref()),
            ]);
            results[c.name] = 'ok';
          } catch (err) {
            ok = false;
            results[c.name] = (err as Error).message;
          }
        }),
      );
      return reply.code(ok ? 200 : 503).send({ status: ok ? 'ready' : 'unavailable', checks: results });
    },
  );
}
