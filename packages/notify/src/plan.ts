import { bestCefr, type RoundSummary } from '@corridor/db';
import { ageBand, type LanguageSkill, pseudonymOf } from '@corridor/domain';
import type {
  EligibilityMessage,
  EndpointDisabledMessage,
  OfferClosedMessage,
  PlacementMessage,
  PseudonymisedCandidate,
  RoundCompletedMessage,
  RoundFailedMessage,
  RoundUnmatchedMessage,
  TemplateData,
  TemplateId,
} from './templates/types.ts';

// Who hears of which event, through which channels: pure, from the event and the facts fan-out loaded.

/** An outbox event as the fan-out job carries it. */
export interface NotifyEvent {
  eventId: string;
  type: string;
  aggregateId: string;
  payload: Record<string, unknown>;
  createdAt: string;
}

export type NoticeRecipient = { kind: 'organization'; id: string } | { kind: 'trainee'; id: string };

/** One message to one recipient; channels are narrowed later by preferences, consent and configuration. */
export interface Notice {
  event: NotifyEvent;
  recipient: NoticeRecipient;
  template: TemplateId;
  data: unknown;
  /** Whom it is about (erasure). */
  subjectTraineeId: string | null;
  inbox: boolean;
  email: boolean;
  /** The webhook body's `data` (webhooks go to the recipient organization's subscribed endpoints). */
  webhook: Record<string, unknown> | null;
  /** Emails to this recipient for this vacancy are collected into one digest per window. */
  digest?: { vacancyId: string; itemKey: string; item: Record<string, unknown>; header: Record<string, unknown> };
}

/** The placement facts fan-out loads (one row per placement; personal data used only for the age band). */
export interface PlacementFacts {
  id: string;
  vacancy_id: string;
  trainee_id: string;
  status: string;
  score: number;
  trainee_decision: string | null;
  title: string;
  destination: string;
  employer_id: string;
  created_by_org_id: string;
  start_date: string | null;
  owner_org_id: string;
  trainee_status: string;
  nationality: string;
  date_of_birth: string | null;
  trainee_isco08: string;
  profile: unknown;
  consent_contact_email: boolean;
}

export interface TraineeFacts {
  id: string;
  owner_org_id: string;
  status: string;
  consent_contact_email: boolean;
}

export interface VacancyFacts {
  id: string;
  title: string;
  employer_id: string;
  created_by_org_id: string;
  status: string;
  destination: string;
  isco08: string;
  headcount: number;
}

export interface RuleChangeDescription {
  pathwayName: string;
  effectiveFrom: string | null;
  criteria: { id: string; label: string }[];
}
export type DescribeRuleChange = (pathwayId: string, packVersion: string, criteria: string[]) => RuleChangeDescription;

export interface PlanFacts {
  placements: ReadonlyMap<string, PlacementFacts>;
  trainees: ReadonlyMap<string, TraineeFacts>;
  vacancies: ReadonlyMap<string, VacancyFacts>;
  describeRuleChange: DescribeRuleChange;
}

/** Event types the notifications handle; anything else routed here is ignored. */
export const NOTIFYING_EVENTS = [
  'placement.proposed',
  'placement.accepted',
  'placement.declined',
  'placement.matched',
  'placement.withdrawn',
  'placement.milestone',
  'eligibility.changed',
  'vacancy.created',
  'vacancy.updated',
  'vacancy.offer_closed',
  'webhook_endpoint.disabled',
  'match_round.completed',
  'match_round.failed',
  'match_round.unmatched',
] as const;

/**
 * What endpoints may subscribe to: not an endpoint's own disabling (it would not reach it), nor the messages that go
 * to trainees alone.
 */
export const WEBHOOK_EVENT_TYPES = NOTIFYING_EVENTS.filter(
  (t) => t !== 'webhook_endpoint.disabled' && t !== 'match_round.unmatched',
);

interface StoredProfileLike {
  qualifications?: { field?: string; iscedLevel?: number; country?: string }[];
  languages?: LanguageSkill[];
  experience?: { months?: number; from?: string; to?: string }[];
}

function experienceMonths(p: StoredProfileLike, on: string): number {
  let months = 0;
  for (const e of p.experience ?? []) {
    if (typeof e.months === 'number') months += e.months;
    else if (e.from) {
      const to = e.to ?? on;
      months += Math.max(
        0,
        (Number(to.slice(0, 4)) - Number(e.from.slice(0, 4))) * 12 +
          Number(to.slice(5, 7)) -
          Number(e.from.slice(5, 7)),
      );
    }
  }
  return months;
}

