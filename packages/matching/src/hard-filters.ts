import { ISCO08_UNIT_GROUPS } from '@corridor/domain';
import { countryName } from './names.ts';
import { type PreparedVacancy, prepareVacancy } from './prepared-vacancy.ts';
import type {
  CandidatePathwayStatus,
  MatchCandidate,
  MatchVacancy,
  OccupationBridge,
  OccupationMatch,
} from './types.ts';

/** Filter ids, stable: callers may count or translate them. */
export const HARD_FILTERS = [
  'vacancy-open',
  'vacancy-full',
  'consent',
  'pathway',
  'occupation',
  'destination',
  'availability',
  'who-safeguard-list',
  'worker-fees',
] as const;
export type HardFilterId = (typeof HARD_FILTERS)[number];

export interface HardFilterContext {
  /** Occupation bridges; default `DEFAULT_OCCUPATION_BRIDGES`. */
  bridges?: readonly OccupationBridge[];
  /**
   * The trainee applied to this vacancy on their own. The WHO safeguard list restricts active recruitment only;
   * it does not stop a person from applying directly, so a direct application lifts that filter.
   */
  directApplication?: boolean;
}

export interface HardFilterFailure {
  filter: HardFilterId;
  /** A sentence an HR person or the trainee can read. */
  reason: string;
}

export type HardFilterResult =
  | {
      ok: true;
      /** The vacancy's accepted pathways on which the trainee is eligible or conditionally eligible. */
      pathways: CandidatePathwayStatus[];
      occupation: OccupationMatch;
    }
  | { ok: false; failures: HardFilterFailure[] };

const isQualifying = (p: CandidatePathwayStatus): boolean =>
  p.status === 'eligible' || p.status === 'conditionally_eligible';

function hasQualifyingPathway(c: MatchCandidate, pv: PreparedVacancy): boolean {
  for (const p of c.pathways) if (isQualifying(p) && pv.accepted.has(p.pathwayId)) return true;
  return false;
}

function prefersDestination(c: MatchCandidate, destination: string): boolean {
  const wanted = c.preferences?.destinations;
  // No preferences stated means open to every destination.
  return !wanted || wanted.length === 0 || wanted.includes(destination);
}

function hasSafeguard(c: MatchCandidate, id: 'who-safeguard-list' | 'employer-pays'): boolean {
  const list = c.safeguards;
  if (!list) return false;
  for (const s of list) if (s.id === id && s.status === 'restricted') return true;
  return false;
}

/**
 * A government-to-government partnership lifts the WHO safeguard-list restriction for its own members
 * (CONTRACT.md): trainees enrolled in it, or living in the partnership's origin country (the corridor it covers).
 */
function isCoveredByG2G(c: MatchCandidate, v: MatchVacancy): boolean {
  const p = v.partnership;
  if (!p?.governmentToGovernment) return false;
  return c.partnershipId === p.id || (p.origin !== undefined && p.origin === c.residence);
}

// The predicates, one per filter. Named functions so the fast path below calls them directly (a monomorphic call
// the JIT inlines) while `RULES` pairs the same functions with their reasons.
const isOpen = (_c: MatchCandidate, pv: PreparedVacancy): boolean => pv.vacancy.status === 'open';
const hasRoom = (_c: MatchCandidate, pv: PreparedVacancy): boolean => (pv.vacancy.filled ?? 0) < pv.vacancy.headcount;
const hasConsent = (c: MatchCandidate): boolean => c.consentToMatch;
const isCompatibleOccupation = (c: MatchCandidate, pv: PreparedVacancy): boolean => pv.occupations.has(c.isco08);
const wantsDestination = (c: MatchCandidate, pv: PreparedVacancy): boolean =>
  prefersDestination(c, pv.vacancy.destination);
// ISO dates compare correctly as strings.
const isAvailable = (c: MatchCandidate, pv: PreparedVacancy): boolean => {
  const from = c.preferences?.earliestStart;
  return from === undefined || from <= pv.vacancy.startDate;
};
const clearsWhoList = (c: MatchCandidate, pv: PreparedVacancy, directApplication: boolean): boolean =>
  directApplication || !pv.healthOrCare || !hasSafeguard(c, 'who-safeguard-list') || isCoveredByG2G(c, pv.vacancy);
const chargesNoFees = (c: MatchCandidate, pv: PreparedVacancy): boolean =>
  pv.vacancy.costSharing.workerFees <= 0 && !hasSafeguard(c, 'employer-pays');

interface FilterRule {
  id: HardFilterId;
  passes(c: MatchCandidate, pv: PreparedVacancy, directApplication: boolean): boolean;
  reason(c: MatchCandidate, pv: PreparedVacancy): string;
}

const occupationLabel = (isco: string): string => {
  const title = ISCO08_UNIT_GROUPS.get(isco);
  return title ? `${isco} (${title})` : isco;
};

