export * from './dead-letter-errors';
export * from './dead-letter-handler';
export * from './dead-letter-queues';
export * from './dead-message';
export * from './drain-dead-letter';
