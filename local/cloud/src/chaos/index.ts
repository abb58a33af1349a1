export { ChaosCrashError } from '../lambda/local-function';
export * from './chaos-injector';
export type { DenyDeliveryMatch, PutEventsFailureMatch } from './event-faults';
export * from './fault-points';
export type { FaultHandle, FaultKind, NameMatch } from './fault-record';
export { type FaultTriggerOptions, InvalidFaultOptionsError, seededRandom } from './fault-trigger';
export * from './message-audit';
export type { MessageHold, QueueMessageMatch } from './queue-faults';
