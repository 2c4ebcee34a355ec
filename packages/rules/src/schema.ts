import { CefrLevel, CountryCode, IsoDate, PathwayId } from '@corridor/domain';
import { z } from 'zod';

/**
 * The rule-pack format. A pack is plain JSON data: one pathway, one version, its sources and its criteria.
 * Every value that came from a non-official or unverified source says so in `verification`, and the
 * evaluator repeats that caveat in the criterion's result detail.
 */

export const VERIFICATION_LEVELS = ['official', 'official-text-mirror', 'secondary', 'derived', 'unverified'] as const;
export const Verification = z.enum(VERIFICATION_LEVELS);
export type Verification = z.infer<typeof Verification>;

/** Dated values: both ends inclusive, `effectiveTo: null` means open-ended. */
const datedFields = {
  effectiveFrom: IsoDate,
  effectiveTo: IsoDate.nullable(),
  verification: Verification.optional(),
  sources: z.array(z.string()).optional(),
  note: z.string().optional(),
};

export const Money = z.object({
  amount: z.number().nonnegative(),
  currency: z.string().regex(/^[A-Z]{3}$/),
  period: z.enum(['hour', 'week', 'month', 'year']),
});
export type Money = z.infer<typeof Money>;

export const DatedMoney = z.object({ ...datedFields, ...Money.shape });
export type DatedMoney = z.infer<typeof DatedMoney>;

export const RECOGNITION = ['none', 'in_progress', 'partial', 'full'] as const;
const Recognition = z.enum(RECOGNITION);

/** ISCO-08 code or prefix (1–4 digits): `22` covers every health professional unit group. */
const IscoPrefix = z.string().regex(/^\d{1,4}$/, 'expected an ISCO-08 code or prefix of 1–4 digits');

export type Condition =
  | { kind: 'always' }
  | { kind: 'any'; of: Condition[] }
  | { kind: 'all'; of: Condition[] }
  | { kind: 'not'; of: Condition }
  | { kind: 'ageAtLeast'; years: number }
  | { kind: 'ageBelow'; years: number }
  | { kind: 'nationalityIn'; countries: string[] }
  | { kind: 'occupationIn'; isco08: string[]; subject?: 'profile' | 'offerOrProfile' | undefined }
  | { kind: 'recognitionIn'; statuses: (typeof RECOGNITION)[number][] }
  | { kind: 'cefrAtLeast'; language: string; level: z.infer<typeof CefrLevel> }
  | { kind: 'qualificationAwardedWithinYears'; years: number; minIsced: number }
  | { kind: 'certification'; codes: string[] }
  | { kind: 'offerSectorIn'; sectors: string[] };

export const Condition: z.ZodType<Condition> = z.lazy(() =>
  z.discriminatedUnion('kind', [
    z.object({ kind: z.literal('always') }),
    z.object({ kind: z.literal('any'), of: z.array(Condition).min(1) }),
    z.object({ kind: z.literal('all'), of: z.array(Condition).min(1) }),
    z.object({ kind: z.literal('not'), of: Condition }),
    z.object({ kind: z.literal('ageAtLeast'), years: z.number().int().min(0) }),
    z.object({ kind: z.literal('ageBelow'), years: z.number().int().min(0) }),
    z.object({ kind: z.literal('nationalityIn'), countries: z.array(CountryCode).min(1) }),
    z.object({
      kind: z.literal('occupationIn'),
      isco08: z.array(IscoPrefix).min(1),
      subject: z.enum(['profile', 'offerOrProfile']).optional(),
    }),
    z.object({ kind: z.literal('recognitionIn'), statuses: z.array(Recognition).min(1) }),
    z.object({ kind: z.literal('cefrAtLeast'), language: z.string().length(2), level: CefrLevel }),
    z.object({
      kind: z.literal('qualificationAwardedWithinYears'),
      years: z.number().int().min(0),
      minIsced: z.number().int().min(0).max(8),
    }),
    z.object({ kind: z.literal('certification'), codes: z.array(z.string().min(1)).min(1) }),
    z.object({ kind: z.literal('offerSectorIn'), sectors: z.array(z.string().length(1)).min(1) }),
  ]),
);

