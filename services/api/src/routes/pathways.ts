import { type Database, newId, rulePacksRepository } from '@corridor/db';
import { IsoDate } from '@corridor/domain';
import type { RuleBookSource } from '@corridor/evaluation';
import { type PackSummary, type RulePack, validatePack } from '@corridor/rules';
import type { FastifyInstance } from 'fastify';
import type { ZodTypeProvider } from 'fastify-type-provider-zod';
import { z } from 'zod';
import { Problem, writeErrors } from '../modules/views.ts';
import { requireAdmin } from '../plugins/auth.ts';
import { conflict, notFound, validationFailed } from '../problems.ts';
import { todayUtc } from './eligibility.ts';

const PathwaySummary = z.object({
  id: z.string(),
  destination: z.string(),
  name: z.string(),
  version: z.string(),
  effectiveFrom: IsoDate,
  effectiveTo: IsoDate.nullable(),
  /** Source URLs. */
  sources: z.array(z.string()),
});

const JsonObject = z.record(z.string(), z.unknown());

const PathwayDetail = PathwaySummary.extend({
  kind: z.string(),
  verification: z.string(),
  verificationNote: z.string().optional(),
  legalRefs: z.array(z.string()),
  /** The sources with titles, kinds and legal references (criteria cite them by id). */
  sourceDetails: z.array(JsonObject),
  /** Certification codes this pack's criteria accept (profile `certifications[].code`). */
  certificationCodes: z.array(z.string()),
  criteria: z.array(JsonObject),
  points: JsonObject.optional(),
  /** Application steps a profile cannot show; listed, never evaluated. */
  procedural: z.array(z.string()),
  notes: z.array(z.string()),
  /** Every version of this pathway, oldest first (after published versions superseded shipped ones). */
  versions: z.array(PathwaySummary),
});

const PublishedVersion = z.object({
  id: z.string(),
  pathwayId: z.string(),
  version: z.string(),
  effectiveFrom: IsoDate,
  effectiveTo: IsoDate.nullable(),
  publishedBy: z.string(),
  publishedAt: z.string(),
  versions: z.array(PathwaySummary),
});

const AsOfQuery = z.object({ asOf: IsoDate.optional() });
const PathwayParams = z.object({ id: z.string().max(64) });

const detailOf = (pack: RulePack, versions: PackSummary[]): z.infer<typeof PathwayDetail> => ({
  id: pack.id,
  destination: pack.destination,
  name: pack.name,
  version: pack.version,
  effectiveFrom: pack.effectiveFrom,
  effectiveTo: pack.effectiveTo,
  sources: pack.sources.map((s) => s.url),
  kind: pack.kind,
  verification: pack.verification,
  ...(pack.verificationNote ? { verificationNote: pack.verificationNote } : {}),
  legalRefs: pack.legalRefs,
  sourceDetails: pack.sources,
  certificationCodes: pack.certificationCodes,
  criteria: pack.criteria as unknown as Record<string, unknown>[],
  ...(pack.points ? { points: pack.points as unknown as Record<string, unknown> } : {}),
  procedural: pack.procedural,
  notes: pack.notes,
  versions,
});

export default async function pathwayRoutes(
  app: FastifyInstance,
  opts: { database: Database; ruleBooks: RuleBookSource },
) {
  const { database, ruleBooks } = opts;
  const r = app.withTypeProvider<ZodTypeProvider>();

  r.get(
    '/v1/pathways',
    {
      schema: {
        tags: ['pathways'],
        summary: 'The rule packs in force on asOf (default today), one version per pathway',
        security: [],
        querystring: AsOfQuery,
        response: { 200: z.object({ items: z.array(PathwaySummary), nextCursor: z.null() }), 400: Problem },
      },
    },
    async (req) => {
      const book = await ruleBooks.current();
      // Two dozen packs: one page, so nextCursor is always null.
      return { items: book.list(req.query.asOf ?? todayUtc()), nextCursor: null };
    },
  );

  r.get(
    '/v1/pathways/:id',
    {
      schema: {
        tags: ['pathways'],
        summary: 'One pathway: the version in force on asOf (default today), with its criteria',
        security: [],
        params: PathwayParams,
        querystring: AsOfQuery,
        response: { 200: PathwayDetail, 400: Problem, 404: Problem },
      },
    },
    async (req) => {
      const { id } = req.params;
      const asOf = req.query.asOf ?? todayUtc();
      const book = await ruleBooks.current();
      const pack = book.get(id, asOf);
      if (!pack) {
        if (book.versions(id).length === 0) throw notFound(`pathway ${id}`);
        throw notFound(`a version of pathway ${id} in force on ${asOf}`);
      }
      return detailOf(pack, book.versions(id));
    },
  );

  const publishSchema = {
    tags: ['pathways'],
    summary: 'Publish a new version of a rule pack (platform admin)',
    description:
      'The body is a rule pack (see packages/rules/README.md). It is validated like `pnpm corridor rules validate`, stored with who published it and when, and supersedes the versions in force for its pathway from its effectiveFrom. A pathway.published event triggers re-evaluation of stored results.',
    params: PathwayParams,
    body: JsonObject,
    response: { 201: PublishedVersion, ...writeErrors },
  };
  const handler = async (req: { params: { id: string }; body: Record<string, unknown>; id: string }) => {
    const { id } = req.params;
    const checked = validatePack(req.body);
    if (!checked.ok) throw validationFailed(checked.errors, 'the rule pack is invalid');
    const pack = checked.pack;
    if (pack.id !== id)
      throw validationFailed([{ path: 'id', message: `the pack is for ${pack.id}, not ${id} as in the URL` }]);
    const book = await ruleBooks.current();
    if (book.versions(id).some((v) => v.version === pack.version))
      throw conflict(`pathway ${id} already has version ${pack.version}; publish a correction as a new version`);
    const publishedBy = `platform_admin (request ${req.id})`;
    const stored = await database.db.transaction().execute((trx) =>
      rulePacksRepository.publish(trx, {
        id: newId(),
        pathwayId: id,
        version: pack.version,
        effectiveFrom: pack.effectiveFrom,
        effectiveTo: pack.effectiveTo,
        pack: pack as unknown as Record<string, unknown>,
        publishedBy,
      }),
    );
    if (!stored) throw conflict(`pathway ${id} already has version ${pack.version}`);
    ruleBooks.invalidate();
    const after = await ruleBooks.current();
    return {
      id: stored.id,
      pathwayId: id,
      version: pack.version,
      effectiveFrom: pack.effectiveFrom,
      effectiveTo: pack.effectiveTo,
      publishedBy,
      publishedAt: stored.published_at.toISOString(),
      versions: after.versions(id),
    };
  };

  r.put('/v1/pathways/:id', { schema: publishSchema }, async (req, reply) => {
    requireAdmin(req, 'publish rule packs');
    return reply.code(201).send(await handler(req));
  });
  r.post(
    '/v1/pathways/:id/versions',
    { schema: { ...publishSchema, summary: 'Publish a new version of a rule pack (platform admin; same as PUT)' } },
    async (req, reply) => {
      requireAdmin(req, 'publish rule packs');
      return reply.code(201).send(await handler(req));
    },
  );
}
