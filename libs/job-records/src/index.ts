export * from './job-record';
export * from './keys';
export * from './read-job-record';
export * from './stage-durations';