export function pseudonymisedCandidate(p: PlacementFacts, on: string): PseudonymisedCandidate {
  const profile = (p.profile ?? {}) as StoredProfileLike;
  return {
    traineeId: p.trainee_id,
    pseudonym: pseudonymOf(p.trainee_id),
    ageBand: p.trainee_status === 'active' ? ageBand(p.date_of_birth, on) : null,
    nationality: p.nationality.trim(),
    isco08: p.trainee_isco08.trim(),
    qualifications: (profile.qualifications ?? []).map((q) => ({
      ...(q.field ? { field: q.field } : {}),
      ...(q.iscedLevel !== undefined ? { iscedLevel: q.iscedLevel } : {}),
      ...(q.country ? { country: q.country } : {}),
    })),
    // The level shown or tested (a CEFR-graded test such as Goethe counts), never the test's certificate details.
    languages: (profile.languages ?? []).map((l) => {
      const cefr = bestCefr(l);
      return { language: l.language, ...(cefr ? { cefr } : {}) };
    }),
    experienceMonths: experienceMonths(profile, on),
  };
}

const str = (v: unknown): string | undefined => (typeof v === 'string' ? v : undefined);

function planPlacement(event: NotifyEvent, facts: PlanFacts): Notice[] {
  const placementId = str(event.payload.placementId) ?? event.aggregateId;
  const p = facts.placements.get(placementId);
  if (!p) return [];
  const on = p.start_date ?? event.createdAt.slice(0, 10);
  const erased = p.trainee_status !== 'active';
  const message: PlacementMessage = {
    event: event.type,
    placementId,
    vacancyId: p.vacancy_id,
    vacancyTitle: p.title,
    destination: p.destination,
    status: str(event.payload.to) ?? p.status,
    by: str(event.payload.by) ?? 'engine',
    candidate: pseudonymisedCandidate(p, on),
    contactReleased: p.trainee_decision === 'accepted',
    ...(typeof event.payload.score === 'number' ? { score: event.payload.score } : {}),
    ...(str(event.payload.milestone) ? { milestone: str(event.payload.milestone) } : {}),
  };
  const webhook = {
    placementId,
    vacancyId: p.vacancy_id,
    status: message.status,
    from: event.payload.from ?? null,
    by: message.by,
    ...(message.score !== undefined ? { score: message.score } : {}),
    contactReleased: message.contactReleased,
    candidate: message.candidate,
  };
  const notices: Notice[] = [];
  const employerSide = [...new Set([p.employer_id, p.created_by_org_id])];
  for (const org of employerSide) {
    const proposed = event.type === 'placement.proposed';
    notices.push({
      event,
      recipient: { kind: 'organization', id: org },
      template: 'employer.placement',
      data: message,
      subjectTraineeId: p.trainee_id,
      inbox: true,
      email: !erased,
      webhook,
      ...(proposed
        ? {
            digest: {
              vacancyId: p.vacancy_id,
              itemKey: placementId,
              item: {
                pseudonym: message.candidate.pseudonym,
                score: message.score ?? p.score,
                ageBand: message.candidate.ageBand,
                nationality: message.candidate.nationality,
              },
              header: { vacancyId: p.vacancy_id, vacancyTitle: p.title, destination: p.destination },
            },
          }
        : {}),
    });
  }
  if (!erased) {
    notices.push({
      event,
      recipient: { kind: 'trainee', id: p.trainee_id },
      template: 'trainee.placement',
      data: message,
      subjectTraineeId: p.trainee_id,
      inbox: true,
      email: p.consent_contact_email,
      webhook: null,
    });
  }
  if (!employerSide.includes(p.owner_org_id))
    notices.push({
      event,
      recipient: { kind: 'organization', id: p.owner_org_id },
      template: 'provider.placement',
      data: message,
      subjectTraineeId: p.trainee_id,
      inbox: true,
      email: false,
      webhook: {
        placementId,
        vacancyId: p.vacancy_id,
        traineeId: p.trainee_id,
        status: message.status,
        by: message.by,
      },
    });
  return notices;
}

