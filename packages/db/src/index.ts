export { type BulkSession, ConcurrentWriteError, withBulkSession, withSession } from './bulk-session.ts';
export { type Database, type DatabaseOptions, openDatabase } from './connect.ts';
export { newId } from './ids.ts';
export { MigrationError, migrateToLatest } from './migrate.ts';
export { apiKeysRepository } from './repositories/api-keys.repository.ts';
export { InvalidCursorError } from './repositories/cursor.ts';
export {
  type EligibilityChangedEvent,
  type EligibilityResultWrite,
  eligibilityRepository,
  type TraineeForEvaluation,
} from './repositories/eligibility.repository.ts';
export type { Executor } from './repositories/executor.ts';
export { idempotencyRepository } from './repositories/idempotency.repository.ts';
export { matchRoundsRepository, type RoundSummary } from './repositories/match-rounds.repository.ts';
export {
  type CohortTrainee,
  matchingRepository,
  type PrefilteredTrainee,
  type PrefilterFeatures,
  type TraineeForMatching,
  type TraineePrefilter,
  type VacancyPrefilter,
} from './repositories/matching.repository.ts';
export {
  type DeliveryOutcome,
  type DeliveryWrite,
  deliveriesRepository,
  disclosuresRepository,
  eraseTraineeNotifications,
  type InboxRecipient,
  type InboxWrite,
  inboxRepository,
  notificationContactsRepository,
  notificationFactsRepository,
  notificationPreferencesRepository,
  webhookEndpointsRepository,
} from './repositories/notifications.repository.ts';
export { organizationsRepository } from './repositories/organizations.repository.ts';
export { type DomainEvent, outboxRepository } from './repositories/outbox.repository.ts';
export { outboxRelayRepository } from './repositories/outbox-relay.repository.ts';
export { partnershipsRepository } from './repositories/partnerships.repository.ts';
export {
  DECIDED_PLACEMENT_STATUSES,
  type Decision,
  decisionTransition,
  FILLED_STATUSES,
  milestoneTransition,
  OPEN_STATUSES,
  PLACEMENT_MILESTONES,
  PLACEMENT_STATUSES,
  type PlacementEventWrite,
  type PlacementMilestone,
  type PlacementSide,
  type PlacementWrite,
  placementsRepository,
  type TransitionOutcome,
} from './repositories/placements.repository.ts';
export {
  CohortListPage,
  type CohortListRow,
  type CohortLists,
  type RoundListBasis,
  roundListsRepository,
  type StoredRoundList,
} from './repositories/round-lists.repository.ts';
export { roundRankingsRepository } from './repositories/round-rankings.repository.ts';
export {
  type RulePackVersionWrite,
  ruleCalendarRepository,
  rulePacksRepository,
} from './repositories/rule-packs.repository.ts';
export {
  type TraineeWrite,
  traineesRepository,
  traineeWrite,
  type UpsertOutcome,
} from './repositories/trainees.repository.ts';
export { writeTraineeBatch } from './repositories/trainees-bulk.ts';
export { type VacancyWrite, vacanciesRepository, vacancyWrite } from './repositories/vacancies.repository.ts';
export type { DB } from './schema/index.ts';
export type { DeliveryChannel, DeliveryStatus } from './schema/notifications.ts';
export type {
  MatchRoundResult,
  PlacementStatus,
  StoredBreakdownItem,
  StoredPlacementPathway,
} from './schema/placements.ts';
export {
  atLeastTokens,
  bestCefr,
  eligibilityProfileOf,
  languageLevelTokens,
  minimumLanguageTokens,
  type StoredTraineeProfile,
} from './trainee-row.ts';
export { createTraineeWriteBatcher, type TraineeWriteBatcher } from './write-batcher.ts';
