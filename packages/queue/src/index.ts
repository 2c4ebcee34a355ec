export { type BullmqRuntime, type BullmqRuntimeOptions, createBullmqRuntime } from './bullmq-runtime.ts';
export {
  type CorridorJobs,
  defineCatalog,
  defineJob,
  type JobBackoff,
  type JobCatalog,
  type JobContext,
  type JobDefinition,
  type JobHandler,
  type JobHandlers,
  type JobKey,
  jobCatalog,
  type PayloadInput,
  type PayloadOf,
} from './catalog.ts';
export {
  EnqueueTimeoutError,
  JobTimeoutError,
  MissingHandlersError,
  RedisEvictionPolicyError,
  RuntimeClosedError,
  TerminalJobError,
} from './errors.ts';
export {
  createInProcessRuntime,
  type FailedJob,
  type InProcessRuntime,
  type InProcessRuntimeOptions,
} from './in-process-runtime.ts';
export { type JobLogger, silentLogger } from './logger.ts';
export { createOutboxRelay, type OutboxRelay, type OutboxRelayOptions } from './outbox-relay.ts';
export {
  type Coalescers,
  defaultCoalesce,
  defaultRoutes,
  ELIGIBILITY_CHUNK,
  type OutboxEvent,
  type OutboxRoute,
  type OutboxRoutes,
  type RoutedJob,
  routedJobId,
} from './routes.ts';
export type { EnqueueOptions, JobCounts, JobRequest, JobRuntime, StartWorkersOptions } from './runtime.ts';
export { yieldToEventLoop } from './yield.ts';
