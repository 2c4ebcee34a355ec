import type {
  CefrLevelCode,
  EligibilityStatus,
  Gap,
  IsicSectionCode,
  SafeguardResult,
  VacancyStatus,
} from '@corridor/domain';

/**
 * One pathway's eligibility for a trainee, evaluated by `packages/rules` against this vacancy's offer
 * as of the vacancy's start date. Matching never re-evaluates rules; it reads these.
 */
export interface CandidatePathwayStatus {
  pathwayId: string;
  status: EligibilityStatus;
  gaps?: readonly Gap[];
  /**
   * When the training provider expects the gaps to be closed (YYYY-MM-DD). Without it, a conditionally
   * eligible trainee is assumed to need `monthsPerGap` per open gap after the start date.
   */
  readyBy?: string;
}

/** A trainee as matching sees them: plain data a repository can fill from a trainee row and its eligibility results. */
export interface MatchCandidate {
  traineeId: string;
  /** ISCO-08 unit group of the trainee's occupation. */
  isco08: string;
  /** ISO 3166-1 alpha-2; a government-to-government corridor is recognised by it. */
  residence?: string;
  partnershipId?: string;
  /** Levels already resolved to CEFR (tests converted by the rules package). */
  languages: readonly { language: string; cefr: CefrLevelCode }[];
  /** Months of experience per ISCO-08 unit group. */
  experience: readonly { isco08: string; months: number }[];
  preferences?: { destinations?: readonly string[]; earliestStart?: string };
  /** The trainee agreed to be matched and their profile shown to employers. */
  consentToMatch: boolean;
  pathways: readonly CandidatePathwayStatus[];
  /** Safeguard statuses as `POST /v1/eligibility/check` returns them. */
  safeguards?: readonly Pick<SafeguardResult, 'id' | 'status'>[];
  /** Estimated costs to bridge to this vacancy, in the cost model's currency; overrides the model's estimate. */
  bridgingCosts?: { training?: number; travel?: number; visa?: number };
}

export interface CostSharingTerms {
  employerPaysTraining: boolean;
  employerPaysTravel: boolean;
  employerPaysVisa: boolean;
  workerFees: number;
}

/** A vacancy as matching sees it: structurally a stored `Vacancy` plus how many places are taken. */
export interface MatchVacancy {
  id: string;
  status: VacancyStatus;
  headcount: number;
  /** Places already taken by matched placements. Defaults to 0. */
  filled?: number;
  isco08: string;
  sector: IsicSectionCode;
  destination: string;
  /** Required for matching: the date eligibility and availability are judged on. */
  startDate: string;
  pathways: readonly string[];
  requirements?: {
    languages?: readonly { language: string; cefr: CefrLevelCode }[];
    minExperienceMonths?: number;
  };
  costSharing: CostSharingTerms;
  partnership?: { id: string; governmentToGovernment: boolean; origin?: string };
}

/**
 * A declared route from one occupation into another, e.g. a registered nurse (2221) working as a health care
 * assistant (5321) while their licence is recognised.
 */
export interface OccupationBridge {
  from: string;
  to: string;
  /** Occupation-fit value (0..1) the bridge scores. Same unit group scores 1. */
  fit: number;
  /** The trainee would work below their skill level: shown to HR and trainee so it is a choice, not a surprise. */
  belowSkill: boolean;
  reason: string;
}

/** How a candidate's occupation relates to a vacancy's. */
export interface OccupationMatch {
  kind: 'same' | 'bridge';
  fit: number;
  belowSkill: boolean;
  reason: string;
}
