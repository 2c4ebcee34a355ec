import { CEFR_LEVELS, cefrRank, ISCO08_UNIT_GROUPS } from '@corridor/domain';
import { monthsBetween } from './dates.ts';
import { passesHardFilters } from './hard-filters.ts';
import { countryName, languageName } from './names.ts';
import {
  type PreparedVacancy,
  prepareVacancy,
  SCORE_FACTORS,
  type ScoreFactor,
  type ScoreWeights,
  type ScoringOptions,
} from './prepared-vacancy.ts';
import type { CandidatePathwayStatus, MatchCandidate, MatchVacancy } from './types.ts';

/** One line of a score's breakdown, as the contract's placement and match items carry it. */
export interface BreakdownItem {
  factor: ScoreFactor;
  /** Share of the score (weights are normalised to sum to 1). */
  weight: number;
  /** 0..1, rounded to 4 decimals; the score is exactly Σ weight × value. */
  value: number;
  /** A sentence an HR person or the trainee can read. */
  detail: string;
  /** On `occupationFit` only: the trainee would work below their skill level. */
  belowSkill?: boolean;
}

export interface PairScore {
  /** 0..1: the weighted sum of the breakdown's values. */
  score: number;
  breakdown: BreakdownItem[];
  belowSkill: boolean;
}

// ---------------------------------------------------------------------------------------------------------------
// Factor values. Each is allocation-free so the ranking loop can score every candidate and build sentences only
// for the shortlist. `explain` re-runs the same functions, so a shortlisted score equals its breakdown's sum.

const round4 = (x: number): number => Math.round(x * 1e4) / 1e4;
const clamp01 = (x: number): number => Math.max(0, Math.min(1, x));

function languageRankOf(c: MatchCandidate, language: string): number {
  let best = 0;
  for (const l of c.languages) {
    if (l.language !== language) continue;
    const r = cefrRank(l.cefr);
    if (r > best) best = r;
  }
  return best;
}

/** The weakest margin, in CEFR levels, over the vacancy's language requirements; +∞ when there are none. */
function minLanguageMargin(c: MatchCandidate, pv: PreparedVacancy): number {
  let min = Number.POSITIVE_INFINITY;
  for (const req of pv.requiredLanguages) {
    const margin = languageRankOf(c, req.language) - req.rank;
    if (margin < min) min = margin;
  }
  return min;
}

function languageStepsShort(c: MatchCandidate, pv: PreparedVacancy): number {
  let steps = 0;
  for (const req of pv.requiredLanguages) {
    const short = req.rank - languageRankOf(c, req.language);
    if (short > 0) steps += short;
  }
  return steps;
}

/** Meeting the requirement exactly scores 0.7; each level above adds 0.15; one level short drops to 0.4, two to 0.1. */
function languageValue(minMargin: number): number {
  if (minMargin === Number.POSITIVE_INFINITY) return 1;
  return round4(minMargin >= 0 ? Math.min(1, 0.7 + 0.15 * minMargin) : clamp01(0.4 + 0.3 * (minMargin + 1)));
}

/** Months of experience in the vacancy's occupation or in an occupation bridged into it. */
function relevantExperienceMonths(c: Pick<MatchCandidate, 'experience'>, pv: PreparedVacancy): number {
  let months = 0;
  for (const e of c.experience) if (pv.occupations.has(e.isco08)) months += e.months;
  return months;
}

/** Meeting the minimum scores 0.7, rising to 1 at two more years; with no minimum, three years score 1. */
function experienceValue(months: number, required: number): number {
  if (required > 0) {
    return round4(months >= required ? Math.min(1, 0.7 + (0.3 * (months - required)) / 24) : (0.7 * months) / required);
  }
  return round4(Math.min(1, months / 36));
}

function isQualifying(p: CandidatePathwayStatus, pv: PreparedVacancy): boolean {
  return (p.status === 'eligible' || p.status === 'conditionally_eligible') && pv.accepted.has(p.pathwayId);
}

/** Months of bridging the trainee still needs after the start date on this pathway. */
function bridgingMonths(p: CandidatePathwayStatus, pv: PreparedVacancy): number {
  if (p.status === 'eligible') return 0;
  if (p.readyBy !== undefined) return Math.max(0, monthsBetween(pv.vacancy.startDate, p.readyBy));
  return Math.max(1, p.gaps?.length ?? 0) * pv.monthsPerGap;
}

