import type {
  CriterionResult,
  EligibilityProfile,
  EligibilityResult,
  EligibilityStatus,
  Gap,
  OfferTermsInput,
} from '@corridor/domain';
import { type CompiledCondition, compileCondition, FALSE, TRUE, UNKNOWN } from './conditions.ts';
import { IntTable } from './criteria/common.ts';
import { type Check, compileKind, copyOut, type KindCompiled, type Out } from './criteria/index.ts';
import { deriveFacts, type Facts } from './facts.ts';
import type { Condition, Criterion, RulePack, Verification } from './schema.ts';

/**
 * One compiled criterion, as data: every criterion has this one shape, so the pack's loop reads it with
 * monomorphic loads and makes one call per criterion (its check), with no per-criterion wrapper closure.
 */
interface Step {
  readonly id: string;
  readonly applies: CompiledCondition | undefined;
  readonly check: Check;
  /** The check as registered across packs: identical checks share one outcome per facts. */
  readonly shared: SharedCheck;
  /** `shared.slot`, on the step itself so that the loop reads one object. */
  readonly slot: number;
  /**
   * Whether other criteria use the same check (its outcome is then kept on the facts): `shared.users > 1`,
   * copied here when the registry has grown since the last evaluation.
   */
  keep: boolean;
  readonly hasPoints: boolean;
  /** Index of the points cap the criterion counts towards; -1 none. */
  readonly capIndex: number;
  readonly pointsIfMet: number;
  readonly decisive: boolean;
  readonly bridges: readonly { route: string; when: CompiledCondition }[];
  readonly notApplicable: string;
  /** The outcome when `appliesWhen` cannot be decided: unknown, with every point possible. */
  readonly cannotTell: Out;
  /**
   * The check reads the job offer and the date only, and nothing can waive or bridge it, so its outcome for an offer
   * is everyone's: `always` (a jobOffer criterion, a salary whose tiers carry no condition on the person), or
   * `withOfferOccupation` (an occupation list checked against the offered job when the offer names one).
   */
  readonly offerOnly: false | 'always' | 'withOfferOccupation';
  /**
   * Decisive, and neither its check, its condition nor its bridges' conditions read the job offer: its outcome for
   * a person on a date is the same whatever the offer. An unknown outcome closes the pathway to them (bridges only
   * ever open an unmet criterion), and so does an unmet one whose every bridge's condition is false for them.
   */
  readonly profileOnly: boolean;
}

export interface CompiledPack {
  readonly pack: RulePack;
  /** Evaluate one profile on `asOf` (YYYY-MM-DD). */
  evaluate(profile: EligibilityProfile, asOf: string, offer?: OfferTermsInput): EligibilityResult;
  /** Evaluate with facts already derived for this profile and date (the rule book shares them across packs). */
  evaluateFacts(facts: Facts): EligibilityResult;
  /**
   * The first decisive criterion the job offer alone fails, whoever the person is (see `Step.offerOnly`); undefined
   * when the offer leaves the pathway open. The facts need an offer; the person's part of them is not read.
   */
  offerBlock(facts: Facts): OfferBlock | undefined;
  /**
   * The first decisive criterion the person fails on the facts' date whatever the offer (see `Step.profileOnly`);
   * undefined when some offer could still make the pathway eligible or conditional. The offer is not read.
   */
  profileBlock(facts: Facts): OfferBlock | undefined;
  /**
   * What of the job offer this pack's evaluation turns on, as of the facts' date, as a string: the version, then
   * each offer-reading criterion's class (`KindCompiled.offerClass`: a job offer's status, each salary tier reached
   * or not), and the offer's sector and occupation when a condition reads them. Two offers with the same class give
   * every person the same result but for the sentences that quote the offer: the same status, points, criterion
   * statuses and gaps (by criterion and bridge). The person's part of the facts is not read.
   */
  offerClass(facts: Facts): string;
}

