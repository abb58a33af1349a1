import {
  causedMeta,
  type EventMeta,
  type EventPublisher,
  type FAILURE_STAGES,
  type JobFailed,
  jobFailed,
} from '@reelay/events';
import { errorCode, isPermanent } from './permanent-error';

export type FailureStage = (typeof FAILURE_STAGES)[number];

export interface JobFailure {
  jobId: string;
  meta: Pick<EventMeta, 'userId' | 'correlationId'>;
  stage: FailureStage;
  sceneIndex?: number;
  /** The message being handled, kept with the failure so it can be inspected and redriven. */
  deadMessage?: string;
}

/**
 * A permanent failure is published as JobFailed(retryable: false) with its reason, so the job ends
 * FAILED at once and nothing is retried; anything else is thrown again, so the queue retries it and
 * finally dead-letters it. Returns the JobFailed only when the failure was recorded.
 */
export async function failJobOrRethrow(
  error: unknown,
  failure: JobFailure,
  publisher: Pick<EventPublisher, 'publish'>,
): Promise<JobFailed> {
  if (!isPermanent(error)) throw error;
  const detail: JobFailed = {
    version: 1,
    jobId: failure.jobId,
    meta: causedMeta(failure.meta),
    stage: failure.stage,
    code: errorCode(error, `${failure.stage.toUpperCase()}_FAILED`),
    reason: (error.message || error.name).slice(0, 2000),
    retryable: false,
    ...(failure.sceneIndex === undefined ? {} : { sceneIndex: failure.sceneIndex }),
    ...(failure.deadMessage === undefined ? {} : { deadMessage: failure.deadMessage.slice(0, 100_000) }),
  };
  await publisher.publish(jobFailed, detail);
  return detail;
}
