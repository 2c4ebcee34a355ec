import type { Migration, MigrationProvider } from 'kysely';
import * as foundation from './20261129_0001_foundation.ts';
import * as eligibility from './20261129_0002_eligibility.ts';
import * as placements from './20261129_0003_placements.ts';
import * as compactEligibility from './20261129_0004_compact_eligibility.ts';
import * as notifications from './20261129_0005_notifications.ts';
import * as dropEligibilityStatusIndex from './20261129_0006_drop_eligibility_status_index.ts';
import * as traineeOwnerCheck from './20261129_0007_trainee_owner_check.ts';
import * as ruleCalendar from './20261129_0008_rule_calendar.ts';
import * as matchCoveringIndex from './20261129_0009_match_covering_index.ts';
import * as vacancyClosedPathways from './20261129_0010_vacancy_closed_pathways.ts';
import * as roundRankings from './20261129_0011_round_rankings.ts';
import * as roundLists from './20261129_0012_round_lists.ts';
import * as jsonDocuments from './20261129_0013_json_documents.ts';
import * as roundUnmatchedTold from './20261129_0014_round_unmatched_told.ts';

// A static index rather than a folder scan: bundlers and tests see exactly the same list, in this order.
const MIGRATIONS: Record<string, Migration> = {
  '20261129_0001_foundation': foundation,
  '20261129_0002_eligibility': eligibility,
  '20261129_0003_placements': placements,
  '20261129_0004_compact_eligibility': compactEligibility,
  '20261129_0005_notifications': notifications,
  '20261129_0006_drop_eligibility_status_index': dropEligibilityStatusIndex,
  '20261129_0007_trainee_owner_check': traineeOwnerCheck,
  '20261129_0008_rule_calendar': ruleCalendar,
  '20261129_0009_match_covering_index': matchCoveringIndex,
  '20261129_0010_vacancy_closed_pathways': vacancyClosedPathways,
  '20261129_0011_round_rankings': roundRankings,
  '20261129_0012_round_lists': roundLists,
  '20261129_0013_json_documents': jsonDocuments,
  '20261129_0014_round_unmatched_told': roundUnmatchedTold,
};

export const migrationProvider: MigrationProvider = {
  getMigrations: async () => MIGRATIONS,
};
