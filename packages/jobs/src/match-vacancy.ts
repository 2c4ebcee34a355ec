import {
  atLeastTokens,
  bestCefr,
  type Database,
  DECIDED_PLACEMENT_STATUSES,
  type DomainEvent,
  type Executor,
  eligibilityProfileOf,
  matchingRepository,
  outboxRepository,
  type PlacementEventWrite,
  type PlacementStatus,
  type PlacementWrite,
  placementsRepository,
  type TraineeForMatching,
  type VacancyPrefilter,
} from '@corridor/db';
import {
  CEFR_LEVELS,
  type CefrLevelCode,
  cefrRank,
  type LanguageSkill,
  type OfferTermsInput,
  type TraineeProfile,
  type VacancyInput,
} from '@corridor/domain';
import {
  type CandidatePathwayStatus,
  candidateFromProfile,
  checkHardFilters,
  compatibleOccupations,
  DEFAULT_OCCUPATION_BRIDGES,
  hardFiltersPass,
  type MatchCandidate,
  type MatchVacancy,
  type OccupationBridge,
  type RankedCandidate,
  rankCandidates,
  scorePair,
  type VacancyScorer,
  vacancyScorer,
} from '@corridor/matching';
import { yieldToEventLoop } from '@corridor/queue';
import { evaluateSafeguards, type OfferBlocker, type RuleBook } from '@corridor/rules';

// match.vacancy: SQL prefilter → exact rules + hard filters + scoring in memory (@corridor/matching) → reconcile the
// vacancy's placements in one transaction, with outbox events. Deterministic: a re-run with nothing changed writes
// nothing (no row, no version bump, no event).

export interface MatchingOptions {
  /** Shortlist length for a vacancy of `headcount` places; default max(10, 3 × headcount) (issue 4). */
  shortlistSize?: (headcount: number) => number;
  /** Declared occupation bridges; default `DEFAULT_OCCUPATION_BRIDGES`. */
  bridges?: readonly OccupationBridge[];
}

export const defaultShortlistSize = (headcount: number): number => Math.max(10, 3 * headcount);

/** A vacancy row with its partnership's G2G flag and origin, as the matching repository loads it. */
export interface VacancyForMatching {
  id: string;
  status: 'open' | 'paused' | 'filled' | 'closed';
  headcount: number;
  sector: string;
  isco08: string;
  destination: string;
  region: string | null;
  start_date: string | null;
  pathways: string[];
  partnership_id: string | null;
  terms: {
    national?: VacancyInput['national'];
    salary?: VacancyInput['salary'];
    hoursPerWeek?: number;
    contract?: VacancyInput['contract'];
    sponsor?: boolean;
  };
  requirements: VacancyInput['requirements'];
  cost_sharing: VacancyInput['costSharing'];
  partnership_g2g: boolean | null;
  partnership_origin: string | null;
}

/** What the pure packages need about a vacancy: the matching view and the offer the rules evaluate against. */
export interface PreparedMatchVacancy {
  vacancy: MatchVacancy;
  offer: OfferTermsInput;
  startDate: string;
  /** Start date and accepted pathways: what a person's own blockers are asked for (see closedToPerson). */
  combination: string;
  /** Sector, occupation and partnership: all the WHO safeguard-list filter reads of a vacancy (see closedBySafeguardList). */
  safeguardKind: string;
}

export function prepareMatchVacancy(row: VacancyForMatching, filled: number): PreparedMatchVacancy | undefined {
  if (!row.start_date) return undefined;
  const vacancy: MatchVacancy = {
    id: row.id,
    status: row.status,
    headcount: row.headcount,
    filled,
    isco08: row.isco08.trim(),
    sector: row.sector as MatchVacancy['sector'],
    destination: row.destination.trim(),
    startDate: row.start_date,
    pathways: row.pathways,
    requirements: {
      languages: row.requirements.languages ?? [],
      ...(row.requirements.minExperienceMonths !== undefined
        ? { minExperienceMonths: row.requirements.minExperienceMonths }
        : {}),
    },
    costSharing: row.cost_sharing,
    ...(row.partnership_id
      ? {
          partnership: {
            id: row.partnership_id,
            governmentToGovernment: row.partnership_g2g === true,
            ...(row.partnership_origin ? { origin: row.partnership_origin.trim() } : {}),
          },
        }
      : {}),
  };
  const t = row.terms;
  const offer: OfferTermsInput = {
    sector: vacancy.sector,
    isco08: vacancy.isco08,
    destination: vacancy.destination,
    startDate: row.start_date,
    ...(t.national ? { national: t.national } : {}),
    ...(row.region ? { region: row.region } : {}),
    ...(t.salary ? { salary: t.salary } : {}),
    ...(t.hoursPerWeek !== undefined ? { hoursPerWeek: t.hoursPerWeek } : {}),
    ...(t.contract ? { contract: t.contract } : {}),
    ...(t.sponsor !== undefined ? { sponsor: t.sponsor } : {}),
  };
  const p = vacancy.partnership;
  return {
    vacancy,
    offer,
    startDate: row.start_date,
    combination: `${row.start_date}|${row.pathways.join(',')}`,
    safeguardKind: `${vacancy.sector}|${vacancy.isco08}|${p ? `${p.id}|${p.governmentToGovernment}|${p.origin ?? ''}` : ''}`,
  };
}

