import { type Database, eligibilityRepository, traineesRepository } from '@corridor/db';
import {
  EligibilityCheckRequest,
  EligibilityCheckResponse,
  EligibilityResult,
  IsoDate,
  READ_ROLES,
} from '@corridor/domain';
import { explainStoredResults, type RuleBookSource } from '@corridor/evaluation';
import { evaluateSafeguards } from '@corridor/rules';
import type { FastifyInstance } from 'fastify';
import type { ZodTypeProvider } from 'fastify-type-provider-zod';
import { z } from 'zod';
import { IdParams, isUuid, Problem, writeErrors } from '../modules/views.ts';
import { requireRole } from '../plugins/auth.ts';
import { notFound, validationFailed } from '../problems.ts';

/** Today's date in UTC: the only clock read on the eligibility path (the packages below take `asOf`). */
export const todayUtc = (): string => new Date().toISOString().slice(0, 10);

export const StoredEligibilityResult = EligibilityResult.extend({
  /** When this outcome was computed (an unchanged re-evaluation does not rewrite it). */
  evaluatedAt: z.string(),
  /** The legally relevant date it was computed for. */
  asOf: IsoDate,
  /** Ids of the criteria that were unmet (kept with every stored decision, EU AI Act logging). */
  failedCriteria: z.array(z.string()),
  /** Ids of the criteria that were unknown (missing data) when evaluated. */
  unknownCriteria: z.array(z.string()),
  /**
   * The record (status, pathwayVersion, asOf, failed and unknown criteria) is stored; the explanation is recomputed
   * from the profile with that pack version as of that date. `reproduced`: it is the explanation of the decision
   * as made; `recomputed`: the profile has changed since (re-evaluation pending), so criteria and gaps describe the
   * current profile while the status stays the record's; `record_only`: the pack version is no longer available.
   */
  explanation: z.enum(['reproduced', 'recomputed', 'record_only']),
});

export default async function eligibilityRoutes(
  app: FastifyInstance,
  opts: { database: Database; ruleBooks: RuleBookSource },
) {
  const { database, ruleBooks } = opts;
  const r = app.withTypeProvider<ZodTypeProvider>();

  r.post(
    '/v1/eligibility/check',
    {
      // Stores nothing, so there is nothing to replay. Anyone may call it without a key, so each address
      // gets a fair share rather than the whole service.
      config: { idempotency: false, rateLimit: { max: 300, timeWindow: '1 minute' } },
      schema: {
        tags: ['eligibility'],
        summary: 'Check a profile against the destination pathways (no key needed; nothing is stored)',
        security: [],
        body: EligibilityCheckRequest,
        response: { 200: EligibilityCheckResponse, 400: Problem, 401: Problem },
      },
    },
    async (req) => {
      const { profile, pathways, destinations, offer } = req.body;
      const asOf = req.body.asOf ?? todayUtc();
      const book = await ruleBooks.current();
      const unknown = (pathways ?? []).flatMap((id, i) =>
        book.versions(id).length === 0 ? [{ path: `pathways.${i}`, message: `unknown pathway id ${id}` }] : [],
      );
      if (unknown.length > 0) throw validationFailed(unknown, 'unknown pathway ids');
      const results = book.evaluate(profile, { asOf, pathways, destinations, offer });
      return { results, safeguards: evaluateSafeguards(profile, { asOf }) };
    },
  );

  r.get(
    '/v1/trainees/:id/eligibility',
    {
      schema: {
        tags: ['trainees', 'eligibility'],
        summary: "A trainee's stored eligibility results, as last evaluated",
        params: IdParams,
        response: { 200: z.object({ results: z.array(StoredEligibilityResult) }), ...writeErrors },
      },
    },
    async (req) => {
      // The same roles and tenancy as GET /v1/trainees/{id}: another tenant's trainee is simply not found.
      const actor = requireRole(req, [...READ_ROLES.trainees, 'trainee'], 'read trainees');
      const { id } = req.params;
      const trainee = isUuid(id) ? await traineesRepository.findVisible(database.db, actor, id) : undefined;
      if (!trainee) throw notFound('trainee');
      const rows = await eligibilityRepository.listForTrainee(database.db, trainee.id);
      return { results: explainStoredResults(await ruleBooks.current(), trainee, rows) };
    },
  );
}