/** Index in `c.pathways` of the accepted pathway that makes the trainee ready soonest; -1 when none qualifies. */
function bestPathwayIndex(c: MatchCandidate, pv: PreparedVacancy): number {
  let best = -1;
  let bestMonths = Number.POSITIVE_INFINITY;
  for (let i = 0; i < c.pathways.length; i++) {
    const p = c.pathways[i]!;
    if (!isQualifying(p, pv)) continue;
    const m = bridgingMonths(p, pv);
    // Strictly less: on equal months the earlier-listed pathway stays, so the choice is deterministic.
    if (m < bestMonths) {
      best = i;
      bestMonths = m;
    }
  }
  return best;
}

function readinessValue(months: number, horizon: number): number {
  return round4(clamp01(1 - months / horizon));
}

// Scratch for the three cost parts; matching is synchronous, so one buffer per module is safe.
const costScratch = new Float64Array(3);

function isLanguageGap(criterionId: string): boolean {
  return criterionId.startsWith('language');
}

/** Fills costScratch with [training, travel, visa] and returns the share the employer pays. */
function costCoverage(c: MatchCandidate, pv: PreparedVacancy, pathwayIndex: number): number {
  const model = pv.costModel;
  const own = c.bridgingCosts;
  let training = own?.training;
  if (training === undefined) {
    let languageGaps = 0;
    let otherGaps = 0;
    const gaps = pathwayIndex >= 0 ? c.pathways[pathwayIndex]!.gaps : undefined;
    if (gaps) for (const g of gaps) isLanguageGap(g.criterionId) ? languageGaps++ : otherGaps++;
    // A language gap on the pathway and a shortfall against the vacancy are usually the same course: count it once.
    training =
      Math.max(languageStepsShort(c, pv), languageGaps) * model.trainingPerCefrStep + otherGaps * model.trainingPerGap;
  }
  const travel = own?.travel ?? model.travel;
  const visa = own?.visa ?? model.visa;
  costScratch[0] = training;
  costScratch[1] = travel;
  costScratch[2] = visa;
  const total = training + travel + visa;
  if (total <= 0) return 1;
  const cs = pv.vacancy.costSharing;
  const covered =
    (cs.employerPaysTraining ? training : 0) + (cs.employerPaysTravel ? travel : 0) + (cs.employerPaysVisa ? visa : 0);
  return round4(covered / total);
}

/** First choice scores 1, then down in equal steps; no stated preference scores 0.5 (open, but not chosen). */
function preferenceValue(c: MatchCandidate, destination: string): number {
  const list = c.preferences?.destinations;
  if (!list || list.length === 0) return 0.5;
  const idx = list.indexOf(destination);
  return idx < 0 ? 0 : round4(1 - idx / list.length);
}

/** The score alone, allocation-free. Must stay in step with `explain`. */
export function scorePrepared(c: MatchCandidate, pv: PreparedVacancy): number {
  const w = pv.weights;
  const occ = pv.occupations.get(c.isco08);
  const pathwayIndex = bestPathwayIndex(c, pv);
  const months = pathwayIndex >= 0 ? bridgingMonths(c.pathways[pathwayIndex]!, pv) : Number.POSITIVE_INFINITY;
  return (
    w.occupationFit * (occ ? occ.fit : 0) +
    w.languageMargin * languageValue(minLanguageMargin(c, pv)) +
    w.experience * experienceValue(relevantExperienceMonths(c, pv), pv.minExperienceMonths) +
    w.readiness * readinessValue(months, pv.readinessHorizonMonths) +
    w.costCoverage * costCoverage(c, pv, pathwayIndex) +
    w.destinationPreference * preferenceValue(c, pv.vacancy.destination)
  );
}

// ---------------------------------------------------------------------------------------------------------------
// Pre-ranking: an upper bound on the score from what an index holds, so that a database can order a vacancy's
// candidates before their profiles are loaded, and the exact checks can stop once nobody left can enter the shortlist.