/**
 * The employer hears once when their offer closes pathways (a new or edited offer, or a rule change): a
 * `vacancy.offer_closed` event when the closed set differs from what they were last told and is not empty. Offer
 * terms and rule sentences only; nothing about any person.
 */
async function tellEmployerOfClosedPathways(
  trx: Executor,
  row: { id: string; closed_pathways?: unknown },
  closed: readonly OfferBlocker[],
  accepted: number,
): Promise<void> {
  const now =
    closed.length === 0
      ? null
      : closed.map((c) => ({
          pathwayId: c.pathwayId,
          pathwayVersion: c.pathwayVersion,
          criterionId: c.criterionId,
          outcome: c.outcome,
        }));
  if (canonical(now) === canonical(row.closed_pathways ?? null)) return;
  await matchingRepository.setClosedPathways(trx, row.id, now);
  if (!now) return;
  await outboxRepository.append(trx, [
    {
      type: 'vacancy.offer_closed',
      aggregateType: 'vacancy',
      aggregateId: row.id,
      payload: {
        vacancyId: row.id,
        all: closed.length === accepted,
        pathways: closed.map((c, i) => ({ ...now[i]!, detail: c.detail })),
      },
    },
  ]);
}

/** A pathway the vacancy's own offer closes to every candidate, and why (see RuleBook.offerBlockers). */
export type ClosedPathway = OfferBlocker;

/**
 * What an employer needs to hear before any candidate: the pathways their offer closes to everyone as of its
 * start date (a salary under the threshold in force, say). A vacancy without a start date cannot be judged: none.
 */
export function closedPathways(
  book: RuleBook,
  row: Omit<VacancyForMatching, 'partnership_g2g' | 'partnership_origin'>,
): ClosedPathway[] {
  const pv = prepareMatchVacancy({ ...row, partnership_g2g: null, partnership_origin: null }, 0);
  if (!pv) return [];
  return book.offerBlockers(pv.offer, { asOf: pv.startDate, pathways: pv.vacancy.pathways });
}

/**
 * Matching policy on top of the hard filters: a trainee more than one CEFR level below a required language is not
 * proposed. One level short is bridgeable before a start date (and scored down as `languageMargin`); more is not.
 * The SQL prefilter applies the same tolerance with `atLeastTokens`, so both paths agree.
 */
export const LANGUAGE_TOLERANCE_LEVELS = 1;

const toleratedLevel = (cefr: CefrLevelCode): CefrLevelCode =>
  CEFR_LEVELS[Math.max(0, cefrRank(cefr) - 1 - LANGUAGE_TOLERANCE_LEVELS)]!;

export function languageTokenGroups(vacancy: MatchVacancy): string[][] {
  return (vacancy.requirements?.languages ?? []).map((r) => atLeastTokens(r.language, toleratedLevel(r.cefr)));
}

/**
 * The reverse of `languageTokenGroups`, for a trainee: every `language:level` requirement they meet within the
 * tolerance, from their language_levels tokens. A vacancy passes when all its required tokens are among these.
 */
export function satisfiableLanguageTokens(levels: readonly string[]): string[] {
  const tokens: string[] = [];
  for (const token of levels) {
    const [language, cefr] = token.split(':') as [string, CefrLevelCode];
    const reach = Math.min(CEFR_LEVELS.length, cefrRank(cefr) + LANGUAGE_TOLERANCE_LEVELS);
    for (let r = 1; r <= reach; r++) tokens.push(`${language}:${CEFR_LEVELS[r - 1]}`);
  }
  return tokens;
}

function languageToleranceFailure(c: MatchCandidate, vacancy: MatchVacancy): string | undefined {
  const short: string[] = [];
  for (const req of vacancy.requirements?.languages ?? []) {
    let best = 0;
    for (const l of c.languages) if (l.language === req.language) best = Math.max(best, cefrRank(l.cefr));
    if (best < cefrRank(toleratedLevel(req.cefr))) short.push(`${req.language} ${req.cefr}`);
  }
  return short.length > 0
    ? `The trainee is more than ${LANGUAGE_TOLERANCE_LEVELS} CEFR level below the vacancy's language requirement (${short.join(', ')}).`
    : undefined;
}

// The profile the rules read, built once per loaded trainee row (a round checks each trainee against many vacancies).
const profiles = new WeakMap<TraineeForMatching, NonNullable<ReturnType<typeof eligibilityProfileOf>>>();
function profileOf(trainee: TraineeForMatching) {
  let profile = profiles.get(trainee);
  if (profile === undefined) {
    profile = eligibilityProfileOf(trainee);
    if (profile) profiles.set(trainee, profile);
  }
  return profile;
}

/** The answers kept for one loaded trainee row, made on first use (they go with the row). */
function rowMemo(
  memos: WeakMap<TraineeForMatching, Map<string, boolean>>,
  trainee: TraineeForMatching,
): Map<string, boolean> {
  let memo = memos.get(trainee);
  if (memo === undefined) {
    memo = new Map();
    memos.set(trainee, memo);
  }
  return memo;
}

// Per loaded trainee row: whether the person alone closes every pathway of a (start date, pathways) combination.
const closedCombinations = new WeakMap<TraineeForMatching, Map<string, boolean>>();
function closedToPerson(
  book: RuleBook,
  trainee: TraineeForMatching,
  profile: NonNullable<ReturnType<typeof eligibilityProfileOf>>,
  pv: PreparedMatchVacancy,
): boolean {
  const memo = rowMemo(closedCombinations, trainee);
  let closed = memo.get(pv.combination);
  if (closed === undefined) {
    closed = ownBlockersCloseAll(book, profile, pv);
    memo.set(pv.combination, closed);
  }
  return closed;
}

