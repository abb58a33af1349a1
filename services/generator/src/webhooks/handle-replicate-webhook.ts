import { MAX_SCENES, ulidSchema } from '@reelay/events';
import { z } from 'zod';
import type { JobCancellations } from '../cancellation/job-cancellations';
import {
  JobCancelledError,
  ModelOutputExpiredError,
  ModelOutputRejectedError,
  SceneStoreInProgressError,
  WebhookRejectedError,
} from '../errors';
import { outcomeOf } from '../rendering/check-prediction';
import type { PredictionClaims } from '../rendering/prediction-claims';
import { isTerminal, predictionViewSchema } from '../rendering/replicate-client';
import { type StoreSceneDeps, storeScene } from '../rendering/store-scene';
import { verifyReplicateWebhook } from './verify-replicate-webhook';
import type { WebhookDeliveries } from './webhook-deliveries';

/** The scene attempt a webhook is for: the query string of the URL the claim gave the prediction. */
const webhookQuerySchema = z.object({
  jobId: ulidSchema,
  sceneIndex: z.coerce
    .number()
    .int()
    .min(0)
    .max(MAX_SCENES - 1),
  attempt: z.coerce.number().int().min(1).max(10),
  claim: z.uuid(),
});

export interface WebhookRequest {
  rawBody: string;
  headers: Record<string, string | undefined>;
  query: Record<string, string | undefined>;
}

export type WebhookOutcome =
  | 'stored'
  | 'duplicate'
  | 'not-terminal'
  | 'ended'
  | 'ignored-cancelled'
  | 'ignored-unknown'
  | 'left-to-workflow';

export interface WebhookDeps extends StoreSceneDeps {
  secret: string;
  deliveries: Pick<WebhookDeliveries, 'seen' | 'record'>;
  claims: PredictionClaims;
  cancellations: Pick<JobCancellations, 'isCancelled' | 'recordIgnored'>;
}

/**
 * The webhook fast path. Verified first (401 otherwise); a delivery id already handled is a no-op;
 * a succeeded prediction is stored through the same idempotent step as the workflow, whose next check
 * then finds the scene stored. Anything the workflow can do better (a store already under way, an
 * expired or refused output) is left to it: the webhook answers 2xx, so Replicate does not retry.
 */
export async function handleReplicateWebhook(
  req: WebhookRequest,
  deps: WebhookDeps,
): Promise<WebhookOutcome> {
  const { webhookId, body } = verifyReplicateWebhook(deps.secret, req.rawBody, req.headers);
  const query = webhookQuerySchema.safeParse(req.query);
  if (!query.success) throw new WebhookRejectedError('the webhook URL does not name a scene attempt', 400);
  const prediction = predictionViewSchema.safeParse(body);
  if (!prediction.success) throw new WebhookRejectedError('the webhook body is not a prediction', 400);
  if (await deps.deliveries.seen(webhookId)) return 'duplicate';

  const { jobId, sceneIndex, attempt, claim: token } = query.data;
  const k = { jobId, sceneIndex, attempt };
  const view = prediction.data;
  const { id: predictionId, status } = view;
  const outcome = await act();
  await deps.deliveries.record(webhookId, predictionId, deps.now?.() ?? new Date());
  return outcome;

  async function act(): Promise<WebhookOutcome> {
    const claim = await deps.claims.get(k);
    // Not this claim's prediction (a superseded create, or a forged URL with a valid signature).
    if (!claim || claim.token !== token || (claim.predictionId && claim.predictionId !== predictionId))
      return 'ignored-unknown';
    if (await deps.cancellations.isCancelled(jobId)) {
      await deps.cancellations.recordIgnored(
        jobId,
        `webhook ${webhookId} for prediction ${predictionId} (${status})`,
      );
      return 'ignored-cancelled';
    }
    // The webhook can overtake the create task's own record of the id: it resolves the claim.
    if (!claim.predictionId) await deps.claims.recordPrediction(k, predictionId);
    if (!isTerminal(status)) return 'not-terminal';
    if (status !== 'succeeded') {
      await deps.claims.recordOutcome(k, outcomeOf(claim.scene, { ...view, status }));
      return 'ended';
    }
    try {
      await storeScene(k, predictionId, deps);
      return 'stored';
    } catch (error) {
      if (error instanceof JobCancelledError) return 'ignored-cancelled';
      if (
        error instanceof SceneStoreInProgressError ||
        error instanceof ModelOutputExpiredError ||
        error instanceof ModelOutputRejectedError
      )
        return 'left-to-workflow';
      throw error;
    }
  }
}
