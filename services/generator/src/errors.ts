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
/**
 * A claim without a prediction id whose create call may still land (it started less than the create
 * window ago) and whose prediction cannot be found yet: wait, then reconcile again.
 */
export class PredictionClaimPendingError extends ReelayError {
  readonly code = 'PREDICTION_CLAIM_PENDING';
  readonly retryable = true;
}
/** The other path (webhook or workflow) is storing this scene attempt right now. */
export class SceneStoreInProgressError extends ReelayError {
  readonly code = 'SCENE_STORE_IN_PROGRESS';
  readonly retryable = true;
}
/** The job failed or was cancelled: no prediction is created and no scene is announced for it. */
export class JobCancelledError extends ReelayError {
  readonly code = 'JOB_CANCELLED';
  readonly retryable = false;
}
/** A webhook whose signature, timestamp or shape does not hold (answered 401 or 400). */
export class WebhookRejectedError extends ReelayError {
  readonly code = 'WEBHOOK_REJECTED';
  readonly retryable = false;
  constructor(
    message: string,
    readonly statusCode: 400 | 401,
  ) {
    super(message);
  }
}
/** The scene asks for something its model cannot make (e.g. Kling without a start image). */
export class ModelInputUnsupportedError extends ReelayError {
  readonly code = 'MODEL_INPUT_UNSUPPORTED';
  readonly retryable = false;
}
/** No configured narration model speaks the job's language (or has its voice): the job cannot be narrated. */
export class NarrationLanguageUnsupportedError extends ReelayError {
  readonly code = 'NARRATION_LANGUAGE_UNSUPPORTED';
  readonly retryable = false;
}
