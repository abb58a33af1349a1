import type { SFNClient } from '@aws-sdk/client-sfn';
import { sceneIndexSchema, ulidSchema } from '@reelay/events';
import { z } from 'zod';
import type { JobCancellations } from '../cancellation/job-cancellations';
import { WebhookRejectedError } from '../errors';
import { type CheckPredictionDeps, predictionStateOf } from '../rendering/check-prediction';
import { completeRenderTask } from '../rendering/complete-render-task';
import type { PredictionClaims } from '../rendering/prediction-claims';
import { isTerminal, predictionViewSchema } from '../rendering/replicate-client';
import { verifyReplicateWebhook } from './verify-replicate-webhook';
import type { WebhookDeliveries } from './webhook-deliveries';

/** The scene attempt a webhook is for: the query string of the URL the claim gave the prediction. */
const webhookQuerySchema = z.object({
  jobId: ulidSchema,
  sceneIndex: z.coerce.number().pipe(sceneIndexSchema),
  attempt: z.coerce.number().int().min(1).max(10),
  claim: z.uuid(),
});

export interface WebhookRequest {
  rawBody: string;
  headers: Record<string, string | undefined>;
  query: Record<string, string | undefined>;
}

/**
 * - `completed`: RenderScene's waiting AwaitPrediction task was completed with the prediction's end;
 * - `task-closed`: that task had been completed already (its own check saw the end first) or timed
 *   out and waits again under a new token, whose check finds the end: nothing is lost;
 * - `no-task`: no task has recorded a token yet; the first AwaitPrediction's check finds the end.
 */
export type WebhookOutcome =
  | 'completed'
  | 'task-closed'
  | 'no-task'
  | 'duplicate'
  | 'not-terminal'
  | 'ignored-cancelled'
  | 'ignored-unknown';

export interface WebhookDeps
  extends Pick<
    CheckPredictionDeps,
    'pollIntervalSec' | 'maxPollIntervalSec' | 'webhookWaitSec' | 'maxAttempts'
  > {
  secret: string;
  deliveries: Pick<WebhookDeliveries, 'seen' | 'record'>;
  claims: Pick<PredictionClaims, 'get' | 'recordPrediction' | 'recordOutcome'>;
  cancellations: Pick<JobCancellations, 'isCancelled' | 'recordIgnored'>;
  sfn: Pick<SFNClient, 'send'>;
  now?: () => Date;
}

/**
 * The webhook wakes RenderScene up. Verified first (401 otherwise); a delivery id already handled is
 * a no-op; a prediction that ended has its outcome and cost recorded and completes the execution's
 * waiting AwaitPrediction task (the token on the claim) with where it stands, exactly as the task's
 * own check would: the workflow then stores the scene (StoreScene) or starts the next attempt. The
 * webhook downloads nothing, so it is quick and needs no ffmpeg.
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
    const state = await predictionStateOf({ scene: claim.scene, attempt }, view, {
      ...deps,
      claims: deps.claims,
      now: () => (deps.now?.() ?? new Date()).getTime(),
    });
    if (!claim.taskToken) return 'no-task';
    return (await completeRenderTask(deps.sfn, claim.taskToken, state)) === 'completed'
      ? 'completed'
      : 'task-closed';
  }
}
