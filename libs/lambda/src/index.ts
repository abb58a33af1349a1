export * from './aws-clients';
export * from './config';
export * from './dead-letters';
export * from './handlers';
export * from './powertools';