/**
 * A decisive criterion the job offer decides for every possible applicant: `unmet` (the pathway is not_eligible
 * for everyone) or `unknown` (for everyone it can at best be insufficient_data, never eligible).
 */
export interface OfferBlock {
  criterionId: string;
  outcome: 'unmet' | 'unknown';
  detail: string;
}

// Kinds whose checks read the offer (offer.ts, occupation.ts with the offer's occupation first), and conditions
// that do (conditions.ts): everything else reads the person and the date only.
const readsOffer = (c: Criterion): boolean =>
  c.kind === 'jobOffer' || c.kind === 'salary' || (c.kind === 'occupation' && c.subject === 'offerOrProfile');
const conditionReadsOffer = (c: Condition): boolean =>
  c.kind === 'offerSectorIn' ||
  (c.kind === 'occupationIn' && c.subject === 'offerOrProfile') ||
  ((c.kind === 'any' || c.kind === 'all') && c.of.some(conditionReadsOffer)) ||
  (c.kind === 'not' && conditionReadsOffer(c.of));

// Kinds whose checks read only `f.offer`, `f.asOf` and `f.memo` (offer.ts, occupation.ts); a salary tier's `when`
// reads the person, and an occupation list reads the person's occupation unless it is told to prefer the offer's.
const offerOnlyKind = (c: Criterion): Step['offerOnly'] =>
  c.kind === 'jobOffer' || (c.kind === 'salary' && c.tiers.every((t) => t.when === undefined))
    ? 'always'
    : c.kind === 'occupation' && c.subject === 'offerOrProfile'
      ? 'withOfferOccupation'
      : false;

const MARKS: Record<Verification, string> = {
  official: '',
  'official-text-mirror': ' [statute text read on a non-official mirror]',
  secondary: ' [🟡 secondary source]',
  derived: ' [🧮 derived value]',
  unverified: ' [⚠️ unverified]',
};

function caveatSuffix(verification: Verification, caveat: string | undefined): string {
  const mark = MARKS[verification];
  if (!caveat) return mark;
  return verification === 'official' ? ` [${caveat}]` : `${mark.slice(0, -1)}: ${caveat}]`;
}

interface SharedCheck {
  /** Index into `Facts.outcomes`. */
  readonly slot: number;
  readonly kind: KindCompiled;
  /** Criteria compiled with this check; above one, outcomes are kept on the facts for the others. */
  users: number;
}
/**
 * Checks by what they read: the kind's parameters, the destination and the caveat suffix (never the id, the
 * label, `appliesWhen`, bridges or `pointsIfMet`, which the step handles). Packs repeat criteria (the three
 * Australian points tests share nine), and one profile's outcome for such a check is computed once. A rule
 * book keeps one registry for its packs; a pack compiled alone has its own.
 */
export class CheckRegistry {
  private readonly checks = new Map<string, SharedCheck>();
  /** Criteria registered so far: when this moves, compiled packs refresh their steps' `keep`. */
  registrations = 0;

  /** Checks registered so far (slots are numbered 0 … size − 1). */
  get size(): number {
    return this.checks.size;
  }

  get(c: Criterion, pack: RulePack, suffix: string): SharedCheck {
    const {
      id: _id,
      label,
      appliesWhen: _appliesWhen,
      bridges: _bridges,
      pointsIfMet: _pointsIfMet,
      verification: _verification,
      caveat: _caveat,
      sources: _sources,
      legalRef: _legalRef,
      ...params
    } = c;
    // fixedPoints quotes its label; every other kind reads only its parameters.
    const key = JSON.stringify([params, c.kind === 'fixedPoints' ? label : '', pack.destination, suffix]);
    let shared = this.checks.get(key);
    if (shared === undefined) {
      shared = { slot: this.checks.size, kind: compileKind(c, pack, suffix), users: 0 };
      this.checks.set(key, shared);
    }
    shared.users++;
    this.registrations++;
    return shared;
  }
}