/** What is known of a trainee without their profile: the columns the SQL prefilter reads. */
export interface RankingFeatures {
  isco08: string;
  /** The weakest margin in CEFR levels over the vacancy's required languages (see `minLanguageMargin`); +∞ if none. */
  minLanguageMargin: number;
  /** CEFR levels short, summed over the required languages (see `languageStepsShort`). */
  languageStepsShort: number;
  /** 0-based position of the vacancy's destination in the trainee's preferences; -1 when absent. */
  preferenceIndex: number;
  /** Length of the trainee's preference list; 0 = open to all. */
  preferenceCount: number;
  /**
   * Months of experience in the vacancy's occupation or one bridged into it, counted to a date no earlier than the
   * vacancy's start date (months only grow with the date); absent when unknown, and experience then counts as 1.
   */
  experienceMonths?: number;
}

/**
 * The highest score a trainee with these features can reach for the vacancy. Occupation, language and destination
 * preference are exact; experience is exact when the features carry it (at least the months the score counts, and
 * its value only grows with them), else 1; readiness (which needs the rules) counts as 1; cost coverage
 * counts its best case given the least training the language shortfall implies. It is the same floating-point
 * expression as `scorePrepared` with each unknown factor at a value it can never exceed, and rounding is monotone,
 * so `scorePrepared(c) <= upperBound(features of c)` holds exactly, not just up to rounding. Candidates carrying
 * their own `bridgingCosts` are not covered (stored profiles never do).
 */
function upperBoundPrepared(
  f: RankingFeatures,
  pv: PreparedVacancy,
  experienceMonths: number | undefined = f.experienceMonths,
): number {
  const w = pv.weights;
  const occ = pv.occupations.get(f.isco08);
  const fixed = pv.fixedCosts;
  const leastTraining = f.languageStepsShort * pv.costModel.trainingPerCefrStep;
  // Paid training: coverage rises towards 1 as training grows, so 1 bounds it. Unpaid: it falls, so the least
  // training bounds it.
  const cost =
    pv.paysTraining || leastTraining + fixed <= 0 ? 1 : round4(pv.coveredFixedCosts / (leastTraining + fixed));
  const pref =
    f.preferenceCount === 0 ? 0.5 : f.preferenceIndex < 0 ? 0 : round4(1 - f.preferenceIndex / f.preferenceCount);
  return (
    w.occupationFit * (occ ? occ.fit : 0) +
    w.languageMargin * languageValue(f.minLanguageMargin) +
    w.experience * (experienceMonths === undefined ? 1 : experienceValue(experienceMonths, pv.minExperienceMonths)) +
    w.readiness * 1 +
    w.costCoverage * cost +
    w.destinationPreference * pref
  );
}

/** The features `upperBound` expects for a candidate already loaded (tests, and callers that hold profiles). */
function featuresOf(c: MatchCandidate, pv: PreparedVacancy): RankingFeatures {
  const list = c.preferences?.destinations ?? [];
  return {
    isco08: c.isco08,
    minLanguageMargin: minLanguageMargin(c, pv),
    languageStepsShort: languageStepsShort(c, pv),
    preferenceIndex: list.indexOf(pv.vacancy.destination),
    preferenceCount: list.length,
    experienceMonths: relevantExperienceMonths(c, pv),
  };
}

/** Scoring for one vacancy, prepared once: the exact score and its upper bound from indexable features. */
export interface VacancyScorer {
  readonly requiredLanguages: readonly { language: string; rank: number }[];
  /**
   * Equal for two vacancies scored with the same options iff `upperBound` reads the same of them: occupation,
   * destination, required languages, the experience asked for and who pays what. Vacancies sharing a key share every trainee's bound, so a
   * caller ranking many vacancies for one trainee computes it once per key.
   */
  readonly boundKey: string;
  score(c: MatchCandidate): number;
  /**
   * `hardFiltersPass` for this vacancy (no direct application), with the bridges it was prepared with: for a caller
   * that holds the scorer and checks many candidates against it (a round), without looking the vacancy's
   * preparation up again for each.
   */
  passesHardFilters(c: MatchCandidate): boolean;
  upperBound(f: RankingFeatures): number;
  featuresOf(c: MatchCandidate): RankingFeatures;
  /** The months of this experience `featuresOf` counts for the vacancy (its occupation or one bridged into it). */
  experienceMonths(experience: MatchCandidate['experience']): number;
  /**
   * `upperBound` of `f` with `experienceMonths` in place of its own: given a trainee's features for a vacancy of the
   * same occupation, destination and required languages (everything else featuresOf reads) and their
   * `experienceMonths` here, their bound for this vacancy, without building its features (a round asks it for every
   * trainee and group of vacancies).
   */
  upperBoundWith(f: RankingFeatures, experienceMonths: number): number;
}