/**
 * Whether the trainee cannot take any vacancy with this one's start date and accepted pathways: erased, or closed by
 * their own blockers. Not memoised: a round asks it once per trainee and combination, and keeps the answer itself.
 */
export function personClosesCombination(
  book: RuleBook,
  trainee: TraineeForMatching,
  pv: PreparedMatchVacancy,
): boolean {
  const profile = trainee.status === 'active' ? profileOf(trainee) : undefined;
  return !profile || ownBlockersCloseAll(book, profile, pv);
}

/** Whether the person's own blockers close every pathway the vacancy accepts, as of its start date. */
function ownBlockersCloseAll(
  book: RuleBook,
  profile: NonNullable<ReturnType<typeof eligibilityProfileOf>>,
  pv: PreparedMatchVacancy,
): boolean {
  return book.profileClosesAll(profile, { asOf: pv.startDate, pathways: pv.vacancy.pathways });
}

/**
 * Whether the WHO safeguard list keeps the trainee from every vacancy of this one's kind (see closedBySafeguardList).
 * Not memoised: a round asks it once per trainee and kind, and keeps the answer itself.
 */
export function safeguardListCloses(trainee: TraineeForMatching, pv: PreparedMatchVacancy): boolean {
  const profile = trainee.status === 'active' ? profileOf(trainee) : undefined;
  return !profile || safeguardListClosesKind(trainee, profile, pv);
}

// Per loaded trainee row: whether the WHO safeguard list keeps the person from vacancies of one kind. The filter
// reads the person's residence and occupation, and of the vacancy only whether it is health or care work and which
// partnership it is in (a G2G one lifts it), so one answer serves every such vacancy: a round asks it once per
// trainee instead of evaluating the rules for each health vacancy only to find it closed. (The 2023 list is the one
// in force for every start date; a dated list would add the date to the kind.)
const safeguardClosures = new WeakMap<TraineeForMatching, Map<string, boolean>>();
function closedBySafeguardList(
  trainee: TraineeForMatching,
  profile: NonNullable<ReturnType<typeof eligibilityProfileOf>>,
  pv: PreparedMatchVacancy,
): boolean {
  const memo = rowMemo(safeguardClosures, trainee);
  let closed = memo.get(pv.safeguardKind);
  if (closed === undefined) {
    closed = safeguardListClosesKind(trainee, profile, pv);
    memo.set(pv.safeguardKind, closed);
  }
  return closed;
}

function safeguardListClosesKind(
  trainee: TraineeForMatching,
  profile: NonNullable<ReturnType<typeof eligibilityProfileOf>>,
  pv: PreparedMatchVacancy,
): boolean {
  const safeguards = evaluateSafeguards(profile, { asOf: pv.startDate, costSharing: pv.vacancy.costSharing });
  const candidate = candidateFromStored(trainee, profile, [], safeguards, pv.startDate);
  const filtered = checkHardFilters(candidate, pv.vacancy);
  return !filtered.ok && filtered.failures.some((f) => f.filter === 'who-safeguard-list');
}

export type CandidateCheck =
  | { ok: true; candidate: MatchCandidate; packVersions: Record<string, string> }
  | { ok: false; reasons: string[]; filters: string[] };

/**
 * The exact check of one trainee for one vacancy: the rules evaluated with this vacancy's offer as of its start date
 * (stored results carry no offer), the ethical safeguards, the hard filters and the language tolerance.
 */
export function checkCandidate(
  book: RuleBook,
  trainee: TraineeForMatching,
  pv: PreparedMatchVacancy,
  bridges?: readonly OccupationBridge[],
  options: {
    reasons?: boolean;
    /**
     * The same trainee row is checked against many vacancies (a round, a new trainee against every open vacancy):
     * ask once per start date whether the person alone closes every pathway, and once per kind of vacancy whether
     * the WHO safeguard list keeps them out, before any offer is evaluated. Only without reasons.
     */
    manyVacancies?: boolean;
  } = {},
): CandidateCheck {
  const profile = trainee.status === 'active' ? profileOf(trainee) : undefined;
  if (!profile) return { ok: false, reasons: ["The trainee's record was erased."], filters: ['erased'] };
  if (options.manyVacancies && options.reasons === false) {
    if (closedToPerson(book, trainee, profile, pv)) return { ok: false, reasons: [], filters: ['pathway'] };
    if (closedBySafeguardList(trainee, profile, pv)) return { ok: false, reasons: [], filters: ['who-safeguard-list'] };
  }
  const evaluated = evaluatePair(book, trainee, profile, pv, options.reasons !== false);
  if (evaluated === undefined) return { ok: false, reasons: [], filters: ['pathway'] };
  return vacancyFilters(evaluated, pv, bridges, options.reasons !== false);
}

/**
 * The part of a check that reads the vacancy only through its start date, accepted pathways, offer (through its
 * class: see `RuleBook.offerClass`) and the fees it leaves to the worker: the rules evaluated and the candidate
 * built from them. Pairs that agree on those get the same evaluation, but for sentences quoting the offer, so
 * without reasons a round evaluates them once (see `RoundLists`).
 */
