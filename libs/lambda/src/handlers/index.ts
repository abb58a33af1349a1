export * from './with-powertools';
