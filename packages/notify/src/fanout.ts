import {
  type Database,
  type DeliveryWrite,
  deliveriesRepository,
  type Executor,
  type InboxWrite,
  inboxRepository,
  notificationContactsRepository,
  notificationFactsRepository,
  notificationPreferencesRepository,
  outboxRepository,
  webhookEndpointsRepository,
} from '@corridor/db';
import {
  channelAllowed,
  type DescribeRuleChange,
  digestWindow,
  type Notice,
  type NotifyEvent,
  type PlacementFacts,
  planNotices,
  type TraineeFacts,
  type VacancyFacts,
} from './plan.ts';
import { renderInbox } from './templates/render.ts';
import type { TemplateData, TemplateId } from './templates/types.ts';

export interface FanOutOptions {
  /** Public base URL for links in messages. */
  appUrl: string;
  /** False when no SMTP server is configured: no email deliveries are created (the inbox still gets everything). */
  emailEnabled: boolean;
  /** Proposals for one vacancy within this window become one email per contact. */
  digestWindowMs: number;
  describeRuleChange: DescribeRuleChange;
  /** How long a delivery handed to the queue is left alone by the sweeper. */
  queuedForMs: number;
}

export interface FanOutOutcome {
  notices: number;
  inbox: number;
  deliveries: number;
  digests: number;
}

/** A `notifications.due` event names at most this many deliveries (one notify.deliver job each). */
export const DUE_CHUNK = 50;

const byId = <T extends { id: string }>(rows: readonly T[]) => new Map(rows.map((r) => [r.id, r]));

// Map.groupBy arrives in Node 21; Corridor runs on Node 20.
function groupBy<T>(rows: readonly T[], key: (row: T) => string): Map<string, T[]> {
  const groups = new Map<string, T[]>();
  for (const row of rows) {
    const k = key(row);
    const group = groups.get(k);
    if (group) group.push(row);
    else groups.set(k, [row]);
  }
  return groups;
}

/**
 * Turns outbox events into inbox items and ledger rows, in one transaction: an event fanned out twice (the job
 * retried, the relay repeated) inserts nothing the second time (dedupe keys, unique inbox keys). Deliveries due
 * now are handed to the queue through a `notifications.due` outbox event written in the same transaction, so a
 * crash can lose neither; digests and retries are handed over later by the sweeper.
 */