export interface PairEvaluation {
  candidate: MatchCandidate;
  packVersions: Record<string, string>;
}

/**
 * Undefined, without reasons, when no pathway qualifies: most people a large prefilter returns fail here, and when
 * nobody will read why (no proposal to withdraw), the safeguards and the candidate are not worth building.
 */
function evaluatePair(
  book: RuleBook,
  trainee: TraineeForMatching,
  profile: NonNullable<ReturnType<typeof eligibilityProfileOf>>,
  pv: PreparedMatchVacancy,
  reasons: boolean,
): PairEvaluation | undefined {
  const results = book.evaluate(profile, { asOf: pv.startDate, pathways: pv.vacancy.pathways, offer: pv.offer });
  if (!reasons && !results.some((r) => r.status === 'eligible' || r.status === 'conditionally_eligible'))
    return undefined;
  const pathways: CandidatePathwayStatus[] = results.map((r) => ({
    pathwayId: r.pathwayId,
    status: r.status,
    ...(r.gaps && r.gaps.length > 0 ? { gaps: r.gaps } : {}),
  }));
  const packVersions: Record<string, string> = {};
  for (const r of results) packVersions[r.pathwayId] = r.pathwayVersion;
  // The WHO list is judged without the partnership here: matching decides whether this vacancy's G2G partnership
  // covers this trainee (member, or resident in its origin), which is narrower than "a G2G partnership exists".
  const safeguards = evaluateSafeguards(profile, { asOf: pv.startDate, costSharing: pv.vacancy.costSharing });
  return { candidate: candidateFromStored(trainee, profile, pathways, safeguards, pv.startDate), packVersions };
}

/** The rest of a check, which reads the vacancy itself: the hard filters and the language tolerance. */
function vacancyFilters(
  evaluated: PairEvaluation,
  pv: PreparedMatchVacancy,
  bridges: readonly OccupationBridge[] | undefined,
  reasons: boolean,
): CandidateCheck {
  const { candidate, packVersions } = evaluated;
  const context = bridges ? { bridges } : {};
  // Most pairs a caller without reasons checks pass: the failures and their sentences only when one fails.
  const filtered =
    !reasons && hardFiltersPass(candidate, pv.vacancy, context)
      ? undefined
      : checkHardFilters(candidate, pv.vacancy, context);
  const failed: string[] = [];
  const filters: string[] = [];
  if (filtered && !filtered.ok) {
    for (const f of filtered.failures) {
      failed.push(f.reason);
      filters.push(f.filter);
    }
  }
  const language = languageToleranceFailure(candidate, pv.vacancy);
  if (language) {
    failed.push(language);
    filters.push('language');
  }
  return failed.length > 0 ? { ok: false, reasons: failed, filters } : { ok: true, candidate, packVersions };
}

/**
 * For a round, which keeps evaluations itself (see `PairEvaluation`): the trainee's evaluation for this vacancy's
 * kind of pair, without reasons (undefined when erased or when no pathway qualifies). The caller has already asked
 * `personClosesCombination` and `safeguardListCloses`.
 */
export function roundPairEvaluation(
  book: RuleBook,
  trainee: TraineeForMatching,
  pv: PreparedMatchVacancy,
): PairEvaluation | undefined {
  const profile = trainee.status === 'active' ? profileOf(trainee) : undefined;
  return profile && evaluatePair(book, trainee, profile, pv, false);
}

/**
 * For a round: whether an evaluated pair passes this vacancy's own filters (`vacancyFilters` without reasons), with
 * the hard filters asked of the vacancy's scorer (prepared with the round's bridges).
 */
export function roundPairPasses(evaluated: PairEvaluation, pv: PreparedMatchVacancy, scorer: VacancyScorer): boolean {
  const { candidate } = evaluated;
  return scorer.passesHardFilters(candidate) && languageToleranceFailure(candidate, pv.vacancy) === undefined;
}

/**
 * Consent to be matched: the trainee agreed to share their profile, or is enrolled in a partnership programme (the
 * programme's enrolment is the basis for matching within it). Either way employers see a pseudonymised profile
 * until the trainee shares it or accepts a placement.
 */
export const mayBeMatched = (t: Pick<TraineeForMatching, 'consent_share_profile' | 'partnership_id'>): boolean =>
  t.consent_share_profile || t.partnership_id !== null;

function candidateFromStored(
  trainee: TraineeForMatching,
  profile: NonNullable<ReturnType<typeof eligibilityProfileOf>>,
  pathways: CandidatePathwayStatus[],
  safeguards: ReturnType<typeof evaluateSafeguards>,
  asOf: string,
): MatchCandidate {
  // The stored profile lacks names and consent (own columns); candidateFromProfile reads neither when consent is given.
  return candidateFromProfile(trainee.id, profile as TraineeProfile, {
    asOf,
    pathways,
    safeguards,
    consentToMatch: mayBeMatched(trainee),
    // The same CEFR reading as the stored language_levels tokens the SQL prefilter uses.
    cefrOf: storedCefr,
  });
}

/**
 * `bestCefr` without conversion tables, as one function for every call: a closure made per call costs more than
 * the candidate it builds in a round's millions of checks.
 */
const storedCefr = (skill: LanguageSkill): CefrLevelCode | undefined => bestCefr(skill);

// ---------------------------------------------------------------------------------------------------------------
// Reconciling a vacancy's placements.