function compileCriterion(c: Criterion, pack: RulePack, capIndex: number, registry: CheckRegistry): Step {
  const suffix = caveatSuffix(c.verification ?? pack.verification, c.caveat);
  const shared = registry.get(c, pack, suffix);
  const k = shared.kind;
  // An offer class that missed what a check reads of the offer would let two offers share a wrong result.
  if (readsOffer(c) && k.offerClass === undefined)
    throw new Error(
      `criterion ${c.id} of ${pack.id} reads the job offer, but its kind (${c.kind}) cannot class offers`,
    );
  const pointsIfMet = c.pointsIfMet ?? 0;
  return {
    id: c.id,
    applies: c.appliesWhen ? compileCondition(c.appliesWhen, pack.destination) : undefined,
    check: k.check,
    shared,
    slot: shared.slot,
    keep: shared.users > 1,
    hasPoints: k.hasPoints || pointsIfMet > 0,
    capIndex,
    pointsIfMet,
    decisive: c.decisive ?? k.threshold,
    bridges: (c.bridges ?? []).map((b) => ({ route: b.route, when: compileCondition(b.when, pack.destination) })),
    notApplicable: `not applicable: ${c.label}`,
    offerOnly:
      c.appliesWhen === undefined && (c.bridges ?? []).length === 0 && (c.decisive ?? k.threshold)
        ? offerOnlyKind(c)
        : false,
    profileOnly:
      (c.decisive ?? k.threshold) &&
      !readsOffer(c) &&
      (c.appliesWhen === undefined || !conditionReadsOffer(c.appliesWhen)) &&
      (c.bridges ?? []).every((b) => !conditionReadsOffer(b.when)),
    cannotTell: {
      status: 'unknown',
      detail: `${c.label}: cannot tell whether this applies (data missing)${suffix}`,
      need: '',
      have: '',
      points: 0,
      upside: k.maxPoints + pointsIfMet,
    },
  };
}

const small = (n: number) => Number.isInteger(n) && n >= 0 && n < 4096;
/** A number for (branch 0–5, total, upside) when both are small whole numbers; -1 otherwise. */
const sentenceKey = (branch: number, total: number, upside: number): number =>
  small(total) && small(upside) ? (branch * 4096 + total) * 4096 + upside : -1;
/** "42 points", shared for small whole numbers. */
const POINTS_TEXT = new Array<string | undefined>(4096).fill(undefined);
const pointsText = (n: number): string => {
  if (!small(n)) return `${n} points`;
  let s = POINTS_TEXT[n];
  if (s === undefined) {
    s = `${n} points`;
    POINTS_TEXT[n] = s;
  }
  return s;
};

/** Status flags a step loop returns. */
const BLOCKED = 1;
const OPEN = 2;
const BRIDGED = 4;
/**
 * The criteria of one pack over one set of facts: fills `criteriaOut[i]` for every step, pushes gaps, leaves
 * the sums in the pack's accumulator and returns the status flags.
 */
type StepLoop = (f: Facts, criteriaOut: CriterionResult[], gaps: Gap[]) => number;
type Unmet = (i: number, f: Facts, r: Out, gaps: Gap[]) => number;

/**
 * The step loop unrolled into straight-line code for one pack: which steps have a condition, keep their
 * outcome, carry points, count towards a cap or are decisive is known now, so each step's code holds only
 * the branches it needs, and each check is called from a call site of its own (monomorphic, so V8 can inline
 * small checks) instead of from one site shared by every criterion of every pack.
 *
 * The source holds no pack text: steps, checks, ids and sentences are read from the step records passed in,
 * and the only values written into it are integers (step index, slot, cap). Where code generation is not
 * allowed (`--disallow-code-generation-from-strings`), this returns undefined and the pack is interpreted.
 */
