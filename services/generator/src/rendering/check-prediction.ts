import type Replicate from 'replicate';
import { predictionCost } from '../models/model-prices';
import type { PredictionClaims } from './prediction-claims';
import { claimKeyOf, type PredictionState, type RenderState } from './render-state';
import {
  classifyReplicateError,
  isTerminal,
  type PredictionView,
  predictionViewSchema,
  providerStatus,
  retryAfterSec,
  throttledWaitSec,
} from './replicate-client';

export interface CheckPredictionDeps {
  replicate: Pick<Replicate, 'predictions'>;
  claims: Pick<PredictionClaims, 'get' | 'recordOutcome'>;
  pollIntervalSec: number;
  /** Attempts one execution may make (the first included) before a failed prediction fails the scene. */
  maxAttempts: number;
  random?: () => number;
}

/** The attempt after this one, if the execution may still make one. */
export function nextAttempt(
  state: Pick<RenderState, 'scene' | 'attempt'>,
  maxAttempts: number,
): number | undefined {
  return state.attempt - state.scene.attempt + 1 < maxAttempts ? state.attempt + 1 : undefined;
}

export const costOf = (model: string, prediction: Pick<PredictionView, 'metrics'>) =>
  predictionCost(model, prediction.metrics?.predict_time);

/**
 * RenderScene's poll, the reconciler for lost webhooks: `stored` when the webhook fast path already
 * announced the scene, else the prediction's status. A terminal prediction's outcome and cost are
 * recorded on its claim; a failed one is retried as a new attempt while attempts are left.
 */
export async function checkPrediction(
  state: RenderState,
  deps: CheckPredictionDeps,
): Promise<PredictionState> {
  const predictionId = state.prediction?.predictionId;
  if (!predictionId) throw new Error('checkPrediction called before a prediction exists');
  const k = claimKeyOf(state);
  const claim = await deps.claims.get(k);
  if (claim?.announcedAt) return { predictionId, status: 'stored', pollAfterSec: deps.pollIntervalSec };

  let prediction: PredictionView;
  try {
    prediction = predictionViewSchema.parse(await deps.replicate.predictions.get(predictionId));
  } catch (error) {
    if (providerStatus(error) === 429) {
      const after = retryAfterSec((error as { response: Response }).response.headers.get('retry-after'));
      return { predictionId, status: 'processing', pollAfterSec: throttledWaitSec(after, deps.random) };
    }
    throw classifyReplicateError(error);
  }
  if (isTerminal(prediction.status))
    await deps.claims.recordOutcome(k, {
      status: prediction.status,
      costUsd: costOf(state.scene.model, prediction),
    });
  const error =
    prediction.status === 'failed' || prediction.status === 'canceled'
      ? String(prediction.error ?? `prediction ${prediction.status}`).slice(0, 500)
      : undefined;
  if (prediction.status === 'failed') {
    const next = nextAttempt(state, deps.maxAttempts);
    if (next !== undefined)
      return {
        predictionId,
        status: 'retry',
        nextAttempt: next,
        pollAfterSec: deps.pollIntervalSec,
        ...(error ? { error } : {}),
      };
  }
  // RenderScene's Fail state takes its cause from `error`, so a failed prediction always has one.
  return {
    predictionId,
    status: prediction.status,
    pollAfterSec: deps.pollIntervalSec,
    ...(error ? { error } : {}),
  };
}
