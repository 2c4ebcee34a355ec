export { buildHandlers, type HandlerDeps, pathwayAggregateId, workerConcurrency } from './handlers.ts';
export { corridorRoutes } from './routes.ts';
export { type JobSystem, startJobSystem } from './system.ts';
