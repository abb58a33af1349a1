import { causedMeta, type EventMeta, type EventPublisher, jobFailed } from '@reelay/events';

export interface FailureContext {
  jobId: string;
  meta: Pick<EventMeta, 'userId' | 'correlationId'>;
  stage: 'prepare' | 'compose';
  sceneIndex?: number;
  /** The message being handled, kept with the failure so it can be inspected and redriven. */
  deadMessage?: string;
}

/** Whether an error says trying again cannot help (our errors and @reelay/media's carry `retryable`). */
export function isPermanent(error: unknown): error is Error & { retryable: false } {
  return error instanceof Error && (error as { retryable?: unknown }).retryable === false;
}

/**
 * A permanent failure is published as JobFailed with its reason (the job ends FAILED at once,
 * nothing is retried); anything else is thrown again, so the queue retries it and finally
 * dead-letters it. Returns only when the failure was recorded.
 */
export async function failJobOrRethrow(
  error: unknown,
  context: FailureContext,
  publisher: Pick<EventPublisher, 'publish'>,
): Promise<void> {
  if (!isPermanent(error)) throw error;
  await publisher.publish(jobFailed, {
    version: 1,
    jobId: context.jobId,
    meta: causedMeta(context.meta),
    stage: context.stage,
    code: errorCode(error),
    reason: error.message.slice(0, 2000),
    retryable: false,
    ...(context.sceneIndex === undefined ? {} : { sceneIndex: context.sceneIndex }),
    ...(context.deadMessage === undefined ? {} : { deadMessage: context.deadMessage.slice(0, 100_000) }),
  });
}

/** SCREAMING_SNAKE_CASE: the error's own code, else its class name (MediaRejectedError -> MEDIA_REJECTED). */
function errorCode(error: Error): string {
  const own = (error as { code?: unknown }).code;
  if (typeof own === 'string' && /^[A-Z][A-Z0-9_]{1,63}$/.test(own)) return own;
  const fromName = error.name
    .replace(/Error$/, '')
    .replace(/([a-z0-9])([A-Z])/g, '$1_$2')
    .toUpperCase()
    .replace(/[^A-Z0-9_]/g, '_');
  return /^[A-Z][A-Z0-9_]{1,63}$/.test(fromName) ? fromName : 'COMPOSER_FAILED';
}