function generateLoop(steps: readonly Step[], out: Out, unmet: Unmet, acc: Float64Array): StepLoop | undefined {
  const head: string[] = [];
  const body: string[] = ['let flags = 0, total = 0, upside = 0, t = 1, r, status, points, up;'];
  const caps = (acc.length - 2) / 2;
  for (let c = 0; c < caps; c++) body.push(`let capPoints${c} = 0, capUpside${c} = 0;`);
  const reset = "out.points = 0; out.upside = 0; out.need = ''; out.have = '';";
  steps.forEach((s, i) => {
    const slot = s.slot | 0;
    head.push(`const s${i} = steps[${i}], check${i} = s${i}.check, id${i} = s${i}.id;`);
    if (s.applies !== undefined) head.push(`const applies${i} = s${i}.applies;`);
    if (s.pointsIfMet > 0) head.push(`const pointsIfMet${i} = s${i}.pointsIfMet;`);
    const entry = (status: string, points: string, detail: string) =>
      s.hasPoints
        ? `criteriaOut[${i}] = { id: id${i}, status: ${status}, points: ${points}, detail: ${detail} };`
        : `criteriaOut[${i}] = { id: id${i}, status: ${status}, detail: ${detail} };`;
    const lines: string[] = [];
    lines.push(
      s.keep
        ? `r = f.outcomes[${slot}]; if (r === undefined) { ${reset} r = check${i}(f, out) ?? copyOut(out); f.outcomes[${slot}] = r; }`
        : `${reset} r = check${i}(f, out) ?? out;`,
    );
    if (s.applies !== undefined) lines[0] = `if (t === ${UNKNOWN}) r = s${i}.cannotTell; else { ${lines[0]} }`;
    lines.push('status = r.status; points = r.points; up = r.upside;');
    if (s.pointsIfMet > 0)
      lines.push(
        `if (status === 'met') points += pointsIfMet${i}; else if (status === 'unknown') up += pointsIfMet${i};`,
      );
    if (s.hasPoints)
      lines.push(
        s.capIndex >= 0
          ? `capPoints${s.capIndex | 0} += points; capUpside${s.capIndex | 0} += up;`
          : 'total += points; upside += up;',
      );
    if (s.decisive)
      lines.push(
        s.bridges.length === 0
          ? // No bridge to try: the gap is pushed here, without a call.
            `if (status === 'unmet') { gaps.push({ criterionId: id${i}, need: r.need, have: r.have }); flags |= ${BLOCKED}; } else if (status === 'unknown') flags |= ${OPEN};`
          : `if (status === 'unmet') flags |= unmet(${i}, f, r, gaps); else if (status === 'unknown') flags |= ${OPEN};`,
      );
    lines.push(entry('status', 'points', 'r.detail'));
    if (s.applies === undefined) body.push(lines.join('\n'));
    else
      body.push(
        `t = applies${i}(f);\nif (t === ${FALSE}) ${entry("'met'", '0', `s${i}.notApplicable`)}\nelse {\n${lines.join('\n')}\n}`,
      );
  });
  body.push('acc[0] = total; acc[1] = upside;');
  for (let c = 0; c < caps; c++) body.push(`acc[${2 + 2 * c}] = capPoints${c}; acc[${3 + 2 * c}] = capUpside${c};`);
  body.push('return flags;');
  const source = `'use strict';\n${head.join('\n')}\nreturn function stepLoop(f, criteriaOut, gaps) {\n${body.join('\n')}\n};`;
  try {
    return new Function('steps', 'out', 'copyOut', 'unmet', 'acc', source)(steps, out, copyOut, unmet, acc) as StepLoop;
  } catch {
    return undefined;
  }
}

/**
 * Compile a validated pack into a closure. Lookups (Sets, sorted bands, labels) are built here, once;
 * evaluation allocates only the result.
 */
export interface CompileOptions {
  /**
   * Unroll each pack's criteria into generated code (the default). false interprets the step records in a
   * loop, as happens anyway where code generation from strings is disallowed; the results are the same.
   */
  generate?: boolean | undefined;
}

