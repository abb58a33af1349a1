import type Replicate from 'replicate';
import type { JobCancellations } from '../cancellation/job-cancellations';
import { JobCancelledError, PredictionClaimPendingError } from '../errors';
import { predictionInput } from '../models/model-inputs';
import { predictionTarget } from '../models/model-target';
import { findClaimedPrediction } from './find-claimed-prediction';
import type { Claim, PredictionClaims } from './prediction-claims';
import { claimKeyOf, type PredictionState, type RenderState } from './render-state';
import {
  classifyReplicateError,
  type PredictionView,
  predictionViewSchema,
  providerStatus,
  rateLimitWaitSec,
  throttledWaitSec,
} from './replicate-client';
import { webhookUrl } from './webhook-url';

export interface CreatePredictionDeps {
  replicate: Pick<Replicate, 'predictions' | 'paginate'>;
  claims: PredictionClaims;
  cancellations: Pick<JobCancellations, 'isCancelled'>;
  pollIntervalSec: number;
  /** Public base URL of the generator's HTTP API (webhooks); none means polling only. */
  webhookBaseUrl?: string;
  /** With webhooks: how long AwaitPrediction leaves a prediction to its webhook before checking it. */
  webhookWaitSec?: number | undefined;
  /**
   * Longer than createPrediction's timeout: a create call started longer ago than this has either
   * landed (and is found by its input, see find-claimed-prediction.ts) or never will.
   */
  createWindowSec: number;
  /** A URL the model can download a chained scene's first frame from (first-frame-url.ts). */
  firstFrameUrl: (key: string) => Promise<string>;
  now?: () => Date;
  random?: () => number;
}

/** Connection failures that happen before a request is sent: nothing can have been created. */
const NOT_SENT_CODES = new Set(['ENOTFOUND', 'EAI_AGAIN', 'ECONNREFUSED', 'UND_ERR_CONNECT_TIMEOUT']);

/**
 * Create calls that certainly created nothing: a provider answer other than 502/504 (there the origin
 * may have acted), or a connection that was never made. A reset or a timeout after sending may have
 * created a prediction: the claim then waits for the create window and looks for it.
 */
function nothingCreated(error: unknown): boolean {
  const status = providerStatus(error);
  if (status !== undefined) return status !== 502 && status !== 504;
  const code = (error as { cause?: { code?: unknown } }).cause?.code;
  return typeof code === 'string' && NOT_SENT_CODES.has(code);
}

/**
 * RenderScene's first task: claim the attempt, then create the one prediction it may have. A claim
 * that exists without a prediction id (a crash between create and record, or a refused create) is
 * reconciled first: the prediction of the scene's model with this claim's input is adopted; a new create happens only
 * when the previous one certainly created nothing or its window has passed without a prediction.
 */
export async function createPrediction(
  state: RenderState,
  deps: CreatePredictionDeps,
): Promise<PredictionState> {
  const { scene } = state;
  const k = claimKeyOf(state);
  const now = deps.now?.() ?? new Date();
  if (await deps.cancellations.isCancelled(scene.jobId))
    throw new JobCancelledError(`job ${scene.jobId} has ended; no prediction is created for it`);

  let claim = await deps.claims.claim(k, scene, now, state.firstFrameKey);
  if (!claim) {
    const existing = await deps.claims.get(k);
    if (!existing) throw new PredictionClaimPendingError(`the claim of ${describe(k)} is not readable yet`);
    if (existing.predictionId) return started(existing.predictionId, 'starting', deps);
    // Predictions other attempts of this scene recorded are theirs, even when the input is the same.
    const owned = new Set(
      (await deps.claims.sceneClaims(k.jobId, k.sceneIndex)).flatMap((c) =>
        c.attempt !== k.attempt && c.predictionId ? [c.predictionId] : [],
      ),
    );
    const found = await findClaimedPrediction(deps.replicate, existing, owned);
    if (found) {
      await deps.claims.recordPrediction(k, found.id);
      return started(found.id, found.status, deps);
    }
    const age = (now.getTime() - Date.parse(existing.createStartedAt)) / 1000;
    if (!existing.notCreated && age < deps.createWindowSec)
      throw new PredictionClaimPendingError(
        `${describe(k)} was claimed ${Math.round(age)}s ago and its prediction is not found yet`,
      );
    claim = await deps.claims.restartCreate(k, existing, now);
    if (!claim) throw new PredictionClaimPendingError(`another create of ${describe(k)} started meanwhile`);
  }

  let prediction: PredictionView;
  try {
    prediction = predictionViewSchema.parse(
      await deps.replicate.predictions.create(await createRequest(claim, state, deps)),
    );
  } catch (error) {
    if (nothingCreated(error)) await deps.claims.markNotCreated(k, claim.token);
    if (providerStatus(error) === 429) {
      const after = rateLimitWaitSec(error);
      return { status: 'throttled', pollAfterSec: throttledWaitSec(after, deps.random) };
    }
    throw classifyReplicateError(error);
  }
  await deps.claims.recordPrediction(k, prediction.id);
  // A cancel that landed while we were creating: its sweep may have missed this prediction.
  if (await deps.cancellations.isCancelled(scene.jobId)) {
    await deps.replicate.predictions.cancel(prediction.id).catch(() => undefined);
    await deps.claims.recordOutcome(k, { status: 'canceled', costUsd: 0 });
    throw new JobCancelledError(
      `job ${scene.jobId} ended while ${describe(k)} was created; prediction cancelled`,
    );
  }
  return started(prediction.id, prediction.status, deps);
}

async function createRequest(claim: Claim, state: RenderState, deps: CreatePredictionDeps) {
  const { scene } = state;
  const firstFrameUrl = state.firstFrameKey ? await deps.firstFrameUrl(state.firstFrameKey) : undefined;
  const input = predictionInput(scene, firstFrameUrl ? { firstFrameUrl } : {});
  const webhook = deps.webhookBaseUrl ? webhookUrl(deps.webhookBaseUrl, claim) : undefined;
  // Official models by name, community and pinned ones by version (src/models/model-target.ts).
  // The client's types insist on `version`; the models endpoint takes `model` instead.
  return {
    ...predictionTarget(scene.model),
    input,
    ...(webhook ? { webhook, webhook_events_filter: ['completed'] } : {}),
  } as unknown as Parameters<Replicate['predictions']['create']>[0];
}

const started = (
  predictionId: string,
  status: PredictionView['status'],
  deps: Pick<CreatePredictionDeps, 'pollIntervalSec' | 'webhookWaitSec'>,
): PredictionState => ({
  predictionId,
  // An `aborted` answer is read again by AwaitPrediction's check, which decides what it means.
  status: status === 'aborted' ? 'starting' : status,
  // AwaitPrediction's timeout (TimeoutSecondsPath): the webhook's time, or the first poll.
  pollAfterSec: deps.webhookWaitSec ?? deps.pollIntervalSec,
});

const describe = (k: { jobId: string; sceneIndex: number; attempt: number }) =>
  `scene ${k.sceneIndex} attempt ${k.attempt} of job ${k.jobId}`;