function planEligibility(event: NotifyEvent, facts: PlanFacts): Notice[] {
  const traineeId = str(event.payload.traineeId) ?? event.aggregateId;
  const t = facts.trainees.get(traineeId);
  if (t?.status !== 'active') return [];
  const pathwayId = str(event.payload.pathwayId) ?? '';
  const packVersion = str(event.payload.packVersion) ?? '';
  const flipped = Array.isArray(event.payload.flippedCriteria) ? (event.payload.flippedCriteria as string[]) : [];
  const described = facts.describeRuleChange(pathwayId, packVersion, flipped);
  const message: EligibilityMessage = {
    traineeId,
    pathwayId,
    pathwayName: described.pathwayName,
    from: str(event.payload.from) ?? null,
    to: str(event.payload.to) ?? 'insufficient_data',
    reason: event.payload.reason === 'rules_changed' ? 'rules_changed' : 'profile_changed',
    packVersion,
    effectiveFrom: described.effectiveFrom,
    asOf: str(event.payload.asOf) ?? event.createdAt.slice(0, 10),
    criteria: described.criteria,
  };
  return [
    {
      event,
      recipient: { kind: 'trainee', id: traineeId },
      template: 'trainee.eligibility',
      data: message,
      subjectTraineeId: traineeId,
      inbox: true,
      email: t.consent_contact_email,
      webhook: null,
    },
    {
      event,
      recipient: { kind: 'organization', id: t.owner_org_id },
      template: 'provider.eligibility',
      data: message,
      subjectTraineeId: traineeId,
      inbox: true,
      email: false,
      webhook: { ...message },
    },
  ];
}

function planVacancy(event: NotifyEvent, facts: PlanFacts): Notice[] {
  const v = facts.vacancies.get(event.aggregateId);
  if (!v) return [];
  const webhook = {
    vacancyId: v.id,
    title: v.title,
    status: v.status,
    destination: v.destination,
    isco08: v.isco08,
    headcount: v.headcount,
    ...(Array.isArray(event.payload.changed) ? { changed: event.payload.changed } : {}),
  };
  return [...new Set([v.employer_id, v.created_by_org_id])].map((org) => ({
    event,
    recipient: { kind: 'organization' as const, id: org },
    template: 'employer.placement' as const,
    data: null,
    subjectTraineeId: null,
    inbox: false,
    email: false,
    webhook,
  }));
}

function planOfferClosed(event: NotifyEvent, facts: PlanFacts): Notice[] {
  const v = facts.vacancies.get(event.aggregateId);
  if (!v) return [];
  const pathways = Array.isArray(event.payload.pathways)
    ? (event.payload.pathways as Record<string, unknown>[]).flatMap((p) => {
        const pathwayId = str(p.pathwayId);
        const criterionId = str(p.criterionId);
        return pathwayId && criterionId ? [{ pathwayId, criterionId, detail: str(p.detail) ?? '' }] : [];
      })
    : [];
  if (pathways.length === 0) return [];
  const message: OfferClosedMessage = {
    vacancyId: v.id,
    vacancyTitle: v.title,
    all: event.payload.all === true,
    pathways,
  };
  return [...new Set([v.employer_id, v.created_by_org_id])].map((org) => ({
    event,
    recipient: { kind: 'organization' as const, id: org },
    template: 'employer.offer_closed' as const,
    data: message,
    subjectTraineeId: null,
    inbox: true,
    email: true,
    webhook: { vacancyId: v.id, all: message.all, pathways },
  }));
}

/**
 * The one notice of an event addressed to the organization its payload names (`organizationId`), by inbox and email,
 * and by webhook when `webhook` is given; none when the payload names nobody.
 */
function organizationNotice<K extends TemplateId>(
  event: NotifyEvent,
  template: K,
  data: TemplateData[K],
  webhook: Record<string, unknown> | null,
): Notice[] {
  const organizationId = str(event.payload.organizationId);
  if (!organizationId) return [];
  return [
    {
      event,
      recipient: { kind: 'organization', id: organizationId },
      template,
      data,
      subjectTraineeId: null,
      inbox: true,
      email: true,
      webhook,
    },
  ];
}

function planEndpointDisabled(event: NotifyEvent): Notice[] {
  const message: EndpointDisabledMessage = {
    endpointId: event.aggregateId,
    url: str(event.payload.url) ?? '',
    reason: str(event.payload.reason) ?? 'it failed repeatedly',
  };
  return organizationNotice(event, 'organization.endpoint_disabled', message, null);
}

