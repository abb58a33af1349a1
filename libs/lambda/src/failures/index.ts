export * from './fail-job';
export * from './permanent-error';