// Vacancy-side facts first, then the trainee's own choices, then eligibility and ethics.
const RULES: readonly FilterRule[] = [
  {
    id: 'vacancy-open',
    passes: isOpen,
    reason: (_c, pv) => `The vacancy is ${pv.vacancy.status}, so it is not taking candidates.`,
  },
  {
    id: 'vacancy-full',
    passes: hasRoom,
    reason: (_c, pv) => `All ${pv.vacancy.headcount} places in the vacancy are already filled.`,
  },
  {
    id: 'consent',
    passes: hasConsent,
    reason: () => 'The trainee has not consented to being matched with employers.',
  },
  {
    id: 'occupation',
    passes: isCompatibleOccupation,
    reason: (c, pv) =>
      `The trainee's occupation ${occupationLabel(c.isco08)} is not the vacancy's ${occupationLabel(pv.vacancy.isco08)}, and no declared bridge links them.`,
  },
  {
    id: 'destination',
    passes: wantsDestination,
    reason: (c, pv) =>
      `The trainee's preferred destinations (${(c.preferences?.destinations ?? []).join(', ')}) do not include ${countryName(pv.vacancy.destination)}.`,
  },
  {
    id: 'availability',
    passes: isAvailable,
    reason: (c, pv) =>
      `The trainee is available from ${c.preferences?.earliestStart}, after the vacancy's start date ${pv.vacancy.startDate}.`,
  },
  {
    id: 'pathway',
    passes: hasQualifyingPathway,
    reason: (c, pv) => {
      const accepted = [...pv.accepted];
      // Each pathway's status and the rules it falls short of (the gaps' criterion and what it needs), so that a
      // withdrawal after a rule change says which rule. What the person has is left out: employers read this
      // sentence before consent, and an exact age is more than the age band they are shown.
      const statuses = accepted.map((id) => {
        const p = c.pathways.find((x) => x.pathwayId === id);
        if (!p) return `${id}: not evaluated`;
        const gaps = (p.gaps ?? []).map((g) => `${g.criterionId} needs ${g.need}`);
        return `${id}: ${p.status.replace('_', ' ')}${gaps.length > 0 ? ` (${gaps.join('; ')})` : ''}`;
      });
      return `On ${pv.vacancy.startDate} the trainee is neither eligible nor conditionally eligible for any pathway the vacancy accepts (${statuses.join('; ')}).`;
    },
  },
  {
    id: 'who-safeguard-list',
    passes: clearsWhoList,
    reason: () =>
      'The trainee lives in a country on the WHO Health Workforce Support and Safeguards List; health and care roles may be actively recruited from there only under a government-to-government agreement, and this vacancy is not part of one.',
  },
  {
    id: 'worker-fees',
    passes: chargesNoFees,
    reason: (_c, pv) =>
      pv.vacancy.costSharing.workerFees > 0
        ? `The vacancy charges the worker ${pv.vacancy.costSharing.workerFees} in fees; under the Employer Pays Principle workers pay no recruitment fees or related costs.`
        : 'The employer-pays safeguard is restricted for this trainee: someone would charge them recruitment fees or related costs.',
  },
];

/** Allocation-free check for the ranking hot loop: the same predicates as `RULES`, stopping at the first failure. */
export function passesHardFilters(c: MatchCandidate, pv: PreparedVacancy, directApplication = false): boolean {
  return (
    isOpen(c, pv) &&
    hasRoom(c, pv) &&
    hasConsent(c) &&
    isCompatibleOccupation(c, pv) &&
    wantsDestination(c, pv) &&
    isAvailable(c, pv) &&
    hasQualifyingPathway(c, pv) &&
    clearsWhoList(c, pv, directApplication) &&
    chargesNoFees(c, pv)
  );
}

/** Every failed filter with its reason, or the pathways and occupation route on which the pair may be matched. */
export function checkPrepared(c: MatchCandidate, pv: PreparedVacancy, directApplication = false): HardFilterResult {
  const failures: HardFilterFailure[] = [];
  for (const rule of RULES) {
    if (!rule.passes(c, pv, directApplication)) failures.push({ filter: rule.id, reason: rule.reason(c, pv) });
  }
  if (failures.length > 0) return { ok: false, failures };
  return {
    ok: true,
    pathways: c.pathways.filter((p) => isQualifying(p) && pv.accepted.has(p.pathwayId)),
    occupation: pv.occupations.get(c.isco08)!,
  };
}

/**
 * Whether a trainee may be proposed for a vacancy at all. All filters are evaluated, so a trainee or HR person
 * sees every reason at once rather than one at a time.
 */
export function checkHardFilters(
  candidate: MatchCandidate,
  vacancy: MatchVacancy,
  ctx: HardFilterContext = {},
): HardFilterResult {
  return checkPrepared(candidate, preparedOf(vacancy, ctx), ctx.directApplication ?? false);
}

/** `checkHardFilters(...).ok` without building the reasons or the result: for callers that only need the answer. */
export function hardFiltersPass(
  candidate: MatchCandidate,
  vacancy: MatchVacancy,
  ctx: HardFilterContext = {},
): boolean {
  return passesHardFilters(candidate, preparedOf(vacancy, ctx), ctx.directApplication ?? false);
}

function preparedOf(vacancy: MatchVacancy, ctx: HardFilterContext): PreparedVacancy {
  let pv = preparedFor.get(vacancy);
  if (pv === undefined || pv.bridges !== ctx.bridges) {
    pv = { bridges: ctx.bridges, prepared: prepareVacancy(vacancy, ctx.bridges ? { bridges: ctx.bridges } : {}) };
    preparedFor.set(vacancy, pv);
  }
  return pv.prepared;
}

// A job checks one vacancy against thousands of trainees (and a round, each vacancy many times): its preparation is
// kept with the vacancy object. Vacancies are plain data the callers do not change once built.
const preparedFor = new WeakMap<
  MatchVacancy,
  { bridges: readonly OccupationBridge[] | undefined; prepared: PreparedVacancy }
>();