export function vacancyScorer(
  vacancy: MatchVacancy,
  options: ScoringOptions & { weights?: Partial<ScoreWeights> } = {},
): VacancyScorer {
  const pv = prepareVacancy(vacancy, options);
  const cs = vacancy.costSharing;
  return {
    requiredLanguages: pv.requiredLanguages.map((r) => ({ language: r.language, rank: r.rank })),
    boundKey: [
      vacancy.isco08,
      vacancy.destination,
      pv.requiredLanguages
        .map((r) => `${r.language}:${r.rank}`)
        .sort()
        .join(','),
      pv.minExperienceMonths,
      `${+cs.employerPaysTraining}${+cs.employerPaysTravel}${+cs.employerPaysVisa}`,
    ].join('|'),
    score: (c) => scorePrepared(c, pv),
    passesHardFilters: (c) => passesHardFilters(c, pv),
    upperBound: (f) => upperBoundPrepared(f, pv),
    featuresOf: (c) => featuresOf(c, pv),
    experienceMonths: (experience) => relevantExperienceMonths({ experience }, pv),
    upperBoundWith: (f, experienceMonths) => upperBoundPrepared(f, pv, experienceMonths),
  };
}

// ---------------------------------------------------------------------------------------------------------------
// Sentences.

const occupationLabel = (isco: string): string => {
  const title = ISCO08_UNIT_GROUPS.get(isco);
  return title ? `${isco} (${title})` : isco;
};
const cefrOf = (rank: number): string => (rank > 0 ? CEFR_LEVELS[rank - 1]! : 'no level recorded');
const plural = (n: number, word: string): string => `${n} ${word}${n === 1 ? '' : 's'}`;
const money = (currency: string, amount: number): string => `${currency} ${Math.round(amount).toLocaleString('en-US')}`;
const ordinal = (n: number): string => {
  const s = n % 100 >= 11 && n % 100 <= 13 ? 'th' : (['th', 'st', 'nd', 'rd'][n % 10] ?? 'th');
  return `${n}${s}`;
};

function occupationItem(c: MatchCandidate, pv: PreparedVacancy, weight: number): BreakdownItem {
  const occ = pv.occupations.get(c.isco08);
  const job = occupationLabel(pv.vacancy.isco08);
  let detail: string;
  if (!occ) detail = `The trainee's occupation ${occupationLabel(c.isco08)} does not match the job's ${job}.`;
  else if (occ.kind === 'same') detail = `Same occupation: both are ISCO-08 ${job}.`;
  else
    detail = `${occ.belowSkill ? 'Below skill level' : 'Related occupation'}: the trainee is ${occupationLabel(c.isco08)} and the job is ${job}; ${occ.reason}.`;
  return { factor: 'occupationFit', weight, value: occ ? occ.fit : 0, detail, belowSkill: occ?.belowSkill ?? false };
}

function languageItem(c: MatchCandidate, pv: PreparedVacancy, weight: number): BreakdownItem {
  const value = languageValue(minLanguageMargin(c, pv));
  if (pv.requiredLanguages.length === 0) {
    return { factor: 'languageMargin', weight, value, detail: 'The vacancy sets no language requirement.' };
  }
  const parts = pv.requiredLanguages.map((req) => {
    const have = languageRankOf(c, req.language);
    const margin = have - req.rank;
    const how =
      margin === 0
        ? 'meets it exactly'
        : margin > 0
          ? `${plural(margin, 'level')} above`
          : `${plural(-margin, 'level')} short`;
    return `${languageName(req.language)} ${cefrOf(have)} against ${req.cefr} required (${how})`;
  });
  return { factor: 'languageMargin', weight, value, detail: `${parts.join('; ')}.` };
}

function experienceItem(c: MatchCandidate, pv: PreparedVacancy, weight: number): BreakdownItem {
  const months = relevantExperienceMonths(c, pv);
  const required = pv.minExperienceMonths;
  const detail =
    required > 0
      ? `${plural(months, 'month')} of relevant experience against ${plural(required, 'month')} required.`
      : `${plural(months, 'month')} of relevant experience; the vacancy sets no minimum.`;
  return { factor: 'experience', weight, value: experienceValue(months, required), detail };
}

