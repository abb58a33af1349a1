export * from './caller';
export * from './http-handler';
export * from './problem';
export * from './problem-details';
export * from './request';