/** Canonical JSON (sorted keys): jsonb does not keep key order, so a plain stringify would see changes that aren't. */
function canonical(value: unknown): string {
  if (Array.isArray(value)) return `[${value.map(canonical).join(',')}]`;
  if (value && typeof value === 'object') {
    const entries = Object.entries(value as Record<string, unknown>)
      .filter(([, v]) => v !== undefined)
      .sort(([a], [b]) => (a < b ? -1 : a > b ? 1 : 0));
    return `{${entries.map(([k, v]) => `${JSON.stringify(k)}:${canonical(v)}`).join(',')}}`;
  }
  return JSON.stringify(value);
}

export type PlacementWriteFields = Omit<PlacementWrite, 'vacancy_id' | 'trainee_id'>;

export function placementFields(
  ranked: Pick<RankedCandidate, 'score' | 'breakdown' | 'pathways' | 'belowSkill'>,
  packVersions: Record<string, string>,
  extra: { source: 'shortlist' | 'round'; match_round_id: string | null; rank: number | null },
): PlacementWriteFields {
  const used: Record<string, string> = {};
  for (const p of ranked.pathways) if (packVersions[p.pathwayId]) used[p.pathwayId] = packVersions[p.pathwayId]!;
  return {
    ...extra,
    score: ranked.score,
    breakdown: ranked.breakdown.map((b) => ({ ...b })),
    pathways: ranked.pathways.map((p) => ({ pathwayId: p.pathwayId, status: p.status })),
    pack_versions: used,
    below_skill: ranked.belowSkill,
  };
}

interface StoredPlacement {
  id: string;
  trainee_id: string;
  status: PlacementStatus;
  source: 'shortlist' | 'round';
  match_round_id: string | null;
  score: number;
  rank: number | null;
  breakdown: unknown;
  pathways: unknown;
  pack_versions: unknown;
  below_skill: boolean;
}

export function sameFields(p: StoredPlacement, w: PlacementWriteFields): boolean {
  return (
    p.source === w.source &&
    p.match_round_id === w.match_round_id &&
    p.score === w.score &&
    p.rank === w.rank &&
    p.below_skill === w.below_skill &&
    canonical(p.breakdown) === canonical(w.breakdown) &&
    canonical(p.pathways) === canonical(w.pathways) &&
    canonical(p.pack_versions) === canonical(w.pack_versions)
  );
}

/** Rows per INSERT when writes are batched (≤ 14 parameters a row, well under Postgres's 65,535). */
const WRITE_CHUNK = 1_000;

/** Collects the writes of one reconcile so events and audit rows go out together, in one transaction. */
export class PlacementChanges {
  readonly events: DomainEvent[] = [];
  readonly history: PlacementEventWrite[] = [];
  proposed = 0;
  reproposed = 0;
  refreshed = 0;
  withdrawn = 0;

  /** A new proposal (its history row and `placement.proposed` event are written with it); null if the pair exists. */
  async propose(trx: Executor, vacancyId: string, traineeId: string, w: PlacementWriteFields): Promise<string | null> {
    const [row] = await placementsRepository.insertProposals(trx, [
      { vacancy_id: vacancyId, trainee_id: traineeId, ...w },
    ]);
    if (!row) return null;
    this.proposed++;
    return row.id;
  }

  /**
   * Many new proposals in one statement a chunk (entrants into shortlists, a round's pairs), with their history and
   * events; a pair that already exists is skipped. Returns the new placements' ids by "vacancyId traineeId".
   */
  async proposeMany(
    trx: Executor,
    rows: readonly { vacancyId: string; traineeId: string; fields: PlacementWriteFields }[],
  ): Promise<Map<string, string>> {
    const ids = new Map<string, string>();
    for (let i = 0; i < rows.length; i += WRITE_CHUNK) {
      const inserted = await placementsRepository.insertProposals(
        trx,
        rows.slice(i, i + WRITE_CHUNK).map((r) => ({ vacancy_id: r.vacancyId, trainee_id: r.traineeId, ...r.fields })),
      );
      for (const row of inserted) ids.set(`${row.vacancy_id} ${row.trainee_id}`, row.id);
      this.proposed += inserted.length;
    }
    return ids;
  }

  async repropose(
    trx: Executor,
    p: StoredPlacement & { vacancy_id: string },
    w: PlacementWriteFields,
  ): Promise<boolean> {
    const done = await placementsRepository.transition(trx, p.id, 'withdrawn', 'proposed', {
      write: w,
      withdrawn_reason: null,
      employer_decision: null,
      trainee_decision: null,
    });
    if (!done) return false;
    this.reproposed++;
    this.record(
      p.id,
      p.vacancy_id,
      p.trainee_id,
      'withdrawn',
      'proposed',
      'The trainee qualifies again and ranks in the shortlist.',
      'placement.proposed',
      {
        score: w.score,
        rank: w.rank,
        source: w.source,
      },
    );
    return true;
  }

  async refresh(trx: Executor, p: StoredPlacement, w: PlacementWriteFields): Promise<void> {
    if (p.status !== 'proposed' || sameFields(p, w)) return;
    if (await placementsRepository.refreshProposal(trx, p.id, w)) this.refreshed++;
  }

