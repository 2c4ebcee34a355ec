export * from './access.ts';
export * from './codes/index.ts';
export * from './disclosure.ts';
export * from './eligibility.ts';
export * from './organization.ts';
export * from './primitives.ts';
export * from './trainee.ts';
export * from './vacancy.ts';
