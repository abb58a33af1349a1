/**
 * How a destination refused or failed, named by the PublishFailed reason it becomes. `retryable` follows
 * the project's rule: a retryable failure throws (the queue retries, then dead-letters), a permanent one
 * is recorded and published as PublishFailed.
 */
export type PublishFailureReason = 'quota-exceeded' | 'rejected' | 'auth' | 'retries-exhausted';

export abstract class PublishError extends Error {
  abstract readonly reason: PublishFailureReason;
  abstract readonly retryable: boolean;
}

/** The destination's daily quota is spent: stop this destination for the day. */
export class DestinationQuotaExceededError extends PublishError {
  readonly reason = 'quota-exceeded';
  readonly retryable = false;
  override readonly name = 'DestinationQuotaExceededError';
}

/** The destination refused the video or its metadata (a 400): sending it again changes nothing. */
export class DestinationRejectedError extends PublishError {
  readonly reason = 'rejected';
  readonly retryable = false;
  override readonly name = 'DestinationRejectedError';
}

/** The connection's credentials do not work (revoked or wrong refresh token, unknown client). */
export class DestinationAuthError extends PublishError {
  readonly reason = 'auth';
  readonly retryable = false;
  override readonly name = 'DestinationAuthError';
}

/**
 * A transient failure (5xx, rate limit, a broken connection) that outlasted this attempt's retries:
 * thrown so the message is redelivered; the upload resumes from its saved checkpoint.
 */
export class DestinationUnavailableError extends PublishError {
  readonly reason = 'retries-exhausted';
  readonly retryable = true;
  override readonly name = 'DestinationUnavailableError';
}