  async withdraw(
    trx: Executor,
    p: StoredPlacement & { vacancy_id: string },
    reason: string,
    filters: readonly string[],
  ): Promise<void> {
    const done = await placementsRepository.transition(trx, p.id, p.status, 'withdrawn', {
      withdrawn_reason: reason,
      rank: null,
    });
    if (!done) return;
    this.withdrawn++;
    this.record(p.id, p.vacancy_id, p.trainee_id, p.status, 'withdrawn', reason, 'placement.withdrawn', {
      filters: [...filters],
    });
  }

  private record(
    placementId: string,
    vacancyId: string,
    traineeId: string,
    from: PlacementStatus | null,
    to: PlacementStatus,
    reason: string | null,
    type: string,
    extra: Record<string, unknown>,
  ): void {
    this.history.push({
      placement_id: placementId,
      from_status: from,
      to_status: to,
      actor_side: 'engine',
      actor_id: null,
      reason,
    });
    // Ids, statuses and filter ids only: the sentences (which describe the person) stay in the placement row.
    this.events.push({
      type,
      aggregateType: 'placement',
      aggregateId: placementId,
      payload: { placementId, vacancyId, traineeId, from, to, ...extra },
    });
  }

  /**
   * Writes the history and events recorded since the last flush (a round flushes after each chunk of proposals, so
   * that they are written while it explains the next).
   */
  async flush(trx: Executor): Promise<void> {
    const history = this.history.splice(0);
    const events = this.events.splice(0);
    // In statements of WRITE_CHUNK rows: a round proposes tens of thousands of pairs at once.
    for (let i = 0; i < history.length; i += WRITE_CHUNK)
      await placementsRepository.appendEvents(trx, history.slice(i, i + WRITE_CHUNK));
    for (let i = 0; i < events.length; i += WRITE_CHUNK)
      await outboxRepository.append(trx, events.slice(i, i + WRITE_CHUNK));
  }
}

export interface MatchVacancyOutcome {
  vacancyId: string;
  /** Trainees the SQL prefilter returned (ids and ranking features only). */
  prefiltered: number;
  /** Pathways the vacancy's offer closes to everyone (e.g. a salary below the threshold), with the criterion. */
  closedPathways: { pathwayId: string; criterionId: string }[];
  /** Trainees checked exactly (rules with the vacancy's offer, hard filters): pre-ranked rows and open proposals. */
  checked: number;
  /** Of those, the ones that passed the exact checks. */
  qualified: number;
  shortlist: number;
  proposed: number;
  reproposed: number;
  refreshed: number;
  withdrawn: number;
}

/** Placements a re-run may not re-propose: a person declined, or the pair is already past `proposed`. */
const KEEPS_OUT_OF_SHORTLIST = DECIDED_PLACEMENT_STATUSES;

const CHUNK = 2_000;
/** Profiles loaded for the first exact checks (at least twice the shortlist); each further page doubles. */
const FIRST_PAGE = 256;

/**
 * The weakest of the best `limit` exact scores so far, with the trainee id that breaks its tie: what an unchecked
 * trainee would have to beat to enter the shortlist.
 */
export class ShortlistEdge {
  private readonly scores: number[] = [];
  private readonly ids: string[] = [];
  constructor(private readonly limit: number) {}

  offer(score: number, id: string): void {
    if (this.limit === 0) return;
    const n = this.scores.length;
    if (n === this.limit && !ranksBefore(score, id, this.scores[n - 1]!, this.ids[n - 1]!)) return;
    // Insertion into a short sorted list (the shortlist is tens of entries, up to 3 × headcount).
    let i = n === this.limit ? n - 1 : n;
    while (i > 0 && ranksBefore(score, id, this.scores[i - 1]!, this.ids[i - 1]!)) {
      this.scores[i] = this.scores[i - 1]!;
      this.ids[i] = this.ids[i - 1]!;
      i--;
    }
    this.scores[i] = score;
    this.ids[i] = id;
  }

  /**
   * Whether no trainee after (bound, id) in the pre-ranking can enter: each of them has a score at most its bound,
   * which is at most `bound`, and on an equal bound an id after `id`; so once the weakest kept entry ranks before
   * (bound, id), it ranks before all of them. (Bounds are exact upper bounds: see vacancyScorer.upperBound.)
   */
  settled(bound: number, id: string): boolean {
    const n = this.scores.length;
    return n >= this.limit && (n === 0 || ranksBefore(this.scores[n - 1]!, this.ids[n - 1]!, bound, id));
  }
}

/** The ranking's order (rankCandidates): score descending, then trainee id ascending. */
export const ranksBefore = (sa: number, ida: string, sb: number, idb: string): boolean =>
  sa > sb || (sa === sb && ida < idb);

/**
 * The SQL prefilter of a vacancy: everyone its exact check could pass (compatible occupation, preferred destination,
 * available by the start date, each required language within the tolerance), with what their bounds read.
 */
export function vacancyPrefilter(
  pv: PreparedMatchVacancy,
  scorer: VacancyScorer,
  bridges: readonly OccupationBridge[],
): VacancyPrefilter {
  return {
    occupations: [...compatibleOccupations(pv.vacancy.isco08, bridges).keys()],
    destination: pv.vacancy.destination,
    startDate: pv.startDate,
    languageTokenGroups: languageTokenGroups(pv.vacancy),
    requiredLanguages: scorer.requiredLanguages,
  };
}

