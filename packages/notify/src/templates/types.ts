import type { RoundSummary } from '@corridor/db';
// The data each message is rendered from. Built at fan-out from ids and pseudonymised facts; never user HTML and
// never a trainee's name, email or date of birth (a trainee's own emails greet them by name at send time only).

/** What the employer side may know of a candidate before consent: the contract's pseudonymised profile. */
export interface PseudonymisedCandidate {
  traineeId: string;
  pseudonym: string;
  ageBand: string | null;
  nationality: string;
  isco08: string;
  qualifications: { field?: string; iscedLevel?: number; country?: string }[];
  languages: { language: string; cefr?: string }[];
  experienceMonths: number;
}

export interface PlacementMessage {
  event: string;
  placementId: string;
  vacancyId: string;
  vacancyTitle: string;
  destination: string;
  status: string;
  /** Which side acted (decisions), or 'engine' (proposals, withdrawals). */
  by: string;
  candidate: PseudonymisedCandidate;
  /** The trainee accepted: the employer may now see their contact details in Corridor. */
  contactReleased: boolean;
  score?: number | undefined;
  milestone?: string | undefined;
}

export interface ShortlistMessage {
  vacancyId: string;
  vacancyTitle: string;
  destination: string;
  /** placementId → candidate line; a digest collects a window's proposals for one vacancy. */
  items: Record<string, { pseudonym: string; score: number; ageBand: string | null; nationality: string }>;
}

export interface EligibilityMessage {
  traineeId: string;
  pathwayId: string;
  pathwayName: string;
  from: string | null;
  to: string;
  reason: 'rules_changed' | 'profile_changed';
  packVersion: string;
  /** The date the rule version took effect (for "rule X changed on date D"). */
  effectiveFrom: string | null;
  asOf: string;
  criteria: { id: string; label: string }[];
}

export interface EndpointDisabledMessage {
  endpointId: string;
  url: string;
  reason: string;
}

/** A vacancy's own offer closes pathways to every candidate (see RuleBook.offerBlockers). */
export interface OfferClosedMessage {
  vacancyId: string;
  vacancyTitle: string;
  /** Every pathway the vacancy accepts is closed: nobody can be proposed until the offer changes. */
  all: boolean;
  pathways: { pathwayId: string; criterionId: string; detail: string }[];
}

/** A cohort match round finished (see `RoundSummary`). */
export interface RoundCompletedMessage extends RoundSummary {
  roundId: string;
  cohort: string;
}

/** A cohort match round failed on its last try: nothing was proposed. */
export interface RoundFailedMessage {
  roundId: string;
  cohort: string;
  attempts: number;
}

/** A trainee of a round's cohort was not matched by it, and why. */
export interface RoundUnmatchedMessage {
  roundId: string;
  cohort: string;
  traineeId: string;
  /**
   * Vacancies of the round that accepted them: 0, none could take them; more, each filled its places with people its
   * employer ranked higher (null: not known, a round from before this was recorded).
   */
  options: number | null;
}

export interface TemplateData {
  'employer.shortlist': ShortlistMessage;
  'employer.placement': PlacementMessage;
  'trainee.placement': PlacementMessage;
  'provider.placement': PlacementMessage;
  'trainee.eligibility': EligibilityMessage;
  'provider.eligibility': EligibilityMessage;
  'organization.endpoint_disabled': EndpointDisabledMessage;
  'employer.offer_closed': OfferClosedMessage;
  'partnership.round_completed': RoundCompletedMessage;
  'partnership.round_failed': RoundFailedMessage;
  'trainee.round_unmatched': RoundUnmatchedMessage;
}
export type TemplateId = keyof TemplateData;

/** A message before it becomes text, HTML or an inbox item. */
export interface Message {
  subject: string;
  /** The first line of the body; the greeting is added per channel. */
  paragraphs: string[];
  list?: string[];
  action?: { label: string; url: string };
}

export interface RenderLinks {
  /** Where the API (and its docs) is served. */
  app: string;
  preferences?: string | undefined;
  unsubscribe?: string | undefined;
}

export interface Messages {
  locale: string;
  greeting(name: string | null): string;
  footer: { why: string; preferences: string; unsubscribe: string };
  render: { [K in TemplateId]: (data: TemplateData[K], links: RenderLinks) => Message };
}
