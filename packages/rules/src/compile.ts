import type {
  CriterionResult,
  EligibilityProfile,
  EligibilityResult,
  EligibilityStatus,
  Gap,
  OfferTermsInput,
} from '@corridor/domain';
import { type CompiledCondition, compileCondition, FALSE, TRUE, UNKNOWN } from './conditions.ts';
import { compileKind, type Out } from './criteria.ts';
import { deriveFacts, type Facts } from './facts.ts';
import type { Criterion, RulePack, Verification } from './schema.ts';

/** Accumulates one evaluation. Counters live on a per-pack scratch object; arrays are fresh per result. */
interface Acc {
  criteria: CriterionResult[];
  /** Next free slot in `criteria` (pre-sized, so pushes never regrow the array). */
  n: number;
  gaps: Gap[];
  blocked: boolean;
  open: boolean;
  bridged: boolean;
  points: number;
  upside: number;
  capPoints: number[];
  capUpside: number[];
  out: Out;
}

type CompiledCriterion = (f: Facts, acc: Acc) => void;

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

function compileCriterion(c: Criterion, pack: RulePack, capIndex: number): CompiledCriterion {
  const k = compileKind(c, pack);
  const decisive = c.decisive ?? k.threshold;
  const suffix = caveatSuffix(c.verification ?? pack.verification, c.caveat);
  const applies: CompiledCondition | undefined = c.appliesWhen
    ? compileCondition(c.appliesWhen, pack.destination)
    : undefined;
  const bridges = (c.bridges ?? []).map((b) => ({ route: b.route, when: compileCondition(b.when, pack.destination) }));
  const pim = c.pointsIfMet ?? 0;
  const hasPoints = k.hasPoints || pim > 0;
  const maxPoints = k.maxPoints + pim;
  const id = c.id;
  const notApplicable = `not applicable: ${c.label}`;
  const cannotTell = `${c.label}: cannot tell whether this applies (data missing)`;
  const check = k.check;

  return (f, acc) => {
    const o = acc.out;
    o.points = 0;
    o.upside = 0;
    o.need = '';
    o.have = '';
    const t = applies === undefined ? TRUE : applies(f);
    if (t === FALSE) {
      acc.criteria[acc.n++] = hasPoints
        ? { id, status: 'met', points: 0, detail: notApplicable }
        : { id, status: 'met', detail: notApplicable };
      return;
    }
    if (t === UNKNOWN) {
      o.status = 'unknown';
      o.detail = cannotTell;
      o.upside = maxPoints;
    } else check(f, o);
    if (pim > 0) {
      if (o.status === 'met') o.points += pim;
      else if (o.status === 'unknown') o.upside += pim;
    }
    if (hasPoints) {
      if (capIndex >= 0) {
        acc.capPoints[capIndex]! += o.points;
        acc.capUpside[capIndex]! += o.upside;
      } else {
        acc.points += o.points;
        acc.upside += o.upside;
      }
    }
    if (decisive) {
      if (o.status === 'unmet') {
        let bridge: string | undefined;
        let bridgeOpen = false;
        for (let i = 0; i < bridges.length; i++) {
          const b = bridges[i]!;
          const bt = b.when(f);
          if (bt === TRUE) {
            bridge = b.route;
            break;
          }
          if (bt === UNKNOWN) bridgeOpen = true;
        }
        if (bridge !== undefined) {
          acc.bridged = true;
          acc.gaps.push({ criterionId: id, need: o.need, have: o.have, bridge });
        } else {
          if (bridgeOpen) acc.open = true;
          else acc.blocked = true;
          acc.gaps.push({ criterionId: id, need: o.need, have: o.have });
        }
      } else if (o.status === 'unknown') acc.open = true;
    }
    acc.criteria[acc.n++] = hasPoints
      ? { id, status: o.status, points: o.points, detail: o.detail + suffix }
      : { id, status: o.status, detail: o.detail + suffix };
  };
}

/**
 * Compile a validated pack into a closure. Lookups (Sets, sorted bands, labels) are built here, once;
 * evaluation allocates only the result.
 */
