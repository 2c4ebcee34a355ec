import type { Database } from '@corridor/db';
import { databaseRuleBookSource, type RuleBookSource } from '@corridor/evaluation';
import { STRICT_POLICY, type WebhookTargetPolicy } from '@corridor/notify';
import rateLimit from '@fastify/rate-limit';
import swagger from '@fastify/swagger';
import apiReference from '@scalar/fastify-api-reference';
import Fastify, { type FastifyBaseLogger, type FastifyInstance } from 'fastify';
import { jsonSchemaTransform, serializerCompiler, validatorCompiler } from 'fastify-type-provider-zod';
import auth from './plugins/auth.ts';
import errors from './plugins/errors.ts';
import idempotency from './plugins/idempotency.ts';
import queueDashboard from './plugins/queue-dashboard.ts';
import { registerBulkParsers } from './routes/bulk.ts';
import eligibilityRoutes from './routes/eligibility.ts';
import healthRoutes, { type ReadinessCheck } from './routes/health.ts';
import matchRoundRoutes from './routes/match-rounds.ts';
import matchRoutes from './routes/matches.ts';
import notificationRoutes from './routes/notifications.ts';
import organizationRoutes from './routes/organizations.ts';
import partnershipRoutes from './routes/partnerships.ts';
import pathwayRoutes from './routes/pathways.ts';
import placementRoutes from './routes/placements.ts';
import preferencePages from './routes/preferences-pages.ts';
import roundRankingRoutes from './routes/round-rankings.ts';
import traineeRoutes from './routes/trainees.ts';
import vacancyRoutes from './routes/vacancies.ts';

export interface AppDependencies {
  database: Database;
  adminKey: string | undefined;
  bulkMaxBytes?: number;
  readinessChecks?: ReadinessCheck[];
  /** BullMQ queues to show on the platform admin's dashboard at /admin/queues (absent: no dashboard). */
  dashboardQueues?: readonly unknown[];
  /** A pino logger (server.ts builds it with PII redaction); none in tests. */
  logger?: FastifyBaseLogger;
  /** The rule book for eligibility and pathways. Default: the shipped packs plus versions published in the database. */
  ruleBook?: RuleBookSource;
  /** Which webhook targets may be registered (the SSRF allow-list). Default: public addresses only. */
  webhookPolicy?: WebhookTargetPolicy;
}

/** Builds the HTTP app without listening: server.ts boots it, tests inject into it. */
export async function buildApp(deps: AppDependencies): Promise<FastifyInstance> {
  const app = Fastify({
    ...(deps.logger ? { loggerInstance: deps.logger } : { logger: false }),
    genReqId: () => crypto.randomUUID(),
    requestIdHeader: 'x-request-id',
    bodyLimit: 1024 * 1024, // JSON bodies; bulk files stream past this limit with their own
  });
  app.setValidatorCompiler(validatorCompiler);
  app.setSerializerCompiler(serializerCompiler);
  app.addHook('onSend', async (req, reply) => {
    reply.header('x-request-id', req.id);
  });

  // Third-party plugins.
  await app.register(swagger, {
    openapi: {
      openapi: '3.1.0',
      info: {
        title: 'Corridor API',
        version: '1.0.0',
        description:
          'Matches trainees from skills partnerships with employers abroad. Errors are RFC 9457 problem+json; writes accept Idempotency-Key; lists are cursor-paginated.',
      },
      components: { securitySchemes: { bearer: { type: 'http', scheme: 'bearer' } } },
      security: [{ bearer: [] }],
    },
    transform: jsonSchemaTransform,
  });
  // Off by default; routes that need no key (the public eligibility check) opt in, per client address.
  await app.register(rateLimit, { global: false });
  await app.register(apiReference, { routePrefix: '/docs', configuration: { url: '/openapi.json' } });

  // Our plugins.
  await app.register(errors);
  await app.register(auth, { database: deps.database, adminKey: deps.adminKey });
  await app.register(idempotency, { database: deps.database });
  if (deps.dashboardQueues && deps.dashboardQueues.length > 0 && deps.adminKey) {
    await app.register(queueDashboard, { queues: deps.dashboardQueues, adminKey: deps.adminKey });
  }
  registerBulkParsers(app, deps.bulkMaxBytes ?? 2 * 1024 ** 3);

  // Routes.
  app.get('/openapi.json', { schema: { hide: true } }, async () => app.swagger());
  await app.register(healthRoutes, { database: deps.database, checks: deps.readinessChecks ?? [] });
  await app.register(organizationRoutes, { database: deps.database });
  await app.register(partnershipRoutes, { database: deps.database });
  await app.register(vacancyRoutes, { database: deps.database });
  await app.register(traineeRoutes, { database: deps.database });
  const ruleBooks = deps.ruleBook ?? databaseRuleBookSource(deps.database.db);
  await app.register(eligibilityRoutes, { database: deps.database, ruleBooks });
  await app.register(pathwayRoutes, { database: deps.database, ruleBooks });
  await app.register(matchRoutes, { database: deps.database, ruleBooks });
  await app.register(placementRoutes, { database: deps.database });
  await app.register(matchRoundRoutes, { database: deps.database });
  await app.register(roundRankingRoutes, { database: deps.database });
  await app.register(notificationRoutes, {
    database: deps.database,
    webhookPolicy: deps.webhookPolicy ?? STRICT_POLICY,
  });
  await app.register(preferencePages, { database: deps.database });
  return app;
}
