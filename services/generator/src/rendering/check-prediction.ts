import type { SFNClient } from '@aws-sdk/client-sfn';
import type { ScenePlanned } from '@reelay/events';
import type Replicate from 'replicate';
import { predictionInput } from '../models/model-inputs';
import { type BilledPrediction, predictionCost } from '../models/model-prices';
import { completeRenderTask, ENDS_THE_WAIT } from './complete-render-task';
import { checkAfterSec } from './poll-delay';
import type { PredictionClaims, PredictionOutcome } from './prediction-claims';
import { claimKeyOf, type PredictionState, type RenderState } from './render-state';
import {
  classifyReplicateError,
  isTerminal,
  type PredictionView,
  predictionViewSchema,
  providerStatus,
  rateLimitWaitSec,
  type TERMINAL,
  throttledWaitSec,
} from './replicate-client';

export interface CheckPredictionDeps {
  replicate: Pick<Replicate, 'predictions'>;
  claims: Pick<PredictionClaims, 'get' | 'recordOutcome'>;
  pollIntervalSec: number;
  /** The longest wait between two checks of a running prediction (poll-delay.ts). */
  maxPollIntervalSec?: number;
  /** With webhooks: how long a running prediction is left to its webhook before it is checked. */
  webhookWaitSec?: number | undefined;
  now?: () => number;
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

/**
 * What a prediction of this scene costs. The input it was sent is rebuilt from the scene for when
 * Replicate no longer returns it (its data is removed an hour after it ends); the first frame's URL
 * plays no part in any price.
 */
export function costOf(scene: ScenePlanned, prediction: BilledPrediction): number {
  let sent: Record<string, unknown> | undefined;
  try {
    sent = predictionInput(scene, { firstFrameUrl: 'https://first-frame.invalid/frame.jpg' });
  } catch {
    sent = undefined;
  }
  return predictionCost(scene.model, prediction, sent);
}

/**
 * What a terminal prediction spent. An aborted one never ran, so it costs nothing; the ledger's
 * outcomes have no `aborted`, so it is kept as a failed prediction of cost 0.
 */
export function outcomeOf(
  scene: ScenePlanned,
  prediction: BilledPrediction & { status: (typeof TERMINAL)[number] },
): PredictionOutcome {
  if (prediction.status === 'aborted') return { status: 'failed', costUsd: 0 };
  return { status: prediction.status, costUsd: costOf(scene, prediction) };
}

/**
 * RenderScene's check of a prediction, the reconciler for lost webhooks: `stored` when the scene is
 * already announced, else where the prediction stands (predictionStateOf).
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
      const after = rateLimitWaitSec(error);
      return { predictionId, status: 'processing', pollAfterSec: throttledWaitSec(after, deps.random) };
    }
    throw classifyReplicateError(error);
  }
  return predictionStateOf(state, prediction, deps);
}

/**
 * Where a prediction of this attempt stands, from Replicate's view of it (a GET or a verified
 * webhook's body). A terminal prediction's outcome and cost are recorded on its claim; a failed one
 * is retried as a new attempt while attempts are left.
 */
export async function predictionStateOf(
  state: Pick<RenderState, 'scene' | 'attempt'>,
  prediction: PredictionView,
  deps: Pick<
    CheckPredictionDeps,
    'claims' | 'pollIntervalSec' | 'maxPollIntervalSec' | 'webhookWaitSec' | 'maxAttempts' | 'now'
  >,
): Promise<PredictionState> {
  const k = claimKeyOf(state);
  const predictionId = prediction.id;
  if (isTerminal(prediction.status))
    await deps.claims.recordOutcome(k, outcomeOf(state.scene, { ...prediction, status: prediction.status }));
  // Replicate's `aborted`: the prediction passed its deadline before it started, so it never ran
  // and is not billed. It is retried like a failure (a new attempt) and, without attempts left,
  // fails the scene as `failed` so RenderScene's Fail state gets its reason.
  const status = prediction.status === 'aborted' ? 'failed' : prediction.status;
  const error =
    prediction.status === 'aborted'
      ? `prediction ${predictionId} was aborted: it passed its deadline before it started running`
      : status === 'failed' || status === 'canceled'
        ? String(prediction.error ?? `prediction ${prediction.status}`).slice(0, 500)
        : undefined;
  if (status === 'failed') {
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
    status,
    pollAfterSec: checkAfterSec(prediction.created_at, (deps.now ?? Date.now)(), {
      webhookWaitSec: deps.webhookWaitSec,
      baseSec: deps.pollIntervalSec,
      maxSec: deps.maxPollIntervalSec ?? deps.pollIntervalSec,
    }),
    ...(error ? { error } : {}),
  };
}

export interface AwaitPredictionDeps extends CheckPredictionDeps {
  claims: Pick<PredictionClaims, 'get' | 'recordOutcome' | 'recordTaskToken'>;
  sfn: Pick<SFNClient, 'send'>;
}

/**
 * RenderScene's AwaitPrediction task (lambda:invoke.waitForTaskToken): records its task token on the
 * claim, so the webhook can complete the task, then checks the prediction once. A prediction that
 * already ended (its webhook came before the token was recorded, or was lost) completes the task
 * here; a running one is left to its webhook, and the task's timeout brings the next check. The
 * token is recorded before the check, so an end is never missed by both.
 */
export async function awaitPrediction(
  input: { state: RenderState; taskToken: string },
  deps: AwaitPredictionDeps,
): Promise<PredictionState> {
  // The create was answered 429 and created nothing: nothing to wait for, WaitBeforeCreate waits.
  const created = input.state.prediction;
  if (created?.status === 'throttled') {
    await completeRenderTask(deps.sfn, input.taskToken, created);
    return created;
  }
  await deps.claims.recordTaskToken(claimKeyOf(input.state), input.taskToken);
  const state = await checkPrediction(input.state, deps);
  if (ENDS_THE_WAIT.has(state.status)) await completeRenderTask(deps.sfn, input.taskToken, state);
  return state;
}