/**
 * Matches one vacancy and reconciles its placements, in one transaction with the vacancy locked:
 * - shortlist proposals still in the top list: score, rank and breakdown refreshed (only when they changed);
 * - new entries: inserted as `proposed` (outbox `placement.proposed`);
 * - engine-withdrawn pairs back in the top list: re-proposed (`placement.proposed`);
 * - open proposals (proposed, or accepted by one side) whose pair now fails a hard filter: withdrawn with every
 *   failed filter's sentence as the reason (`placement.withdrawn`). A one-sided acceptance does not outweigh a
 *   legal or ethical constraint, so it is withdrawn too; both sides are told through the event;
 * - shortlist proposals that still qualify but fell below the top list: withdrawn with that reason;
 * - round proposals are never trimmed by the shortlist (the round chose them), only withdrawn when invalid;
 * - declined, matched and later placements are never touched.
 */
export async function matchVacancy(
  database: Database,
  book: RuleBook,
  vacancyId: string,
  options: MatchingOptions = {},
): Promise<MatchVacancyOutcome | undefined> {
  const bridges = options.bridges ?? DEFAULT_OCCUPATION_BRIDGES;
  const shortlistSize = options.shortlistSize ?? defaultShortlistSize;
  return database.db.transaction().execute(async (trx) => {
    const row = await matchingRepository.lockVacancy(trx, vacancyId);
    if (!row) return undefined;
    const existing = await placementsRepository.forVacancy(trx, vacancyId);
    const filled = filledPlaces(existing);
    const pv = prepareMatchVacancy(row as VacancyForMatching, filled);
    const changes = new PlacementChanges();
    const outcome: MatchVacancyOutcome = {
      vacancyId,
      prefiltered: 0,
      closedPathways: [],
      checked: 0,
      qualified: 0,
      shortlist: 0,
      proposed: 0,
      reproposed: 0,
      refreshed: 0,
      withdrawn: 0,
    };
    if (!pv) {
      const reason = 'The vacancy has no start date, so eligibility and availability cannot be judged.';
      for (const p of existing) if (OPEN.has(p.status)) await changes.withdraw(trx, { ...p }, reason, ['start-date']);
      await changes.flush(trx);
      return { ...outcome, withdrawn: changes.withdrawn };
    }

    const byTrainee = new Map(existing.map((p) => [p.trainee_id, p]));
    const limit = shortlistSize(pv.vacancy.headcount);
    const scorer = vacancyScorer(pv.vacancy, { bridges });
    const qualified: MatchCandidate[] = [];
    const passed = new Map<string, MatchCandidate>();
    const packVersions = new Map<string, Record<string, string>>();
    const failures = new Map<string, { reasons: string[]; filters: string[] }>();
    const best = new ShortlistEdge(limit);
    const checked = new Set<string>();

    const check = (t: TraineeForMatching): void => {
      checked.add(t.id);
      const result = checkCandidate(book, t, pv, bridges, { reasons: byTrainee.has(t.id) });
      if (!result.ok) failures.set(t.id, result);
      else {
        packVersions.set(t.id, result.packVersions);
        passed.set(t.id, result.candidate);
        const held = byTrainee.get(t.id);
        // Round proposals are scored below on their own; people's decisions keep a pair out of the ranking.
        if (
          !held ||
          (!KEEPS_OUT_OF_SHORTLIST.has(held.status) && held.source === 'shortlist') ||
          held.status === 'withdrawn'
        ) {
          qualified.push(result.candidate);
          best.offer(scorer.score(result.candidate), t.id);
        }
      }
    };

    // An offer that fails a pathway whoever applies (a salary below every threshold, say) closes it; when it closes
    // all of them, nobody can qualify and only the open proposals need their reasons.
    const closed = book.offerBlockers(pv.offer, { asOf: pv.startDate, pathways: pv.vacancy.pathways });
    outcome.closedPathways = closed.map((c) => ({ pathwayId: c.pathwayId, criterionId: c.criterionId }));
    await tellEmployerOfClosedPathways(trx, row, closed, pv.vacancy.pathways.length);
    const survivors =
      closed.length === pv.vacancy.pathways.length
        ? []
        : await matchingRepository.prefilterForVacancy(trx, vacancyPrefilter(pv, scorer, bridges));
    outcome.prefiltered = survivors.length;

    // Best possible score first (ties by id, as the ranking breaks them). Profiles are loaded and checked exactly a
    // page at a time until the shortlist is full of people nobody unchecked can outrank (see ShortlistEdge.settled).
    const order = survivors.map((s) => ({ id: s.id, bound: scorer.upperBound(s.features) }));
    order.sort((a, b) => b.bound - a.bound || (a.id < b.id ? -1 : a.id > b.id ? 1 : 0));
    let next = 0;
    let page = Math.max(FIRST_PAGE, 2 * limit);
    const load = (): { ids: { id: string; bound: number }[]; rows: Promise<TraineeForMatching[]> } | undefined => {
      if (next >= order.length) return undefined;
      const ids = order.slice(next, next + page);
      next += ids.length;
      page *= 2;
      return {
        ids,
        rows: matchingRepository.traineesByIds(
          trx,
          ids.map((s) => s.id),
        ),
      };
    };
    let pending = load();
    for (let pages = 0; pending; pages++) {
      const rows = await pending.rows;
      const last = pending.ids[pending.ids.length - 1]!;
      // After the first page (which usually settles a shortlist with candidates), the next page is read by Postgres
      // while this one is checked here (the query is queued on the connection); if this page settles the shortlist,
      // that read is wasted but harmless.
      pending = pages === 0 ? undefined : load();
      for (let i = 0; i < rows.length; i++) {
        check(rows[i]!);
        if (i % CHUNK === CHUNK - 1) await yieldToEventLoop();
      }
      if (best.settled(last.bound, last.id)) {
        if (pending) await pending.rows;
        break;
      }
      pending ??= load();
    }
    // Trainees holding open placements are re-checked whether or not the prefilter returned or reached them: the
    // exact checks give the reason a proposal is withdrawn (a trainee the prefilter drops fails one of them too).
    const holders = existing.filter((p) => OPEN.has(p.status) && !checked.has(p.trainee_id)).map((p) => p.trainee_id);
    for (const t of await matchingRepository.traineesByIds(trx, holders)) check(t);
    outcome.checked = checked.size;
    outcome.qualified = passed.size;

    const shortlist = rankCandidates(pv.vacancy, qualified, { prefiltered: true, limit, bridges });
    outcome.shortlist = shortlist.length;
    const inShortlist = new Set<string>();
    for (let i = 0; i < shortlist.length; i++) {
      const r = shortlist[i]!;
      inShortlist.add(r.traineeId);
      const fields = placementFields(r, packVersions.get(r.traineeId)!, {
        source: 'shortlist',
        match_round_id: null,
        rank: i + 1,
      });
      const held = byTrainee.get(r.traineeId);
      if (!held) await changes.propose(trx, vacancyId, r.traineeId, fields);
      else if (held.status === 'withdrawn') await changes.repropose(trx, { ...held, vacancy_id: vacancyId }, fields);
      else await changes.refresh(trx, held, fields);
    }

    for (const p of existing) {
      if (!OPEN.has(p.status) || inShortlist.has(p.trainee_id)) continue;
      const failed = failures.get(p.trainee_id);
      if (failed) {
        await changes.withdraw(trx, { ...p, vacancy_id: vacancyId }, failed.reasons.join(' '), failed.filters);
      } else if (p.status !== 'proposed') {
        // Accepted by one side and still valid: a person is deciding; the engine leaves it alone.
      } else if (p.source === 'round') {
        const candidate = passed.get(p.trainee_id);
        if (candidate) {
          const score = scorePair(candidate, pv.vacancy, undefined, { bridges });
          const pathways = candidate.pathways
            .filter(
              (x) =>
                pv.vacancy.pathways.includes(x.pathwayId) &&
                (x.status === 'eligible' || x.status === 'conditionally_eligible'),
            )
            .map((x) => ({ pathwayId: x.pathwayId, status: x.status }));
          await changes.refresh(
            trx,
            p,
            placementFields({ ...score, pathways }, packVersions.get(p.trainee_id)!, {
              source: 'round',
              match_round_id: p.match_round_id,
              rank: null,
            }),
          );
        }
      } else {
        await changes.withdraw(
          trx,
          { ...p, vacancy_id: vacancyId },
          belowShortlistReason(limit, pv.vacancy.headcount),
          ['shortlist'],
        );
      }
    }
    await changes.flush(trx);
    return {
      ...outcome,
      proposed: changes.proposed,
      reproposed: changes.reproposed,
      refreshed: changes.refreshed,
      withdrawn: changes.withdrawn,
    };
  });
}

