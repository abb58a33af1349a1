export * from './record-logger';
export * from './schedule';
export * from './sqs-consumer';
export * from './step-functions-task';
export * from './with-powertools';