/** A bridging route: when the criterion is unmet but the condition holds, the result is `conditionally_eligible`. */
export const Bridge = z.object({ id: z.string().min(1), route: z.string().min(1), when: Condition });
export type Bridge = z.infer<typeof Bridge>;

const common = {
  id: z.string().regex(/^[a-z][a-zA-Z0-9-]*$/, 'criterion ids are kebab- or camel-case'),
  label: z.string().min(1),
  /** false: the criterion only adds points or information and never blocks on its own. Default true. */
  decisive: z.boolean().optional(),
  /** The criterion is evaluated only where this holds; elsewhere it is met as "not applicable". */
  appliesWhen: Condition.optional(),
  bridges: z.array(Bridge).optional(),
  /** Points added when the criterion is met (UK-style mandatory points). */
  pointsIfMet: z.number().optional(),
  verification: Verification.optional(),
  caveat: z.string().optional(),
  sources: z.array(z.string()).optional(),
  legalRef: z.string().optional(),
};

const PointsBand = z.object({ min: z.number(), maxExclusive: z.number().optional(), points: z.number() });
const SkillMinimums = z.object({
  overall: z.number().optional(),
  each: z.number().optional(),
  listening: z.number().optional(),
  reading: z.number().optional(),
  writing: z.number().optional(),
  speaking: z.number().optional(),
});
export type SkillMinimums = z.infer<typeof SkillMinimums>;

const NationalList = z.object({
  system: z.string().min(1),
  codes: z.array(z.string()).optional(),
  prefixes: z.array(z.string()).optional(),
});
const OccupationSet = z.object({ isco08: z.array(IscoPrefix).optional(), national: z.array(NationalList).optional() });
export type OccupationSet = z.infer<typeof OccupationSet>;

export const AU_ENGLISH_LEVELS = ['none', 'vocational', 'competent', 'proficient', 'superior'] as const;
export type AuEnglishLevel = (typeof AU_ENGLISH_LEVELS)[number];

