export { type CandidateFromProfileOptions, candidateFromProfile, experienceMonthsWithin } from './candidate.ts';
export {
  type CompiledRound,
  compileRound,
  type DeferredAcceptanceOutcome,
  deferredAcceptance,
  type RoundInstance,
  type RoundResult,
  type RoundTrainee,
  type RoundVacancy,
  roundResultOf,
  runMatchRound,
} from './deferred-acceptance.ts';
export { MatchingInputError } from './errors.ts';
export {
  checkHardFilters,
  HARD_FILTERS,
  type HardFilterContext,
  type HardFilterFailure,
  type HardFilterId,
  type HardFilterResult,
  hardFiltersPass,
} from './hard-filters.ts';
export { compatibleOccupations, DEFAULT_OCCUPATION_BRIDGES, occupationsOpenTo } from './occupation-bridges.ts';
export {
  type CostModel,
  DEFAULT_COST_MODEL,
  DEFAULT_WEIGHTS,
  SCORE_FACTORS,
  type ScoreFactor,
  type ScoreWeights,
  type ScoringOptions,
} from './prepared-vacancy.ts';
export {
  type BreakdownItem,
  type PairScore,
  type RankedCandidate,
  type RankingFeatures,
  type RankOptions,
  rankCandidates,
  scorePair,
  type VacancyScorer,
  vacancyScorer,
} from './scoring.ts';
export {
  type BlockingPair,
  checkTraineeOptimal,
  countBlockingPairsCompiled,
  enumerateStableMatchings,
  findBlockingPairs,
  findRoundViolations,
  type OptimalityReport,
} from './stability.ts';
export type {
  CandidatePathwayStatus,
  CostSharingTerms,
  MatchCandidate,
  MatchVacancy,
  OccupationBridge,
  OccupationMatch,
} from './types.ts';
