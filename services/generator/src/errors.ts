import { ReelayError } from '@reelay/events';

/** Replicate answered 429: the workflow waits and retries (Retry in RenderScene matches the name). */
export class ModelRateLimitedError extends ReelayError {
  readonly code = 'MODEL_RATE_LIMITED';
  readonly retryable = true;
}
/** 5xx or network failure talking to the model provider. */
export class ModelUnavailableError extends ReelayError {
  readonly code = 'MODEL_UNAVAILABLE';
  readonly retryable = true;
}
/** A claim exists for this attempt but no prediction id was recorded: creating another could pay twice. */
export class PredictionClaimUnresolvedError extends ReelayError {
  readonly code = 'PREDICTION_CLAIM_UNRESOLVED';
  readonly retryable = false;
}
export class ModelOutputRejectedError extends ReelayError {
  readonly code = 'MODEL_OUTPUT_REJECTED';
  readonly retryable = false;
}
export class ModelOutputExpiredError extends ReelayError {
  readonly code = 'OUTPUT_EXPIRED';
  readonly retryable = false;
}
