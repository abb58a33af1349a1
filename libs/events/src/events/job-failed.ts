import { ulid } from 'ulid';
import { z } from 'zod';
import { jobIdSchema, metaSchema, newMeta, predictionSpendSchema } from '../common';
import { defineEvent, EVENT_VERSION, SOURCES } from '../define-event';
import { sceneIndexSchema } from '../limits';

export const JOB_FAILED = 'JobFailed' as const;

export const FAILURE_STAGES = [
  'api',
  'plan',
  'render',
  'prepare',
  'compose',
  'ledger',
  'notify',
  'cancel',
  'timeout',
] as const;

export const jobFailedSchema = z.strictObject({
  version: z.literal(EVENT_VERSION),
  jobId: jobIdSchema,
  meta: metaSchema,
  stage: z.enum(FAILURE_STAGES),
  /** Machine-readable, SCREAMING_SNAKE_CASE (e.g. OUTPUT_EXPIRED, CANCELLED). */
  code: z.string().regex(/^[A-Z][A-Z0-9_]{1,63}$/),
  reason: z.string().min(1).max(2000),
  retryable: z.boolean(),
  sceneIndex: sceneIndexSchema.optional(),
  attempts: z.number().int().min(0).optional(),
  /** The message that died, as received (truncated), so it can be inspected and redriven. */
  deadMessage: z.string().max(100_000).optional(),
  /** Predictions the failed scene spent before failing, so they are still charged once. */
  predictions: z.array(predictionSpendSchema).max(10).optional(),
});
export type JobFailed = z.infer<typeof jobFailedSchema>;

export const jobFailed = defineEvent(JOB_FAILED, jobFailedSchema, [
  SOURCES.api,
  SOURCES.generator,
  SOURCES.composer,
  SOURCES.ledger,
]);

export function makeJobFailed(overrides: Partial<JobFailed> = {}): JobFailed {
  return jobFailedSchema.parse({
    version: EVENT_VERSION,
    jobId: ulid(),
    meta: newMeta('user-test'),
    stage: 'render',
    code: 'PREDICTION_FAILED',
    reason: 'the model failed',
    retryable: false,
    ...overrides,
  });
}