/** Why a shortlist proposal that still qualifies is withdrawn. */
export const belowShortlistReason = (limit: number, headcount: number): string =>
  `Other candidates now rank higher: the shortlist keeps the best ${limit} for ${headcount} place${headcount === 1 ? '' : 's'}.`;

/** Places taken (matched and later), from a vacancy's placements. */
export const filledPlaces = (placements: readonly { status: PlacementStatus }[]): number =>
  placements.filter((p) => FILLED.has(p.status)).length;

/** Vacancies re-matched per job after a pathway's rules changed. */
export const PATHWAY_VACANCY_CHUNK = 100;

/**
 * A pathway's rules changed (published, or a dated version took effect): re-match the next PATHWAY_VACANCY_CHUNK
 * open vacancies that accept it. Stored eligibility is evaluated without an offer, so a new salary threshold or
 * job-offer condition flips no trainee; it changes which offers qualify, and only re-matching the vacancies finds
 * the proposals it invalidates (withdrawn with the criterion's sentence) and the ones it makes possible.
 * Returns the cursor of the next chunk, if any.
 */
export async function rematchPathwayVacancies(
  database: Database,
  book: RuleBook,
  pathwayId: string,
  after: string | undefined,
  options: MatchingOptions = {},
): Promise<{ rematched: MatchVacancyOutcome[]; next: string | undefined }> {
  const ids = await matchingRepository.openVacanciesAccepting(database.db, pathwayId, after, PATHWAY_VACANCY_CHUNK);
  const rematched: MatchVacancyOutcome[] = [];
  for (const id of ids) {
    const outcome = await matchVacancy(database, book, id, options);
    if (outcome) rematched.push(outcome);
  }
  return { rematched, next: ids.length === PATHWAY_VACANCY_CHUNK ? ids[ids.length - 1] : undefined };
}

const OPEN: ReadonlySet<PlacementStatus> = new Set<PlacementStatus>([
  'proposed',
  'accepted_by_employer',
  'accepted_by_trainee',
]);
const FILLED: ReadonlySet<PlacementStatus> = new Set<PlacementStatus>([
  'matched',
  'visa_lodged',
  'visa_granted',
  'arrived',
  'licensed',
  'retained_12m',
]);