export const Criterion = z.discriminatedUnion('kind', [
  z.object({
    ...common,
    kind: z.literal('age'),
    min: z.number().int().optional(),
    maxExclusive: z.number().int().optional(),
    pointsBands: z.array(PointsBand).optional(),
  }),
  z.object({
    ...common,
    kind: z.literal('language'),
    /** Met when any option is met (CEFR from a level or a converted test). Empty: points only. */
    anyOf: z.array(z.object({ language: z.string().length(2), minCefr: CefrLevel })),
    /** Test scores accepted as meeting the level (e.g. UK SELT: IELTS for UKVI 5.5 in each component = B2). */
    tests: z.record(z.string(), SkillMinimums).optional(),
    exemptNationalities: z.array(CountryCode).optional(),
    pointsByCefr: z
      .array(z.object({ language: z.string().length(2), minCefr: CefrLevel, points: z.number() }))
      .optional(),
  }),
  z.object({
    ...common,
    kind: z.literal('auEnglish'),
    min: z.enum(AU_ENGLISH_LEVELS),
    pointsByLevel: z.partialRecord(z.enum(AU_ENGLISH_LEVELS), z.number()).optional(),
  }),
  z.object({
    ...common,
    kind: z.literal('clb'),
    minEach: z.number().int().min(0).max(12).optional(),
    /** Per ability: the first row whose clbMin the ability reaches (rows sorted high to low by the compiler). */
    pointsPerAbility: z.array(z.object({ clbMin: z.number().int(), points: z.number() })).optional(),
  }),
  z.object({
    ...common,
    kind: z.literal('testScores'),
    language: z.string().length(2),
    requirements: z
      .array(
        z.object({ ...datedFields, instrument: z.string().optional(), tests: z.record(z.string(), SkillMinimums) }),
      )
      .min(1),
    exemptNationalities: z.array(CountryCode).optional(),
  }),
  z.object({
    ...common,
    kind: z.literal('japanese'),
    minJlpt: z.enum(['N1', 'N2', 'N3', 'N4', 'N5']),
    acceptJftBasic: z.boolean(),
  }),
  z.object({
    ...common,
    kind: z.literal('occupation'),
    subject: z.enum(['profile', 'offerOrProfile']),
    list: z.object({ name: z.string(), asOf: IsoDate.optional(), complete: z.boolean() }),
    /** Known to be on the list. */
    include: OccupationSet,
    /** Known to be off the list (checked first). */
    exclude: OccupationSet.optional(),
  }),
  z.object({
    ...common,
    kind: z.literal('qualification'),
    minIsced: z.number().int().min(0).max(8),
    minDurationYears: z.number().optional(),
    /** Case-insensitive substrings, any of which the field must contain (e.g. "nurs"). */
    fieldIncludes: z.array(z.string().min(2)).optional(),
    /** Recognition in the pack's destination that counts (absent: recognition is not needed). */
    recognition: z.array(Recognition).optional(),
    pointsByIsced: z.array(z.object({ minIsced: z.number().int(), points: z.number() })).optional(),
  }),
  z.object({
    ...common,
    kind: z.literal('experience'),
    minMonths: z.number().min(0).optional(),
    withinYears: z.number().int().min(1).optional(),
    /** "profile": the trainee's own occupation; otherwise ISCO prefixes. */
    occupation: z.union([z.literal('profile'), z.literal('any'), z.array(IscoPrefix).min(1)]),
    countriesIn: z.array(CountryCode).optional(),
    countriesNotIn: z.array(CountryCode).optional(),
    minHoursPerWeek: z.number().optional(),
    pointsBands: z.array(z.object({ minMonths: z.number(), points: z.number() })).optional(),
  }),
  z.object({
    ...common,
    kind: z.literal('jobOffer'),
    requireSponsor: z.boolean().optional(),
    minHoursPerWeek: z.number().optional(),
    contractTypes: z.array(z.enum(['permanent', 'fixed_term', 'seasonal'])).optional(),
    minContractMonths: z.number().int().optional(),
  }),
  z.object({
    ...common,
    kind: z.literal('salary'),
    /** Met when the offer reaches the threshold of any tier that applies. */
    tiers: z
      .array(
        z.object({
          id: z.string().min(1),
          label: z.string().min(1),
          when: Condition.optional(),
          thresholds: z.array(DatedMoney).min(1),
        }),
      )
      .min(1),
    /** What the pack cannot check (e.g. going rates, collective-agreement minimums). */
    alsoRequires: z.string().optional(),
  }),
  z.object({ ...common, kind: z.literal('certification'), anyOf: z.array(z.string().min(1)).min(1) }),
  z.object({
    ...common,
    kind: z.literal('certificationPoints'),
    /** Points for each held code (facts the profile records as codes, e.g. a Professional Year). */
    items: z.array(z.object({ code: z.string().min(1), label: z.string().min(1), points: z.number() })).min(1),
  }),
  z.object({ ...common, kind: z.literal('skillsAssessment'), authorities: z.array(z.string()).optional() }),
  z.object({ ...common, kind: z.literal('nationality'), in: z.array(CountryCode).min(1) }),
  z.object({
    ...common,
    kind: z.literal('auPartner'),
    single: z.number(),
    skilled: z.number(),
    competentEnglish: z.number(),
  }),
  z.object({
    ...common,
    kind: z.literal('education'),
    /** Points by credential class (Canada's CRS and FSW grids). */
    scale: z.record(
      z.enum(['less', 'secondary', 'oneYear', 'twoYear', 'bachelor', 'twoOrMore', 'masters', 'phd']),
      z.number(),
    ),
    minClass: z.enum(['less', 'secondary', 'oneYear', 'twoYear', 'bachelor', 'twoOrMore', 'masters', 'phd']).optional(),
  }),
  z.object({
    ...common,
    kind: z.literal('crsTransferability'),
  }),
  z.object({ ...common, kind: z.literal('fixedPoints'), points: z.number() }),
]);
export type Criterion = z.infer<typeof Criterion>;
export type CriterionKind = Criterion['kind'];

export const Source = z.object({
  id: z.string().min(1),
  title: z.string().min(1),
  url: z.url(),
  kind: z.enum(['official', 'official-text-mirror', 'secondary']),
  legalRef: z.string().optional(),
});
export type Source = z.infer<typeof Source>;

