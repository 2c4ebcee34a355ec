import type { Generated } from 'kysely';
import type { ApiKeysTable } from './api-keys.ts';
import type { EligibilityResultsTable, RulePackVersionsTable } from './eligibility.ts';
import type { IdempotencyRecordsTable } from './idempotency.ts';
import type {
  DisclosuresTable,
  InboxItemsTable,
  NotificationContactsTable,
  NotificationDeliveriesTable,
  NotificationPreferencesTable,
  WebhookEndpointsTable,
} from './notifications.ts';
import type { AgencyMandatesTable, OrganizationsTable } from './organizations.ts';
import type { OutboxTable } from './outbox.ts';
import type { CohortsTable, PartnershipMembersTable, PartnershipsTable } from './partnerships.ts';
import type { MatchRoundsTable, PlacementEventsTable, PlacementsTable } from './placements.ts';
import type {
  RoundListBasesTable,
  RoundListsTable,
  TraineeRoundPreferencesTable,
  VacancyRoundRankingsTable,
} from './round-rankings.ts';
import type { TraineesTable } from './trainees.ts';
import type { VacanciesTable } from './vacancies.ts';

export interface DB {
  organizations: OrganizationsTable;
  agency_mandates: AgencyMandatesTable;
  partnerships: PartnershipsTable;
  partnership_members: PartnershipMembersTable;
  cohorts: CohortsTable;
  trainees: TraineesTable;
  vacancies: VacanciesTable;
  api_keys: ApiKeysTable;
  outbox: OutboxTable;
  idempotency_records: IdempotencyRecordsTable;
  eligibility_results: EligibilityResultsTable;
  rule_pack_versions: RulePackVersionsTable;
  placements: PlacementsTable;
  placement_events: PlacementEventsTable;
  match_rounds: MatchRoundsTable;
  trainee_round_preferences: TraineeRoundPreferencesTable;
  vacancy_round_rankings: VacancyRoundRankingsTable;
  round_list_bases: RoundListBasesTable;
  round_lists: RoundListsTable;
  notification_contacts: NotificationContactsTable;
  notification_preferences: NotificationPreferencesTable;
  webhook_endpoints: WebhookEndpointsTable;
  notification_deliveries: NotificationDeliveriesTable;
  inbox_items: InboxItemsTable;
  disclosures: DisclosuresTable;
  rule_calendar: { id: Generated<number>; checked_through: string };
}
export type { VacancyTerms } from './vacancies.ts';
