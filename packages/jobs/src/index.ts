export {
  type CohortLists,
  type CohortListsOptions,
  collectCohortLists,
  type ListWork,
  MAX_CHANGED_VACANCIES,
} from './cohort-lists.ts';
export { buildHandlers, type HandlerDeps, pathwayAggregateId, workerConcurrency } from './handlers.ts';
export {
  type PreparedLists,
  prepareRoundLists,
  ROUND_LIST_LENGTH,
  type RoundOptions,
  type RunRoundOutcome,
  runRound,
} from './match-round.ts';
export { type MatchTraineeOutcome, matchTrainee, matchTrainees } from './match-trainee.ts';
export {
  type ClosedPathway,
  checkCandidate,
  closedPathways,
  defaultShortlistSize,
  LANGUAGE_TOLERANCE_LEVELS,
  type MatchingOptions,
  type MatchVacancyOutcome,
  matchVacancy,
  mayBeMatched,
  PATHWAY_VACANCY_CHUNK,
  prepareMatchVacancy,
  rematchPathwayVacancies,
  type VacancyForMatching,
} from './match-vacancy.ts';
export {
  type NotificationDeps,
  type NotificationTuning,
  notificationDeps,
  ruleChangeDescriber,
} from './notifications.ts';
export type { RoundPlacement, RoundVacancyRow, TraineeList } from './round-lists.ts';
export { corridorCoalesce, corridorRoutes } from './routes.ts';
export { announceRuleChanges, startRuleCalendar } from './rule-calendar.ts';
export { type JobSystem, startJobSystem } from './system.ts';
