export { buildHandlers, type HandlerDeps, pathwayAggregateId, workerConcurrency } from './handlers.ts';
export { ROUND_LIST_LENGTH, type RunRoundOutcome, runRound } from './match-round.ts';
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
export { corridorCoalesce, corridorRoutes } from './routes.ts';
export { announceRuleChanges, startRuleCalendar } from './rule-calendar.ts';
export { type JobSystem, startJobSystem } from './system.ts';