export function compilePack(
  pack: RulePack,
  registry: CheckRegistry = new CheckRegistry(),
  { generate = true }: CompileOptions = {},
): CompiledPack {
  const caps = pack.points?.caps ?? [];
  const capOf = new Map<string, number>();
  caps.forEach((cap, i) => {
    for (const id of cap.criteria) capOf.set(id, i);
  });
  const steps = pack.criteria.map((c) => compileCriterion(c, pack, capOf.get(c.id) ?? -1, registry));
  const capMax = caps.map((c) => c.max);
  const sources = Object.freeze(pack.sources.map((s) => s.url)) as string[];
  const passMark = pack.points?.passMark ?? undefined;
  const ranking = pack.points !== undefined && pack.points.passMark === null;
  const pointsLabel = pack.points?.label ?? 'points test';
  const waived = pack.points?.waivedWhen ? compileCondition(pack.points.waivedWhen, pack.destination) : undefined;
  const waivedReason = pack.points?.waivedReason ?? 'another route needs no points';
  const { id: pathwayId, version: pathwayVersion, destination } = pack;
  const resultLength = steps.length + (pack.points ? 1 : 0);
  const out: Out = { status: 'unknown', detail: '', need: '', have: '', points: 0, upside: 0 };

  // The points sentence follows from the branch, the total and the upside: memoised for whole numbers.
  const sentences = new IntTable<string>();
  const passMarkNeed = `${passMark} points`;

  // Sums the step loop leaves: [total, upside, then points and upside per cap].
  const acc = new Float64Array(2 + 2 * caps.length);
  /** A decisive criterion is unmet: its gap, with the first bridge that applies. Returns the status flags. */
  const unmet = (i: number, f: Facts, r: Out, gaps: Gap[]): number => {
    const s = steps[i]!;
    let bridgeOpen = false;
    const bridges = s.bridges;
    for (let j = 0; j < bridges.length; j++) {
      const b = bridges[j]!;
      const bt = b.when(f);
      if (bt === TRUE) {
        gaps.push({ criterionId: s.id, need: r.need, have: r.have, bridge: b.route });
        return BRIDGED;
      }
      if (bt === UNKNOWN) bridgeOpen = true;
    }
    gaps.push({ criterionId: s.id, need: r.need, have: r.have });
    return bridgeOpen ? OPEN : BLOCKED;
  };
  /** The steps, read one by one (the reference the generated loop must agree with). */
  const interpret: StepLoop = (f, criteriaOut, gaps) => {
    let flags = 0;
    let total = 0;
    let upside = 0;
    acc.fill(0);
    for (let i = 0; i < steps.length; i++) {
      const s = steps[i]!;
      const t = s.applies === undefined ? TRUE : s.applies(f);
      if (t === FALSE) {
        criteriaOut[i] = s.hasPoints
          ? { id: s.id, status: 'met', points: 0, detail: s.notApplicable }
          : { id: s.id, status: 'met', detail: s.notApplicable };
        continue;
      }
      let r: Out;
      if (t === UNKNOWN) r = s.cannotTell;
      else if (s.keep) {
        // Another pack may have asked this check already for these facts.
        const known = f.outcomes[s.slot];
        if (known !== undefined) r = known;
        else {
          out.points = 0;
          out.upside = 0;
          out.need = '';
          out.have = '';
          r = s.check(f, out) ?? copyOut(out);
          f.outcomes[s.slot] = r;
        }
      } else {
        out.points = 0;
        out.upside = 0;
        out.need = '';
        out.have = '';
        r = s.check(f, out) ?? out;
      }
      const status = r.status;
      let points = r.points;
      let up = r.upside;
      if (s.pointsIfMet > 0) {
        if (status === 'met') points += s.pointsIfMet;
        else if (status === 'unknown') up += s.pointsIfMet;
      }
      if (s.hasPoints) {
        if (s.capIndex >= 0) {
          acc[2 + 2 * s.capIndex]! += points;
          acc[3 + 2 * s.capIndex]! += up;
        } else {
          total += points;
          upside += up;
        }
      }
      if (s.decisive) {
        if (status === 'unmet') flags |= unmet(i, f, r, gaps);
        else if (status === 'unknown') flags |= OPEN;
      }
      criteriaOut[i] = s.hasPoints
        ? { id: s.id, status, points, detail: r.detail }
        : { id: s.id, status, detail: r.detail };
    }
    acc[0] = total;
    acc[1] = upside;
    return flags;
  };
  let loop = interpret;
  let keptAt = -1;

  const evaluateFacts = (f: Facts): EligibilityResult => {
    const criteriaOut: CriterionResult[] = new Array(resultLength);
    const gaps: Gap[] = [];
    // Kept outcomes are numbered by this registry's slots: facts last used with another start afresh.
    if (f.outcomesOwner !== registry) {
      // One slot per registered check, allocated at once rather than grown slot by slot.
      f.outcomes = new Array<Out | undefined>(registry.size);
      f.outcomesOwner = registry;
    }
    if (keptAt !== registry.registrations) {
      // Packs compiled since (into the same registry) may share checks with this one.
      for (const s of steps) s.keep = s.shared.users > 1;
      loop = (generate ? generateLoop(steps, out, unmet, acc) : undefined) ?? interpret;
      keptAt = registry.registrations;
    }
    const flags = loop(f, criteriaOut, gaps);
    let n = steps.length;
    let blocked = (flags & BLOCKED) !== 0;
    let open = (flags & OPEN) !== 0;
    const bridged = (flags & BRIDGED) !== 0;
    let total = acc[0]!;
    let upside = acc[1]!;
    for (let i = 0; i < capMax.length; i++) {
      const max = capMax[i]!;
      const capPoints = acc[2 + 2 * i]!;
      const known = Math.min(capPoints, max);
      total += known;
      upside += Math.min(capPoints + acc[3 + 2 * i]!, max) - known;
    }
    if (passMark !== undefined) {
      let status: CriterionResult['status'];
      const w = waived === undefined ? FALSE : waived(f);
      // Branch 0 waived, 1 reached, 2 open (3 with the waiver unknown), 4 short.
      let branch: number;
      if (w === TRUE) {
        status = 'met';
        branch = 0;
      } else if (total >= passMark) {
        status = 'met';
        branch = 1;
      } else if (total + upside >= passMark || w === UNKNOWN) {
        status = 'unknown';
        branch = w === UNKNOWN ? 3 : 2;
        open = true;
      } else {
        status = 'unmet';
        branch = 4;
        blocked = true;
        gaps.push({ criterionId: 'points', need: passMarkNeed, have: pointsText(total) });
      }
      const key = sentenceKey(branch, total, upside);
      let detail = sentences.get(key);
      if (detail === undefined) {
        detail =
          branch === 0
            ? `${total} points; pass mark ${passMark} waived: ${waivedReason}`
            : branch === 1
              ? `${total} points on the ${pointsLabel}; pass mark ${passMark}`
              : branch === 4
                ? `${total} points${upside > 0 ? ` (at most ${total + upside} with the unknown factors)` : ''}; pass mark ${passMark}`
                : `${total} points known, up to ${total + upside} if the unknown factors are favourable; pass mark ${passMark}${branch === 3 ? ` (unless waived: ${waivedReason})` : ''}`;
        sentences.set(key, detail);
      }
      criteriaOut[n++] = { id: 'points', status, points: total, detail };
    } else if (ranking) {
      const key = sentenceKey(5, total, upside);
      let detail = sentences.get(key);
      if (detail === undefined) {
        detail = `${total} points on the ${pointsLabel} (a ranking score, no pass mark)${upside > 0 ? `; up to ${total + upside} with the missing data` : ''}`;
        sentences.set(key, detail);
      }
      criteriaOut[n++] = { id: 'points', status: 'met', points: total, detail };
    }
    const status: EligibilityStatus = blocked
      ? 'not_eligible'
      : open
        ? 'insufficient_data'
        : bridged
          ? 'conditionally_eligible'
          : 'eligible';
    return passMark !== undefined
      ? {
          pathwayId,
          pathwayVersion,
          destination,
          status,
          points: { total, passMark },
          criteria: criteriaOut,
          gaps,
          sources,
        }
      : { pathwayId, pathwayVersion, destination, status, criteria: criteriaOut, gaps, sources };
  };

  const offerSteps = steps.filter((s) => s.offerOnly);
  const offerBlock = (f: Facts): OfferBlock | undefined => {
    if (f.offer === undefined) return undefined;
    let unknown: OfferBlock | undefined;
    for (const s of offerSteps) {
      if (s.offerOnly === 'withOfferOccupation' && f.offer.isco08 === undefined) continue;
      const o: Out = { status: 'unknown', detail: '', need: '', have: '', points: 0, upside: 0 };
      const r = s.check(f, o) ?? o;
      if (r.status === 'unmet') return { criterionId: s.id, outcome: 'unmet', detail: r.detail };
      if (r.status === 'unknown') unknown ??= { criterionId: s.id, outcome: 'unknown', detail: r.detail };
    }
    return unknown;
  };

  const profileSteps = steps.filter((s) => s.profileOnly);
  // One scratch outcome for the profile's checks: each is read before the next check writes it.
  const scratch: Out = { status: 'unknown', detail: '', need: '', have: '', points: 0, upside: 0 };
  const profileBlock = (f: Facts): OfferBlock | undefined => {
    let unknown: OfferBlock | undefined;
    for (const s of profileSteps) {
      const t = s.applies === undefined ? TRUE : s.applies(f);
      if (t === FALSE) continue;
      let r: Out = s.cannotTell;
      if (t !== UNKNOWN) {
        scratch.status = 'unknown';
        scratch.detail = '';
        scratch.need = '';
        scratch.have = '';
        scratch.points = 0;
        scratch.upside = 0;
        r = s.check(f, scratch) ?? scratch;
      }
      if (r.status === 'unmet') {
        // As the evaluation treats it (see `unmet`): it blocks unless a bridge's condition holds or cannot be told
        // (the latter leaves the pathway at best insufficient data, but is not named: the criterion is unmet, and a
        // blocker's outcome is the criterion's).
        if (s.bridges.every((b) => b.when(f) === FALSE))
          return { criterionId: s.id, outcome: 'unmet', detail: r.detail };
      } else if (r.status === 'unknown') unknown ??= { criterionId: s.id, outcome: 'unknown', detail: r.detail };
    }
    return unknown;
  };

  const offerClassed = steps.flatMap((s) => s.shared.kind.offerClass ?? []);
  // Conditions read the offer's sector (offerSectorIn) and occupation (occupationIn on offerOrProfile) as they are.
  const conditionsReadOffer =
    pack.criteria.some(
      (c) =>
        (c.appliesWhen !== undefined && conditionReadsOffer(c.appliesWhen)) ||
        (c.bridges ?? []).some((b) => conditionReadsOffer(b.when)) ||
        (c.kind === 'salary' && c.tiers.some((t) => t.when !== undefined && conditionReadsOffer(t.when))),
    ) ||
    (pack.points?.waivedWhen !== undefined && conditionReadsOffer(pack.points.waivedWhen));
  const versionClass = `${pathwayId}@${pathwayVersion}`;
  const offerClass = (f: Facts): string => {
    let s = versionClass;
    for (let i = 0; i < offerClassed.length; i++) s += `|${offerClassed[i]!(f)}`;
    if (conditionsReadOffer) s += `|${f.offer?.sector ?? '-'}/${f.offer?.isco08 ?? '-'}`;
    return s;
  };

  return {
    pack,
    evaluateFacts,
    evaluate: (profile, asOf, offer) => evaluateFacts(deriveFacts(profile, asOf, offer)),
    offerBlock,
    profileBlock,
    offerClass,
  };
}