function readinessItem(c: MatchCandidate, pv: PreparedVacancy, weight: number, pathwayIndex: number): BreakdownItem {
  const start = pv.vacancy.startDate;
  if (pathwayIndex < 0) {
    return {
      factor: 'readiness',
      weight,
      value: 0,
      detail: `No pathway the vacancy accepts is open to the trainee on the ${start} start date.`,
    };
  }
  const p = c.pathways[pathwayIndex]!;
  const months = bridgingMonths(p, pv);
  const value = readinessValue(months, pv.readinessHorizonMonths);
  let detail: string;
  if (p.status === 'eligible') detail = `Eligible for ${p.pathwayId} on the ${start} start date; no bridging needed.`;
  else {
    const gaps = p.gaps ?? [];
    const gapText =
      gaps.length > 0 ? ` (open gaps: ${gaps.map((g) => `need ${g.need}, have ${g.have}`).join('; ')})` : '';
    const when =
      p.readyBy !== undefined
        ? months > 0
          ? `expected ready by ${p.readyBy}, about ${plural(Math.round(months), 'month')} after the ${start} start`
          : `expected ready by ${p.readyBy}, before the ${start} start`
        : `about ${plural(Math.round(months), 'month')} of bridging after the ${start} start`;
    detail = `Conditionally eligible for ${p.pathwayId}: ${when}${gapText}.`;
  }
  return { factor: 'readiness', weight, value, detail };
}

function costItem(c: MatchCandidate, pv: PreparedVacancy, weight: number, pathwayIndex: number): BreakdownItem {
  const value = costCoverage(c, pv, pathwayIndex);
  const [training, travel, visa] = costScratch as unknown as [number, number, number];
  const cur = pv.costModel.currency;
  const cs = pv.vacancy.costSharing;
  const paid: string[] = [];
  if (cs.employerPaysTraining) paid.push('training');
  if (cs.employerPaysTravel) paid.push('travel');
  if (cs.employerPaysVisa) paid.push('visa');
  const total = training + travel + visa;
  const estimate = `Estimated costs to bridge: ${money(cur, total)} (training ${money(cur, training)}, travel ${money(cur, travel)}, visa ${money(cur, visa)})`;
  const share =
    paid.length === 0
      ? 'the employer covers none of them'
      : `the employer pays ${paid.join(', ')}, covering ${Math.round(value * 100)}%`;
  return { factor: 'costCoverage', weight, value, detail: `${estimate}; ${share}.` };
}

function preferenceItem(c: MatchCandidate, pv: PreparedVacancy, weight: number): BreakdownItem {
  const dest = pv.vacancy.destination;
  const list = c.preferences?.destinations;
  const value = preferenceValue(c, dest);
  let detail: string;
  if (!list || list.length === 0) detail = 'The trainee stated no destination preference and is open to all.';
  else {
    const idx = list.indexOf(dest);
    detail =
      idx < 0
        ? `${countryName(dest)} is not among the trainee's preferred destinations.`
        : `${countryName(dest)} is the trainee's ${ordinal(idx + 1)} of ${plural(list.length, 'preferred destination')}.`;
  }
  return { factor: 'destinationPreference', weight, value, detail };
}

/** The full breakdown. Its items follow `SCORE_FACTORS`, and its values are the ones `scorePrepared` sums. */
export function explain(c: MatchCandidate, pv: PreparedVacancy): PairScore {
  const w = pv.weights;
  const pathwayIndex = bestPathwayIndex(c, pv);
  const byFactor: Record<ScoreFactor, BreakdownItem> = {
    occupationFit: occupationItem(c, pv, w.occupationFit),
    languageMargin: languageItem(c, pv, w.languageMargin),
    experience: experienceItem(c, pv, w.experience),
    readiness: readinessItem(c, pv, w.readiness, pathwayIndex),
    costCoverage: costItem(c, pv, w.costCoverage, pathwayIndex),
    destinationPreference: preferenceItem(c, pv, w.destinationPreference),
  };
  const breakdown = SCORE_FACTORS.map((f) => byFactor[f]);
  return { score: scorePrepared(c, pv), breakdown, belowSkill: byFactor.occupationFit.belowSkill === true };
}

/**
 * Scores one trainee for one vacancy: a transparent weighted sum in 0..1 (see `DEFAULT_WEIGHTS`). It does not apply
 * the hard filters; call `checkHardFilters` first, or use `rankCandidates`, which does both.
 */
