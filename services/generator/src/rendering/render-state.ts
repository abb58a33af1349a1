import { type ScenePlanned, scenePlannedSchema } from '@reelay/events';
import { z } from 'zod';

/** The RenderScene execution's state: the planned scene, the attempt and the prediction so far. */
export const renderStateSchema = z.object({
  scene: scenePlannedSchema,
  attempt: z.number().int().min(1),
  prediction: z
    .object({
      predictionId: z.string(),
      status: z.enum(['starting', 'processing', 'succeeded', 'failed', 'canceled']),
      pollAfterSec: z.number().int().min(1),
      error: z.string().optional(),
    })
    .optional(),
});
export type RenderState = z.infer<typeof renderStateSchema>;
export type PredictionState = NonNullable<RenderState['prediction']>;

export function executionName(scene: Pick<ScenePlanned, 'jobId' | 'sceneIndex' | 'attempt'>): string {
  return `${scene.jobId}-${scene.sceneIndex}-${scene.attempt}`;
}
