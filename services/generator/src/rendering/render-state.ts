import { intermediateKeySchema, type ScenePlanned, scenePlannedSchema } from '@reelay/events';
import { z } from 'zod';

/**
 * Where a RenderScene attempt stands, as the tasks return it into $.prediction:
 * - Replicate's statuses (starting, processing, succeeded, failed, canceled);
 * - `throttled`: the create was answered 429 and nothing was created; wait pollAfterSec, create again;
 * - `stored`: the scene is stored and announced already (a rerun of the execution); done;
 * - `retry`: the attempt failed in a way a new attempt can fix; `nextAttempt` is the one to start.
 */
export const predictionStateSchema = z.object({
  predictionId: z.string().optional(),
  status: z.enum([
    'starting',
    'processing',
    'succeeded',
    'failed',
    'canceled',
    'throttled',
    'stored',
    'retry',
  ]),
  pollAfterSec: z.number().int().min(1),
  error: z.string().optional(),
  nextAttempt: z.number().int().min(1).optional(),
});
export type PredictionState = z.infer<typeof predictionStateSchema>;

/** The RenderScene execution's state: the planned scene, the attempt and the prediction so far. */
export const renderStateSchema = z.object({
  scene: scenePlannedSchema,
  /** The attempt being rendered: ScenePlanned.attempt first, then one more per retry in this execution. */
  attempt: z.number().int().min(1).max(10),
  /** Chained scenes: the previous scene's last frame, presigned for the model. */
  firstFrameKey: intermediateKeySchema.optional(),
  prediction: predictionStateSchema.optional(),
});
export type RenderState = z.infer<typeof renderStateSchema>;

export function executionName(scene: Pick<ScenePlanned, 'jobId' | 'sceneIndex' | 'attempt'>): string {
  return `${scene.jobId}-${scene.sceneIndex}-${scene.attempt}`;
}

export const claimKeyOf = (state: Pick<RenderState, 'scene' | 'attempt'>) => ({
  jobId: state.scene.jobId,
  sceneIndex: state.scene.sceneIndex,
  attempt: state.attempt,
});