export function scorePair(
  candidate: MatchCandidate,
  vacancy: MatchVacancy,
  weights?: Partial<ScoreWeights>,
  options: ScoringOptions = {},
): PairScore {
  return explain(candidate, prepareVacancy(vacancy, weights ? { ...options, weights } : options));
}

// ---------------------------------------------------------------------------------------------------------------
// Ranking.

export interface RankOptions extends ScoringOptions {
  weights?: Partial<ScoreWeights>;
  /** Shortlist length; default max(10, 3 × headcount). */
  limit?: number;
  /** Skip the hard filters because the caller has already applied them (e.g. in SQL and with `checkHardFilters`). */
  prefiltered?: boolean;
}

export interface RankedCandidate extends PairScore {
  traineeId: string;
  /** The vacancy's accepted pathways on which the trainee qualifies, as the contract's match items list them. */
  pathways: { pathwayId: string; status: CandidatePathwayStatus['status'] }[];
}

/** Whether candidate a ranks before b: score descending, then trainee id ascending (code-unit order, locale-free). */
const before = (sa: number, ida: string, sb: number, idb: string): boolean => sa > sb || (sa === sb && ida < idb);

/**
 * The shortlist for a vacancy, best first. Every candidate is scored with numbers only, the best `limit` are kept
 * in a bounded heap, and sentences are built for those alone, so ranking 10,000 candidates costs a few milliseconds.
 */
export function rankCandidates(
  vacancy: MatchVacancy,
  candidates: readonly MatchCandidate[],
  options: RankOptions = {},
): RankedCandidate[] {
  const pv = prepareVacancy(vacancy, options);
  const limit = Math.max(0, Math.floor(options.limit ?? Math.max(10, 3 * vacancy.headcount)));
  if (limit === 0) return [];
  // Min-heap of the kept candidates with the one that ranks last at the root.
  const heapIdx = new Int32Array(limit);
  const heapScore = new Float64Array(limit);
  let size = 0;
  const worse = (i: number, j: number): boolean =>
    before(heapScore[j]!, candidates[heapIdx[j]!]!.traineeId, heapScore[i]!, candidates[heapIdx[i]!]!.traineeId);
  const swap = (i: number, j: number): void => {
    const ti = heapIdx[i]!;
    heapIdx[i] = heapIdx[j]!;
    heapIdx[j] = ti;
    const ts = heapScore[i]!;
    heapScore[i] = heapScore[j]!;
    heapScore[j] = ts;
  };
  const siftDown = (start: number): void => {
    let i = start;
    for (;;) {
      const l = 2 * i + 1;
      if (l >= size) return;
      const r = l + 1;
      const m = r < size && worse(r, l) ? r : l;
      if (!worse(m, i)) return;
      swap(i, m);
      i = m;
    }
  };

  for (let k = 0; k < candidates.length; k++) {
    const c = candidates[k]!;
    if (!options.prefiltered && !passesHardFilters(c, pv)) continue;
    const s = scorePrepared(c, pv);
    if (size < limit) {
      let i = size++;
      heapIdx[i] = k;
      heapScore[i] = s;
      while (i > 0) {
        const parent = (i - 1) >> 1;
        if (!worse(i, parent)) break;
        swap(i, parent);
        i = parent;
      }
    } else if (before(s, c.traineeId, heapScore[0]!, candidates[heapIdx[0]!]!.traineeId)) {
      heapIdx[0] = k;
      heapScore[0] = s;
      siftDown(0);
    }
  }

  const kept = Array.from(heapIdx.subarray(0, size));
  const scoreOf = new Map<number, number>();
  for (let i = 0; i < size; i++) scoreOf.set(heapIdx[i]!, heapScore[i]!);
  kept.sort((a, b) => {
    const sa = scoreOf.get(a)!;
    const sb = scoreOf.get(b)!;
    if (sa !== sb) return sb - sa;
    const ia = candidates[a]!.traineeId;
    const ib = candidates[b]!.traineeId;
    return ia < ib ? -1 : ia > ib ? 1 : 0;
  });
  return kept.map((k) => {
    const c = candidates[k]!;
    return {
      traineeId: c.traineeId,
      ...explain(c, pv),
      pathways: c.pathways
        .filter((p) => isQualifying(p, pv))
        .map((p) => ({ pathwayId: p.pathwayId, status: p.status })),
    };
  });
}
