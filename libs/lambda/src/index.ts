export * from './aws-clients';
export * from './config';
export * from './powertools';
export * from './dead-letters';
