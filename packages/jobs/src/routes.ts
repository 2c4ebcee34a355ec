import { Id, PathwayId } from '@corridor/domain';
import { type CorridorJobs, defaultRoutes, type OutboxRoute, type OutboxRoutes } from '@corridor/queue';
import { z } from 'zod';

const PathwayPublished = z.object({ pathwayId: PathwayId, version: z.string().min(1) });
const ReevaluationContinues = z.object({
  pathwayId: PathwayId,
  toVersion: z.string().min(1),
  chunkAfter: z.string().min(1),
});

const PlacementMatched = z.object({ vacancyId: Id });

/** A trainee's profile changed: re-check eligibility, and re-match (the match re-evaluates the rules itself). */
const evaluateAndMatchTrainee: OutboxRoute<CorridorJobs> = (event) => [
  { job: 'eligibility.evaluate', payload: { traineeIds: [event.aggregateId] } },
  { job: 'match.trainee', payload: { traineeId: event.aggregateId } },
];

/** Which events cause which jobs: the queue package's defaults plus the eligibility issue's. */
export const corridorRoutes: OutboxRoutes<CorridorJobs> = {
  ...defaultRoutes,
  // A rule change re-checks everyone for that pathway, chunk by chunk.
  'pathway.published': (event) => {
    const { pathwayId, version } = PathwayPublished.parse(event.payload);
    return [{ job: 'eligibility.reevaluate', payload: { pathwayId, toVersion: version } }];
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
  'match_round.requested': (event) => [{ job: 'match.round', payload: { roundId: event.aggregateId } }],
  // A filled place can make the vacancy full: its remaining proposals are re-checked (and withdrawn if so).
  'placement.matched': (event) => {
    const { vacancyId } = PlacementMatched.parse(event.payload);
    return [{ job: 'match.vacancy', payload: { vacancyId } }];
  },
};
