import { type CefrLevelCode, cefrRank } from '@corridor/domain';
import { compatibleOccupations, DEFAULT_OCCUPATION_BRIDGES } from './occupation-bridges.ts';
import type { MatchVacancy, OccupationBridge, OccupationMatch } from './types.ts';

/** The scoring factors, in the order the breakdown lists them. The names are persisted in placements: never rename. */
export const SCORE_FACTORS = [
  'occupationFit',
  'languageMargin',
  'experience',
  'readiness',
  'costCoverage',
  'destinationPreference',
] as const;
export type ScoreFactor = (typeof SCORE_FACTORS)[number];
export type ScoreWeights = Record<ScoreFactor, number>;

/** Default weights; they sum to 1. Occupation and language come first because they decide whether the job can be done safely. */
export const DEFAULT_WEIGHTS: Readonly<ScoreWeights> = {
  occupationFit: 0.25,
  languageMargin: 0.2,
  experience: 0.15,
  readiness: 0.15,
  costCoverage: 0.1,
  destinationPreference: 0.15,
};

/**
 * Rough costs of bridging a trainee to a job, used when the candidate carries no estimate of their own.
 * Planning figures, not quotes: they only need to rank vacancies' cost-sharing against each other.
 */
export interface CostModel {
  currency: string;
  /** A course or exam to close one non-language gap (recognition, licence, skills test). */
  trainingPerGap: number;
  /** Language training for one CEFR level. */
  trainingPerCefrStep: number;
  travel: number;
  visa: number;
}
export const DEFAULT_COST_MODEL: Readonly<CostModel> = {
  currency: 'EUR',
  trainingPerGap: 2000,
  trainingPerCefrStep: 1500,
  travel: 1200,
  visa: 400,
};

export interface ScoringOptions {
  bridges?: readonly OccupationBridge[];
  costModel?: Partial<CostModel>;
  /** Months of bridging assumed per open gap when a conditional status has no `readyBy`. Default 6. */
  monthsPerGap?: number;
  /** Bridging time after the start date at which readiness scores 0. Default 24 months. */
  readinessHorizonMonths?: number;
}

export interface PreparedVacancy {
  vacancy: MatchVacancy;
  accepted: ReadonlySet<string>;
  occupations: ReadonlyMap<string, OccupationMatch>;
  healthOrCare: boolean;
  requiredLanguages: readonly { language: string; cefr: CefrLevelCode; rank: number }[];
  minExperienceMonths: number;
  weights: Readonly<ScoreWeights>;
  costModel: Readonly<CostModel>;
  monthsPerGap: number;
  readinessHorizonMonths: number;
  /**
   * What the score's upper bound reads of the vacancy's cost sharing, on the prepared vacancy itself (a round
   * computes bounds for thousands of vacancies per trainee, and the costs' own objects lie elsewhere in memory):
   * whether the employer pays training, the travel and visa costs, and the part of them the employer pays.
   */
  paysTraining: boolean;
  fixedCosts: number;
  coveredFixedCosts: number;
}

/** Scales weights to sum to 1 so that a score is always in 0..1 and each weight reads as a share. */
export function normalizeWeights(weights: Partial<ScoreWeights> = {}): ScoreWeights {
  const merged: ScoreWeights = { ...DEFAULT_WEIGHTS, ...weights };
  let sum = 0;
  for (const f of SCORE_FACTORS) {
    const w = merged[f];
    if (!Number.isFinite(w) || w < 0) throw new RangeError(`weight ${f} must be a finite number ≥ 0, got ${w}`);
    sum += w;
  }
  if (sum <= 0) throw new RangeError('at least one scoring weight must be above 0');
  for (const f of SCORE_FACTORS) merged[f] /= sum;
  return merged;
}

// ISIC Q, or ISCO-08 health professionals (22), health associate professionals (32) and personal care workers (53):
// the roles the WHO Global Code and the safeguard list cover.
const isHealthOrCare = (v: MatchVacancy): boolean =>
  v.sector === 'Q' || v.isco08.startsWith('22') || v.isco08.startsWith('32') || v.isco08.startsWith('53');

/**
 * The parts many vacancies share, made once and shared rather than copied per vacancy: the compatible occupations
 * by bridge table and occupation, and the default weights and cost model. A round computes bounds for thousands of
 * vacancies per trainee; a copy per vacancy put each of these reads on a different cache line. Never mutated.
 */
const occupationTables = new WeakMap<readonly OccupationBridge[], Map<string, ReadonlyMap<string, OccupationMatch>>>();
function sharedOccupations(isco: string, bridges: readonly OccupationBridge[]): ReadonlyMap<string, OccupationMatch> {
  let byIsco = occupationTables.get(bridges);
  if (byIsco === undefined) {
    byIsco = new Map();
    occupationTables.set(bridges, byIsco);
  }
  let table = byIsco.get(isco);
  if (table === undefined) {
    table = compatibleOccupations(isco, bridges);
    byIsco.set(isco, table);
  }
  return table;
}
const NORMAL_WEIGHTS: Readonly<ScoreWeights> = normalizeWeights();

/** Everything about a vacancy the per-candidate work needs, computed once. */
export function prepareVacancy(
  vacancy: MatchVacancy,
  options: ScoringOptions & { weights?: Partial<ScoreWeights> } = {},
): PreparedVacancy {
  const costModel =
    options.costModel === undefined ? DEFAULT_COST_MODEL : { ...DEFAULT_COST_MODEL, ...options.costModel };
  const cs = vacancy.costSharing;
  return {
    vacancy,
    accepted: new Set(vacancy.pathways),
    occupations: sharedOccupations(vacancy.isco08, options.bridges ?? DEFAULT_OCCUPATION_BRIDGES),
    healthOrCare: isHealthOrCare(vacancy),
    requiredLanguages: (vacancy.requirements?.languages ?? []).map((l) => ({
      language: l.language,
      cefr: l.cefr,
      rank: cefrRank(l.cefr),
    })),
    minExperienceMonths: vacancy.requirements?.minExperienceMonths ?? 0,
    weights: options.weights === undefined ? NORMAL_WEIGHTS : normalizeWeights(options.weights),
    costModel,
    monthsPerGap: options.monthsPerGap ?? 6,
    readinessHorizonMonths: options.readinessHorizonMonths ?? 24,
    paysTraining: cs.employerPaysTraining,
    fixedCosts: costModel.travel + costModel.visa,
    coveredFixedCosts: (cs.employerPaysTravel ? costModel.travel : 0) + (cs.employerPaysVisa ? costModel.visa : 0),
  };
}
