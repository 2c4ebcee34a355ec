import type {
  CriterionResult,
  EligibilityProfile,
  EligibilityResult,
  EligibilityStatus,
  Gap,
  OfferTermsInput,
} from '@corridor/domain';
import { type CompiledCondition, compileCondition, FALSE, TRUE, UNKNOWN } from './conditions.ts';
import { type Check, compileKind, copyOut, type KindCompiled, type Out } from './criteria/index.ts';
import { deriveFacts, type Facts } from './facts.ts';
import type { Criterion, RulePack, Verification } from './schema.ts';

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
  readonly hasPoints: boolean;
  /** Index of the points cap the criterion counts towards; -1 none. */
  readonly capIndex: number;
  readonly pointsIfMet: number;
  readonly decisive: boolean;
  readonly bridges: readonly { route: string; when: CompiledCondition }[];
  readonly notApplicable: string;
  /** The outcome when `appliesWhen` cannot be decided: unknown, with every point possible. */
  readonly cannotTell: Out;
}

export interface CompiledPack {
  readonly pack: RulePack;
  /** Evaluate one profile on `asOf` (YYYY-MM-DD). */
  evaluate(profile: EligibilityProfile, asOf: string, offer?: OfferTermsInput): EligibilityResult;
  /** Evaluate with facts already derived for this profile and date (the rule book shares them across packs). */
  evaluateFacts(facts: Facts): EligibilityResult;
}

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
    return shared;
  }
}

function compileCriterion(c: Criterion, pack: RulePack, capIndex: number, registry: CheckRegistry): Step {
  const suffix = caveatSuffix(c.verification ?? pack.verification, c.caveat);
  const shared = registry.get(c, pack, suffix);
  const k = shared.kind;
  const pointsIfMet = c.pointsIfMet ?? 0;
  return {
    id: c.id,
    applies: c.appliesWhen ? compileCondition(c.appliesWhen, pack.destination) : undefined,
    check: k.check,
    shared,
    hasPoints: k.hasPoints || pointsIfMet > 0,
    capIndex,
    pointsIfMet,
    decisive: c.decisive ?? k.threshold,
    bridges: (c.bridges ?? []).map((b) => ({ route: b.route, when: compileCondition(b.when, pack.destination) })),
    notApplicable: `not applicable: ${c.label}`,
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

/**
 * Compile a validated pack into a closure. Lookups (Sets, sorted bands, labels) are built here, once;
 * evaluation allocates only the result.
 */
export function compilePack(pack: RulePack, registry: CheckRegistry = new CheckRegistry()): CompiledPack {
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
  const capPoints = caps.map(() => 0);
  const capUpside = caps.map(() => 0);

  // The points sentence follows from the branch, the total and the upside: memoised for whole numbers.
  const sentences = new Map<number, string>();
  const remember = (key: number, detail: string) => {
    if (sentences.size >= 8192) sentences.clear();
    sentences.set(key, detail);
  };
  const passMarkNeed = `${passMark} points`;

  const evaluateFacts = (f: Facts): EligibilityResult => {
    const criteriaOut: CriterionResult[] = new Array(resultLength);
    const gaps: Gap[] = [];
    // Kept outcomes are numbered by this registry's slots: facts last used with another start afresh.
    if (f.outcomesOwner !== registry) {
      if (f.outcomes.length > 0) f.outcomes.length = 0;
      f.outcomesOwner = registry;
    }
    let n = 0;
    let blocked = false;
    let open = false;
    let bridged = false;
    let total = 0;
    let upside = 0;
    for (let i = 0; i < capMax.length; i++) {
      capPoints[i] = 0;
      capUpside[i] = 0;
    }
    for (let i = 0; i < steps.length; i++) {
      const s = steps[i]!;
      const t = s.applies === undefined ? TRUE : s.applies(f);
      if (t === FALSE) {
        criteriaOut[n++] = s.hasPoints
          ? { id: s.id, status: 'met', points: 0, detail: s.notApplicable }
          : { id: s.id, status: 'met', detail: s.notApplicable };
        continue;
      }
      let r: Out;
      if (t === UNKNOWN) r = s.cannotTell;
      else if (s.shared.users > 1) {
        // Another pack may have asked this check already for these facts.
        const slot = s.shared.slot;
        const known = f.outcomes[slot];
        if (known !== undefined) r = known;
        else {
          out.points = 0;
          out.upside = 0;
          out.need = '';
          out.have = '';
          r = s.check(f, out) ?? copyOut(out);
          f.outcomes[slot] = r;
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
          capPoints[s.capIndex]! += points;
          capUpside[s.capIndex]! += up;
        } else {
          total += points;
          upside += up;
        }
      }
      if (s.decisive) {
        if (status === 'unmet') {
          let bridge: string | undefined;
          let bridgeOpen = false;
          const bridges = s.bridges;
          for (let j = 0; j < bridges.length; j++) {
            const b = bridges[j]!;
            const bt = b.when(f);
            if (bt === TRUE) {
              bridge = b.route;
              break;
            }
            if (bt === UNKNOWN) bridgeOpen = true;
          }
          if (bridge !== undefined) {
            bridged = true;
            gaps.push({ criterionId: s.id, need: r.need, have: r.have, bridge });
          } else {
            if (bridgeOpen) open = true;
            else blocked = true;
            gaps.push({ criterionId: s.id, need: r.need, have: r.have });
          }
        } else if (status === 'unknown') open = true;
      }
      criteriaOut[n++] = s.hasPoints
        ? { id: s.id, status, points, detail: r.detail }
        : { id: s.id, status, detail: r.detail };
    }
    for (let i = 0; i < capMax.length; i++) {
      const max = capMax[i]!;
      const known = Math.min(capPoints[i]!, max);
      total += known;
      upside += Math.min(capPoints[i]! + capUpside[i]!, max) - known;
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
      let detail = key < 0 ? undefined : sentences.get(key);
      if (detail === undefined) {
        detail =
          branch === 0
            ? `${total} points; pass mark ${passMark} waived: ${waivedReason}`
            : branch === 1
              ? `${total} points on the ${pointsLabel}; pass mark ${passMark}`
              : branch === 4
                ? `${total} points${upside > 0 ? ` (at most ${total + upside} with the unknown factors)` : ''}; pass mark ${passMark}`
                : `${total} points known, up to ${total + upside} if the unknown factors are favourable; pass mark ${passMark}${branch === 3 ? ` (unless waived: ${waivedReason})` : ''}`;
        if (key >= 0) remember(key, detail);
      }
      criteriaOut[n++] = { id: 'points', status, points: total, detail };
    } else if (ranking) {
      const key = sentenceKey(5, total, upside);
      let detail = key < 0 ? undefined : sentences.get(key);
      if (detail === undefined) {
        detail = `${total} points on the ${pointsLabel} (a ranking score, no pass mark)${upside > 0 ? `; up to ${total + upside} with the missing data` : ''}`;
        if (key >= 0) remember(key, detail);
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

  return {
    pack,
    evaluateFacts,
    evaluate: (profile, asOf, offer) => evaluateFacts(deriveFacts(profile, asOf, offer)),
  };
}