export function compilePack(pack: RulePack): CompiledPack {
  const caps = pack.points?.caps ?? [];
  const capOf = new Map<string, number>();
  caps.forEach((cap, i) => {
    for (const id of cap.criteria) capOf.set(id, i);
  });
  const criteria = pack.criteria.map((c) => compileCriterion(c, pack, capOf.get(c.id) ?? -1));
  const capMax = caps.map((c) => c.max);
  const sources = Object.freeze(pack.sources.map((s) => s.url)) as string[];
  const passMark = pack.points?.passMark ?? undefined;
  const ranking = pack.points !== undefined && pack.points.passMark === null;
  const pointsLabel = pack.points?.label ?? 'points test';
  const waived = pack.points?.waivedWhen ? compileCondition(pack.points.waivedWhen, pack.destination) : undefined;
  const waivedReason = pack.points?.waivedReason ?? 'another route needs no points';
  const { id: pathwayId, version: pathwayVersion, destination } = pack;
  const resultLength = criteria.length + (pack.points ? 1 : 0);
  const out: Out = { status: 'unknown', detail: '', need: '', have: '', points: 0, upside: 0 };
  const acc: Acc = {
    criteria: [],
    n: 0,
    gaps: [],
    blocked: false,
    open: false,
    bridged: false,
    points: 0,
    upside: 0,
    capPoints: caps.map(() => 0),
    capUpside: caps.map(() => 0),
    out,
  };

  const evaluateFacts = (f: Facts): EligibilityResult => {
    const criteriaOut: CriterionResult[] = new Array(resultLength);
    const gaps: Gap[] = [];
    acc.criteria = criteriaOut;
    acc.n = 0;
    acc.gaps = gaps;
    acc.blocked = false;
    acc.open = false;
    acc.bridged = false;
    acc.points = 0;
    acc.upside = 0;
    for (let i = 0; i < capMax.length; i++) {
      acc.capPoints[i] = 0;
      acc.capUpside[i] = 0;
    }
    for (let i = 0; i < criteria.length; i++) criteria[i]!(f, acc);
    let total = acc.points;
    let upside = acc.upside;
    for (let i = 0; i < capMax.length; i++) {
      const max = capMax[i]!;
      const known = Math.min(acc.capPoints[i]!, max);
      total += known;
      upside += Math.min(acc.capPoints[i]! + acc.capUpside[i]!, max) - known;
    }
    if (passMark !== undefined) {
      let status: CriterionResult['status'];
      let detail: string;
      const w = waived === undefined ? FALSE : waived(f);
      if (w === TRUE) {
        status = 'met';
        detail = `${total} points; pass mark ${passMark} waived: ${waivedReason}`;
      } else if (total >= passMark) {
        status = 'met';
        detail = `${total} points on the ${pointsLabel}; pass mark ${passMark}`;
      } else if (total + upside >= passMark || w === UNKNOWN) {
        status = 'unknown';
        detail = `${total} points known, up to ${total + upside} if the unknown factors are favourable; pass mark ${passMark}${w === UNKNOWN ? ` (unless waived: ${waivedReason})` : ''}`;
        acc.open = true;
      } else {
        status = 'unmet';
        detail = `${total} points${upside > 0 ? ` (at most ${total + upside} with the unknown factors)` : ''}; pass mark ${passMark}`;
        acc.blocked = true;
        gaps.push({ criterionId: 'points', need: `${passMark} points`, have: `${total} points` });
      }
      criteriaOut[acc.n++] = { id: 'points', status, points: total, detail };
    } else if (ranking) {
      criteriaOut[acc.n++] = {
        id: 'points',
        status: 'met',
        points: total,
        detail: `${total} points on the ${pointsLabel} (a ranking score, no pass mark)${upside > 0 ? `; up to ${total + upside} with the missing data` : ''}`,
      };
    }
    const status: EligibilityStatus = acc.blocked
      ? 'not_eligible'
      : acc.open
        ? 'insufficient_data'
        : acc.bridged
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
