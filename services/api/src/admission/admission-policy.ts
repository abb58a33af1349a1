/**
 * The per-user limit of concurrent jobs: at most `maxConcurrentJobs` of a user's jobs run (hold a slot)
 * at once; more are accepted and wait their turn as QUEUED, oldest first. One of the systems Reelay
 * replaces ran at most 10 at once, hence the default (serverless.yml `maxConcurrentJobs`).
 */
export interface AdmissionPolicy {
  maxConcurrentJobs: number;
}

export const DEFAULT_MAX_CONCURRENT_JOBS = 10;
export const defaultAdmissionPolicy: AdmissionPolicy = { maxConcurrentJobs: DEFAULT_MAX_CONCURRENT_JOBS };

/** A QUEUE# entry: waiting for a slot, or admitted and its JobRequested not yet published. */
export type QueueEntryState = 'QUEUED' | 'STARTING';
