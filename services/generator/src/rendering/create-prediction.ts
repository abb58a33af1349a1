import type Replicate from 'replicate';
import { PredictionClaimUnresolvedError } from '../errors';
import { predictionInput } from '../models/model-catalog';
import type { PredictionClaims } from './prediction-claims';
import type { PredictionState, RenderState } from './render-state';
import { classifyReplicateError, type PredictionView } from './replicate-client';

export interface CreatePredictionDeps {
  replicate: Pick<Replicate, 'predictions'>;
  claims: PredictionClaims;
  pollIntervalSec: number;
  now?: () => Date;
}

/** RenderScene's first task: claim the attempt, then create the one prediction it may have. */
export async function createPrediction(
  state: RenderState,
  deps: CreatePredictionDeps,
): Promise<PredictionState> {
  const { scene, attempt } = state;
  const claimKey = { jobId: scene.jobId, sceneIndex: scene.sceneIndex, attempt };
  const claimed = await deps.claims.claim(claimKey, deps.now?.() ?? new Date());
  if (!claimed) {
    const existing = await deps.claims.get(claimKey);
    if (existing?.predictionId)
      return { predictionId: existing.predictionId, status: 'starting', pollAfterSec: deps.pollIntervalSec };
    throw new PredictionClaimUnresolvedError(
      `scene ${scene.sceneIndex} attempt ${attempt} of job ${scene.jobId} was claimed but its prediction id was never recorded`,
    );
  }
  let prediction: PredictionView;
  try {
    prediction = (await deps.replicate.predictions.create({
      model: scene.model,
      input: predictionInput(scene),
    } as never)) as PredictionView;
  } catch (error) {
    throw classifyReplicateError(error);
  }
  await deps.claims.recordPrediction(claimKey, prediction.id);
  return { predictionId: prediction.id, status: prediction.status, pollAfterSec: deps.pollIntervalSec };
}

/** RenderScene's poll: the prediction's status now. */
export async function checkPrediction(
  state: RenderState,
  deps: Pick<CreatePredictionDeps, 'replicate' | 'pollIntervalSec'>,
): Promise<PredictionState> {
  const predictionId = state.prediction?.predictionId;
  if (!predictionId) throw new Error('checkPrediction called before a prediction exists');
  let prediction: PredictionView;
  try {
    prediction = (await deps.replicate.predictions.get(predictionId)) as PredictionView;
  } catch (error) {
    throw classifyReplicateError(error);
  }
  return {
    predictionId,
    status: prediction.status,
    pollAfterSec: deps.pollIntervalSec,
    // RenderScene's Fail state takes its cause from `error`, so a failed prediction always has one.
    ...(prediction.error || prediction.status === 'failed' || prediction.status === 'canceled'
      ? { error: String(prediction.error ?? `prediction ${prediction.status}`).slice(0, 500) }
      : {}),
  };
}