export async function fanOut(
  database: Pick<Database, 'db'>,
  events: readonly NotifyEvent[],
  options: FanOutOptions,
): Promise<FanOutOutcome> {
  const db = database.db;
  const placementIds = new Set<string>();
  const traineeIds = new Set<string>();
  const vacancyIds = new Set<string>();
  for (const e of events) {
    if (e.type.startsWith('placement.'))
      placementIds.add(typeof e.payload.placementId === 'string' ? e.payload.placementId : e.aggregateId);
    else if (e.type === 'eligibility.changed')
      traineeIds.add(typeof e.payload.traineeId === 'string' ? e.payload.traineeId : e.aggregateId);
    else if (e.type === 'match_round.unmatched' && Array.isArray(e.payload.trainees)) {
      for (const id of e.payload.trainees) if (typeof id === 'string') traineeIds.add(id);
    } else if (e.type.startsWith('vacancy.')) vacancyIds.add(e.aggregateId);
  }
  const [placements, trainees, vacancies] = await Promise.all([
    notificationFactsRepository.placements(db, [...placementIds]),
    notificationFactsRepository.trainees(db, [...traineeIds]),
    notificationFactsRepository.vacancies(db, [...vacancyIds]),
  ]);
  const facts = {
    placements: byId(placements as unknown as PlacementFacts[]),
    trainees: byId(trainees as TraineeFacts[]),
    vacancies: byId(vacancies as VacancyFacts[]),
    describeRuleChange: options.describeRuleChange,
  };
  const notices = events.flatMap((e) => planNotices(e, facts));
  if (notices.length === 0) return { notices: 0, inbox: 0, deliveries: 0, digests: 0 };

  // Who exactly: the organizations' contacts and subscribed endpoints, and everyone's preferences.
  const orgIds = [...new Set(notices.filter((n) => n.recipient.kind === 'organization').map((n) => n.recipient.id))];
  const noticeTrainees = [...new Set(notices.filter((n) => n.recipient.kind === 'trainee').map((n) => n.recipient.id))];
  const eventTypes = [...new Set(notices.filter((n) => n.webhook).map((n) => n.event.type))];
  const [contacts, endpoints] = await Promise.all([
    options.emailEnabled ? notificationContactsRepository.forOrganizations(db, orgIds) : Promise.resolve([]),
    webhookEndpointsRepository.subscribed(db, orgIds, eventTypes),
  ]);
  const [contactPrefs, traineePrefs] = await Promise.all([
    notificationPreferencesRepository.ensure(
      db,
      'contact',
      contacts.map((c) => c.id),
    ),
    notificationPreferencesRepository.ensure(db, 'trainee', noticeTrainees),
  ]);
  const prefsOf = (rows: typeof contactPrefs) => new Map(rows.map((r) => [r.recipient_id, r]));
  const contactPrefsById = prefsOf(contactPrefs);
  const traineePrefsById = prefsOf(traineePrefs);
  const contactsByOrg = groupBy(contacts, (c) => c.organization_id);
  const endpointsByOrg = groupBy(endpoints, (e) => e.organization_id);

  const inbox: InboxWrite[] = [];
  const deliveries: DeliveryWrite[] = [];
  const digests: { row: DeliveryWrite; item: Record<string, unknown>; itemKey: string }[] = [];
  const links = { app: options.appUrl };

  for (const n of notices) {
    const { event } = n;
    const render = () => renderInbox(n.template as TemplateId, n.data as TemplateData[TemplateId], links);
    if (n.recipient.kind === 'organization') {
      const org = n.recipient.id;
      if (n.inbox && n.data) inbox.push(inboxItem(n, render()));
      if (n.webhook)
        for (const endpoint of endpointsByOrg.get(org) ?? []) {
          if (!endpoint.events.includes(event.type)) continue;
          deliveries.push({
            dedupeKey: `${event.eventId}|endpoint:${endpoint.id}|webhook`,
            eventId: event.eventId,
            eventType: event.type,
            channel: 'webhook',
            organizationId: org,
            endpointId: endpoint.id,
            subjectTraineeId: n.subjectTraineeId,
            template: 'webhook',
            // The Standard Webhooks body: `type`, `timestamp`, `data`. Stored, so every try sends the same bytes.
            data: { type: event.type, timestamp: event.createdAt, data: n.webhook },
          });
        }
      if (n.email)
        for (const contact of contactsByOrg.get(org) ?? []) {
          if (!channelAllowed(contactPrefsById.get(contact.id), event.type, 'email')) continue;
          if (n.digest) {
            const window = digestWindow(event.createdAt, options.digestWindowMs);
            digests.push({
              row: {
                dedupeKey: `shortlist|${n.digest.vacancyId}|contact:${contact.id}|${window.bucket}`,
                eventId: event.eventId,
                eventType: event.type,
                channel: 'email',
                organizationId: org,
                contactId: contact.id,
                subjectTraineeId: null,
                template: 'employer.shortlist',
                data: n.digest.header,
                notBefore: window.endsAt,
              },
              item: n.digest.item,
              itemKey: n.digest.itemKey,
            });
          } else
            deliveries.push({
              dedupeKey: `${event.eventId}|contact:${contact.id}|email`,
              eventId: event.eventId,
              eventType: event.type,
              channel: 'email',
              organizationId: org,
              contactId: contact.id,
              subjectTraineeId: n.subjectTraineeId,
              template: n.template,
              data: n.data as Record<string, unknown>,
            });
        }
    } else {
      const prefs = traineePrefsById.get(n.recipient.id);
      if (n.inbox && channelAllowed(prefs, event.type, 'inbox')) inbox.push(inboxItem(n, render()));
      if (n.email && options.emailEnabled && channelAllowed(prefs, event.type, 'email'))
        deliveries.push({
          dedupeKey: `${event.eventId}|trainee:${n.recipient.id}|email`,
          eventId: event.eventId,
          eventType: event.type,
          channel: 'email',
          organizationId: null,
          traineeId: n.recipient.id,
          subjectTraineeId: n.subjectTraineeId,
          template: n.template,
          data: n.data as Record<string, unknown>,
        });
    }
  }

  return db.transaction().execute(async (trx) => {
    const inserted = await inboxRepository.insertMany(trx, inbox);
    // Deliveries due now are marked queued as they are inserted; their notifications.due events follow.
    const created = await deliveriesRepository.insertNew(trx, deliveries, { queueDueForMs: options.queuedForMs });
    for (const d of digests) await deliveriesRepository.upsertDigest(trx, d.row, d.item, d.itemKey);
    await announceDue(
      trx,
      created.filter((c) => c.queued).map((c) => c.id),
    );
    return { notices: notices.length, inbox: inserted, deliveries: created.length, digests: digests.length };
  });
}

function inboxItem(n: Notice, rendered: { title: string; body: string }): InboxWrite {
  return {
    recipient: n.recipient,
    eventId: n.event.eventId,
    eventType: n.event.type,
    subjectTraineeId: n.subjectTraineeId,
    title: rendered.title,
    body: rendered.body,
    data: n.webhook ?? { eventType: n.event.type },
  };
}

/**
 * The `notifications.due` events (one per DUE_CHUNK deliveries) for deliveries already marked queued, in the
 * caller's transaction: fan-out marks them as it inserts them, the sweeper as it claims them.
 */
export async function announceDue(trx: Executor, ids: readonly string[]): Promise<void> {
  if (ids.length === 0) return;
  const events = [];
  for (let i = 0; i < ids.length; i += DUE_CHUNK) {
    const chunk = ids.slice(i, i + DUE_CHUNK);
    events.push({
      type: 'notifications.due',
      aggregateType: 'notification' as const,
      aggregateId: chunk[0]!,
      payload: { deliveryIds: chunk },
    });
  }
  await outboxRepository.append(trx, events);
}