export const RulePack = z
  .object({
    $schema: z.string().optional(),
    id: PathwayId,
    destination: CountryCode,
    name: z.string().min(1),
    version: z.string().min(1),
    kind: z.enum(['visa', 'ranking', 'licensing', 'programme']),
    effectiveFrom: IsoDate,
    effectiveTo: IsoDate.nullable(),
    verification: Verification,
    verificationNote: z.string().optional(),
    legalRefs: z.array(z.string()).default([]),
    sources: z.array(Source).min(1),
    /** Certification codes that this pack's criteria accept (shown by GET /v1/pathways/{id}). */
    certificationCodes: z.array(z.string()).default([]),
    criteria: z.array(Criterion).min(1),
    points: z
      .object({
        /** null: a ranking score without a pass mark (Canada's CRS). */
        passMark: z.number().nullable(),
        caps: z.array(z.object({ criteria: z.array(z.string()).min(2), max: z.number() })).default([]),
        label: z.string().optional(),
        /** Another route needs no points (Opportunity Card: a recognised skilled worker). */
        waivedWhen: Condition.optional(),
        waivedReason: z.string().optional(),
      })
      .optional(),
    /** Application steps the profile cannot show (health, character, invitation): listed, never evaluated. */
    procedural: z.array(z.string()).default([]),
    notes: z.array(z.string()).default([]),
  })
  .superRefine((p, ctx) => {
    if (p.effectiveTo !== null && p.effectiveTo < p.effectiveFrom)
      ctx.addIssue({ code: 'custom', path: ['effectiveTo'], message: 'effectiveTo is before effectiveFrom' });
    const sourceIds = new Set(p.sources.map((s) => s.id));
    const ids = new Set<string>();
    p.criteria.forEach((c, i) => {
      if (ids.has(c.id)) ctx.addIssue({ code: 'custom', path: ['criteria', i, 'id'], message: `duplicate id ${c.id}` });
      ids.add(c.id);
      for (const s of c.sources ?? [])
        if (!sourceIds.has(s))
          ctx.addIssue({ code: 'custom', path: ['criteria', i, 'sources'], message: `unknown source id ${s}` });
      const dated =
        c.kind === 'salary'
          ? c.tiers.flatMap((t) => t.thresholds)
          : c.kind === 'testScores'
            ? c.requirements
            : ([] as { effectiveFrom: string; effectiveTo: string | null; sources?: string[] | undefined }[]);
      for (const d of dated) {
        for (const s of d.sources ?? [])
          if (!sourceIds.has(s))
            ctx.addIssue({ code: 'custom', path: ['criteria', i], message: `unknown source id ${s} in dated value` });
      }
      const sorted = [...dated].sort((a, b) => (a.effectiveFrom < b.effectiveFrom ? -1 : 1));
      if (c.kind === 'testScores') checkNoOverlap(sorted, ctx, ['criteria', i, 'requirements']);
      if (c.kind === 'salary')
        for (const [j, t] of c.tiers.entries()) {
          const sortedTier = [...t.thresholds].sort((a, b) => (a.effectiveFrom < b.effectiveFrom ? -1 : 1));
          checkNoOverlap(sortedTier, ctx, ['criteria', i, 'tiers', j, 'thresholds']);
        }
    });
    for (const [i, cap] of (p.points?.caps ?? []).entries())
      for (const id of cap.criteria)
        if (!ids.has(id))
          ctx.addIssue({ code: 'custom', path: ['points', 'caps', i], message: `cap names unknown criterion ${id}` });
  });
export type RulePack = z.infer<typeof RulePack>;
export type RulePackInput = z.input<typeof RulePack>;

function checkNoOverlap(
  sorted: { effectiveFrom: string; effectiveTo: string | null }[],
  ctx: z.RefinementCtx,
  path: (string | number)[],
): void {
  for (let i = 1; i < sorted.length; i++) {
    const prev = sorted[i - 1]!;
    if (prev.effectiveTo === null || prev.effectiveTo >= sorted[i]!.effectiveFrom)
      ctx.addIssue({ code: 'custom', path, message: `dated values overlap at ${sorted[i]!.effectiveFrom}` });
  }
}
