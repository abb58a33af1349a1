export * from './aws-clients';
export * from './config';
export * from './dead-letters';
export * from './failures';
export * from './handlers';
export * from './http';
export * from './parameters';
export * from './powertools';