/** A finished round, to the partnership's admin: the summary the event carries (ids and counts only). */
function planRoundCompleted(event: NotifyEvent): Notice[] {
  const n = (key: keyof RoundSummary): number => {
    const v = event.payload[key];
    return typeof v === 'number' ? v : 0;
  };
  const message: RoundCompletedMessage = {
    roundId: event.aggregateId,
    cohort: str(event.payload.cohort) ?? '',
    trainees: n('trainees'),
    matched: n('matched'),
    places: n('places'),
    unfilledPlaces: n('unfilledPlaces'),
    unfilledVacancies: n('unfilledVacancies'),
    vacanciesWithoutCandidates: n('vacanciesWithoutCandidates'),
    unmatchedTrainees: n('unmatchedTrainees'),
    traineesWithoutOptions: n('traineesWithoutOptions'),
  };
  const { organizationId: _, ...webhook } = event.payload;
  return organizationNotice(event, 'partnership.round_completed', message, webhook);
}

/** A round that failed on its last try, to the partnership's admin. */
function planRoundFailed(event: NotifyEvent): Notice[] {
  const attempts = typeof event.payload.attempts === 'number' ? event.payload.attempts : 1;
  const message: RoundFailedMessage = { roundId: event.aggregateId, cohort: str(event.payload.cohort) ?? '', attempts };
  const { organizationId: _, ...webhook } = event.payload;
  return organizationNotice(event, 'partnership.round_failed', message, webhook);
}

/**
 * A round's unmatched trainees (up to 50 an event), each told why: no vacancy of the round could take them, or each
 * that could filled its places with people it ranked higher. Trainees erased or withdrawn since are not told.
 */
function planRoundUnmatched(event: NotifyEvent, facts: PlanFacts): Notice[] {
  const trainees = Array.isArray(event.payload.trainees) ? (event.payload.trainees as unknown[]) : [];
  const options = Array.isArray(event.payload.options) ? (event.payload.options as unknown[]) : [];
  const notices: Notice[] = [];
  trainees.forEach((traineeId, i) => {
    if (typeof traineeId !== 'string') return;
    const t = facts.trainees.get(traineeId);
    if (t?.status !== 'active') return;
    const n = options[i];
    const message: RoundUnmatchedMessage = {
      roundId: event.aggregateId,
      cohort: str(event.payload.cohort) ?? '',
      traineeId,
      options: typeof n === 'number' ? n : null,
    };
    notices.push({
      event,
      recipient: { kind: 'trainee', id: traineeId },
      template: 'trainee.round_unmatched',
      data: message,
      subjectTraineeId: traineeId,
      inbox: true,
      email: t.consent_contact_email,
      webhook: null,
    });
  });
  return notices;
}

/** The notices one event causes. */
export function planNotices(event: NotifyEvent, facts: PlanFacts): Notice[] {
  if (event.type.startsWith('placement.')) return planPlacement(event, facts);
  if (event.type === 'eligibility.changed') return planEligibility(event, facts);
  if (event.type === 'vacancy.created' || event.type === 'vacancy.updated') return planVacancy(event, facts);
  if (event.type === 'vacancy.offer_closed') return planOfferClosed(event, facts);
  if (event.type === 'webhook_endpoint.disabled') return planEndpointDisabled(event);
  if (event.type === 'match_round.completed') return planRoundCompleted(event);
  if (event.type === 'match_round.failed') return planRoundFailed(event);
  if (event.type === 'match_round.unmatched') return planRoundUnmatched(event, facts);
  return [];
}

/** Whether a recipient's preferences let this event through this channel. No entry for the event: yes. */
export function channelAllowed(
  prefs: { channels: Record<string, string[]>; email_unsubscribed: boolean } | undefined,
  eventType: string,
  channel: 'email' | 'inbox',
): boolean {
  if (!prefs) return true;
  if (channel === 'email' && prefs.email_unsubscribed) return false;
  const chosen = prefs.channels[eventType];
  return chosen === undefined || chosen.includes(channel);
}

/** The digest window an event falls in: all proposals of one matching run share it. */
export function digestWindow(createdAt: string, windowMs: number): { bucket: number; endsAt: Date } {
  const t = Date.parse(createdAt);
  const bucket = Math.floor(t / windowMs);
  return { bucket, endsAt: new Date((bucket + 1) * windowMs) };
}
