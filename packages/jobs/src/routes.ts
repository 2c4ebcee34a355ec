import { PathwayId } from '@corridor/domain';
import { type CorridorJobs, defaultRoutes, type OutboxRoutes } from '@corridor/queue';
import { z } from 'zod';

const PathwayPublished = z.object({ pathwayId: PathwayId, version: z.string().min(1) });
const ReevaluationContinues = z.object({
  pathwayId: PathwayId,
  toVersion: z.string().min(1),
  chunkAfter: z.string().min(1),
});

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
  'trainee.erased': (event) => [{ job: 'eligibility.evaluate', payload: { traineeIds: [event.aggregateId] } }],
};
