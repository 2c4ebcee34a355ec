import { Id, PathwayId } from '@corridor/domain';
import { NOTIFYING_EVENTS } from '@corridor/notify';
import {
  type Coalescers,
  type CorridorJobs,
  defaultCoalesce,
  defaultRoutes,
  type OutboxEvent,
  type OutboxRoute,
  type OutboxRoutes,
  type RoutedJob,
} from '@corridor/queue';
import { z } from 'zod';

const PathwayPublished = z.object({ pathwayId: PathwayId, version: z.string().min(1) });
const ReevaluationContinues = z.object({
  pathwayId: PathwayId,
  toVersion: z.string().min(1),
  chunkAfter: z.string().min(1),
});

const PlacementMatched = z.object({ vacancyId: Id });
const RoundListsDue = z.object({ partnershipId: Id, cohort: z.string().min(1) });
const VacanciesContinue = z.object({ pathwayId: PathwayId, version: z.string().min(1), after: Id });

const rulesChanged: OutboxRoute<CorridorJobs> = (event) => {
  const { pathwayId, version } = PathwayPublished.parse(event.payload);
  return [
    { job: 'eligibility.reevaluate', payload: { pathwayId, toVersion: version } },
    { job: 'match.vacancies', payload: { pathwayId, version } },
  ];
};

/** A trainee's profile changed: re-check eligibility, and re-match (the match re-evaluates the rules itself). */
const evaluateAndMatchTrainee: OutboxRoute<CorridorJobs> = (event) => [
  { job: 'eligibility.evaluate', payload: { traineeIds: [event.aggregateId] } },
  { job: 'match.trainee', payload: { traineeId: event.aggregateId } },
];

const NotificationsDue = z.object({ deliveryIds: z.array(Id).min(1) });

const fanOutJob = (event: OutboxEvent): RoutedJob<CorridorJobs> => ({
  job: 'notify.fanout',
  payload: {
    events: [
      {
        eventId: event.eventId,
        type: event.type,
        aggregateId: event.aggregateId,
        payload: event.payload,
        createdAt: event.createdAt.toISOString(),
      },
    ],
  },
});

/** An event's own jobs, plus the notifications fan-out for the events someone is told about. */
function withNotifications(routes: OutboxRoutes<CorridorJobs>): OutboxRoutes<CorridorJobs> {
  const out: Record<string, OutboxRoute<CorridorJobs>> = { ...routes };
  for (const type of NOTIFYING_EVENTS) {
    const own = routes[type];
    out[type] = own ? (event) => [...own(event), fanOutJob(event)] : (event) => [fanOutJob(event)];
  }
  return out;
}

/** Fan-out jobs from one relay batch are merged into jobs of up to 200 events (one transaction each). */
export const FANOUT_CHUNK = 200;

export const corridorCoalesce: Coalescers<CorridorJobs> = {
  ...defaultCoalesce,
  // One build per cohort however many import chunks of a batch named it.
  'round.lists': (payloads) => {
    const seen = new Map(payloads.map((p) => [`${p.partnershipId} ${p.cohort}`, p]));
    return [...seen.values()];
  },
  'notify.fanout': (payloads) => {
    const events = payloads.flatMap((p) => p.events);
    const jobs: { events: typeof events }[] = [];
    for (let i = 0; i < events.length; i += FANOUT_CHUNK) jobs.push({ events: events.slice(i, i + FANOUT_CHUNK) });
    return jobs;
  },
};

/** Which events cause which jobs: the queue package's defaults plus the eligibility, matching and notification issues'. */
export const corridorRoutes: OutboxRoutes<CorridorJobs> = withNotifications({
  ...defaultRoutes,
  // A rule change re-checks everyone for that pathway, chunk by chunk: the trainees' stored eligibility, and the
  // open vacancies that accept it (their offers are judged by its rules too).
  'pathway.published': rulesChanged,
  // A dated version took effect (the rule calendar): the same as publishing.
  'pathway.took_effect': rulesChanged,
  'pathway.vacancies_continue': (event) => {
    const { pathwayId, version, after } = VacanciesContinue.parse(event.payload);
    return [{ job: 'match.vacancies', payload: { pathwayId, version, after } }];
  },
  'pathway.reevaluation_continues': (event) => {
    const { pathwayId, toVersion, chunkAfter } = ReevaluationContinues.parse(event.payload);
    return [{ job: 'eligibility.reevaluate', payload: { pathwayId, toVersion, chunkAfter } }];
  },
  // Evaluating an erased trainee removes their stored results (the explanations are personal data too).
  // Erasure also withdraws the trainee's open proposals (match.trainee finds the record erased).
  'trainee.erased': evaluateAndMatchTrainee,
  // Matching (issue 4). A first evaluation emits no eligibility.changed, so creation routes to match.trainee too.
  'trainee.created': evaluateAndMatchTrainee,
  'trainee.updated': evaluateAndMatchTrainee,
  'eligibility.changed': (event) => [{ job: 'match.trainee', payload: { traineeId: event.aggregateId } }],
  // A bulk import is evaluated and matched chunk by chunk (≤ 500 trainees per job; see match.trainees).
  'trainees.imported': (event) => {
    const evaluate = defaultRoutes['trainees.imported']!(event);
    return [
      ...evaluate,
      ...evaluate.flatMap((j, part) =>
        j.job === 'eligibility.evaluate'
          ? [{ job: 'match.trainees' as const, payload: { traineeIds: j.payload.traineeIds }, part }]
          : [],
      ),
    ];
  },
  'match_round.requested': (event) => [{ job: 'match.round', payload: { roundId: event.aggregateId } }],
  'round_lists.due': (event) => [{ job: 'round.lists', payload: RoundListsDue.parse(event.payload) }],
  // A finished round's unmatched trainees are told why (its admin is told by the notifications, below).
  'match_round.completed': (event) => [{ job: 'round.unmatched', payload: { roundId: event.aggregateId } }],
  // A filled place can make the vacancy full: its remaining proposals are re-checked (and withdrawn if so).
  'placement.matched': (event) => {
    const { vacancyId } = PlacementMatched.parse(event.payload);
    return [{ job: 'match.vacancy', payload: { vacancyId } }];
  },
  // Deliveries due now (fan-out) or again (the sweeper): one try each, up to 50 per job.
  'notifications.due': (event) => {
    const { deliveryIds } = NotificationsDue.parse(event.payload);
    return [{ job: 'notify.deliver', payload: { deliveryIds } }];
  },
});
