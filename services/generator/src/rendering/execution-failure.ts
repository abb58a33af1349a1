import { causedMeta, type JobFailed, scenePlannedSchema } from '@reelay/events';
import { z } from 'zod';

/** AWS's own "Step Functions Execution Status Change" event, as delivered through SQS. */
export const executionStatusChangeSchema = z.object({
  source: z.literal('aws.states'),
  'detail-type': z.literal('Step Functions Execution Status Change'),
  detail: z.object({
    executionArn: z.string(),
    name: z.string(),
    status: z.enum(['FAILED', 'TIMED_OUT', 'ABORTED', 'SUCCEEDED', 'RUNNING']),
    input: z.string().nullable().optional(),
    error: z.string().nullable().optional(),
    cause: z.string().nullable().optional(),
  }),
});

const CODE_BY_ERROR: Record<string, string> = {
  PredictionFailed: 'PREDICTION_FAILED',
  ModelOutputExpiredError: 'OUTPUT_EXPIRED',
  ModelOutputRejectedError: 'MODEL_OUTPUT_REJECTED',
  PredictionClaimUnresolvedError: 'PREDICTION_CLAIM_UNRESOLVED',
  PredictionClaimPendingError: 'PREDICTION_CLAIM_UNRESOLVED',
  ModelRateLimitedError: 'MODEL_RATE_LIMITED',
  ModelUnavailableError: 'MODEL_UNAVAILABLE',
  ModelInputUnsupportedError: 'MODEL_INPUT_UNSUPPORTED',
  SceneStoreInProgressError: 'SCENE_STORE_STUCK',
  'States.Timeout': 'RENDER_TIMED_OUT',
};

/** The JobFailed a failed RenderScene execution stands for, or undefined if it is not ours to report. */
export function jobFailedFromExecution(body: string): JobFailed | undefined {
  const event = executionStatusChangeSchema.parse(JSON.parse(body));
  const { detail } = event;
  if (detail.status !== 'FAILED' && detail.status !== 'TIMED_OUT') return undefined;
  const input = z
    .object({ scene: scenePlannedSchema, attempt: z.number() })
    .parse(JSON.parse(detail.input ?? '{}'));
  const errorName = detail.status === 'TIMED_OUT' ? 'States.Timeout' : (detail.error ?? 'Unknown');
  return {
    version: 1,
    jobId: input.scene.jobId,
    meta: causedMeta(input.scene.meta),
    stage: 'render',
    code: CODE_BY_ERROR[errorName] ?? 'RENDER_FAILED',
    reason:
      `scene ${input.scene.sceneIndex} (${detail.name}): ${errorName}${detail.cause ? `: ${detail.cause}` : ''}`.slice(
        0,
        2000,
      ),
    retryable: false,
    sceneIndex: input.scene.sceneIndex,
    attempts: input.attempt,
  };
}
