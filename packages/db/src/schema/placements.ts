import type { EligibilityStatus } from '@corridor/domain';
import type { ColumnType, Generated, JSONColumnType } from 'kysely';

export type PlacementStatus =
  | 'proposed'
  | 'accepted_by_employer'
  | 'accepted_by_trainee'
  | 'matched'
  | 'visa_lodged'
  | 'visa_granted'
  | 'arrived'
  | 'licensed'
  | 'retained_12m'
  | 'returned'
  | 'declined'
  | 'withdrawn';

/** One named score component, as `@corridor/matching` explains it. */
export interface StoredBreakdownItem {
  factor: string;
  weight: number;
  value: number;
  detail: string;
  belowSkill?: boolean;
}

export interface StoredPlacementPathway {
  pathwayId: string;
  status: EligibilityStatus;
}

export interface PlacementsTable {
  id: string;
  vacancy_id: string;
  trainee_id: string;
  status: PlacementStatus;
  source: 'shortlist' | 'round';
  match_round_id: string | null;
  score: number;
  rank: number | null;
  breakdown: JSONColumnType<StoredBreakdownItem[]>;
  pathways: JSONColumnType<StoredPlacementPathway[]>;
  pack_versions: JSONColumnType<Record<string, string>>;
  below_skill: boolean;
  employer_decision: 'accepted' | 'declined' | null;
  trainee_decision: 'accepted' | 'declined' | null;
  withdrawn_reason: string | null;
  version: Generated<number>;
  created_at: ColumnType<Date, never, never>;
  updated_at: ColumnType<Date, Date | undefined, Date>;
}

export interface PlacementEventsTable {
  id: Generated<string>;
  placement_id: string;
  from_status: PlacementStatus | null;
  to_status: PlacementStatus;
  actor_side: 'engine' | 'employer' | 'trainee' | 'admin';
  actor_id: string | null;
  reason: string | null;
  at: ColumnType<Date, never, never>;
}

export interface MatchRoundResult {
  matches: { traineeId: string; vacancyId: string; score: number; placementId: string | null }[];
  /** `candidates`: trainees who listed the vacancy and whom it accepts (absent from rounds run before it was kept). */
  unfilled: { vacancyId: string; places: number; candidates?: number }[];
  unmatchedTrainees: string[];
  /**
   * For each unmatched trainee (same order), how many vacancies of the round accepted them: 0 means none could take
   * them; more means each that could filled its places with people it ranked higher (absent from rounds run before
   * it was kept).
   */
  unmatchedOptions?: number[];
  stats: {
    trainees: number;
    vacancies: number;
    places: number;
    /** Pairs ranked: the entries of every trainee's list. */
    eligiblePairs: number;
    proposals: number;
    /** Trainees no vacancy of the round could take (absent from rounds run before it was kept). */
    traineesWithoutOptions?: number;
  };
}

export interface MatchRoundsTable {
  id: string;
  partnership_id: string;
  cohort: string;
  status: Generated<'queued' | 'running' | 'done' | 'failed'>;
  requested_by: string;
  result: ColumnType<MatchRoundResult | null, string | null, string | null>;
  error: string | null;
  created_at: ColumnType<Date, never, never>;
  started_at: Date | null;
  finished_at: Date | null;
  /** When round.unmatched told the unmatched trainees why (null until then). */
  unmatched_told_at: ColumnType<Date | null, never, string | null>;
}
