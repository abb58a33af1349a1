import {
  ExecutionDoesNotExist,
  ExecutionStatus,
  ListExecutionsCommand,
  type SFNClient,
  StopExecutionCommand,
} from '@aws-sdk/client-sfn';
import type { JobFailed } from '@reelay/events';
import type Replicate from 'replicate';
import { outcomeOf } from '../rendering/check-prediction';
import type { PredictionClaims } from '../rendering/prediction-claims';
import { classifyReplicateError, isTerminal, predictionViewSchema } from '../rendering/replicate-client';
import type { JobCancellations } from './job-cancellations';

export interface StopJobDeps {
  sfn: Pick<SFNClient, 'send'>;
  stateMachineArn: string;
  replicate: Pick<Replicate, 'predictions'>;
  claims: Pick<PredictionClaims, 'jobClaims' | 'recordOutcome'>;
  cancellations: Pick<JobCancellations, 'markCancelled'>;
  now?: () => Date;
}

export interface StopJobResult {
  stoppedExecutions: string[];
  cancelledPredictions: string[];
}

/**
 * The JobFailed that a dead message of stopJob's own queue became: the job had failed already, so it
 * is not acted on again (that would loop a stop that keeps failing through the DLQ forever).
 */
export function isOwnDeadStop(failure: Pick<JobFailed, 'code' | 'reason'>): boolean {
  return failure.code === 'DEAD_LETTER' && /-generator-stop-job\b/.test(failure.reason);
}

/**
 * JobFailed (any stage, cancel included) stops the job's rendering, unless it is retryable (a dead
 * letter, which may be redriven): the marker first (so nothing new is created, stored or announced),
 * then its running RenderScene executions (named <jobId>-...), then
 * its predictions that have no outcome yet. Each step is idempotent, so a redelivered JobFailed or a
 * retry after a partial failure only finishes the work.
 */
export async function stopJob(
  failure: Pick<JobFailed, 'jobId' | 'stage' | 'code' | 'retryable'>,
  deps: StopJobDeps,
): Promise<StopJobResult> {
  const { jobId } = failure;
  // A retryable failure (a dead message, kept for a redrive after a fix) stops nothing: the redrive
  // brings back only that message, so a scene stopped now would never render again and the job
  // could not complete (found by the reliability soak: a denied SceneReady stopped the job's music).
  if (failure.retryable) return { stoppedExecutions: [], cancelledPredictions: [] };
  await deps.cancellations.markCancelled(jobId, failure.stage, failure.code, deps.now?.() ?? new Date());

  const stoppedExecutions: string[] = [];
  let nextToken: string | undefined;
  do {
    const page = await deps.sfn.send(
      new ListExecutionsCommand({
        stateMachineArn: deps.stateMachineArn,
        statusFilter: ExecutionStatus.RUNNING,
        maxResults: 1000,
        nextToken,
      }),
    );
    for (const execution of page.executions ?? []) {
      if (!execution.name?.startsWith(`${jobId}-`) || !execution.executionArn) continue;
      try {
        await deps.sfn.send(
          new StopExecutionCommand({
            executionArn: execution.executionArn,
            error: 'JobFailed',
            cause: `job ${jobId} failed at ${failure.stage} (${failure.code})`,
          }),
        );
        stoppedExecutions.push(execution.name);
      } catch (error) {
        if (!(error instanceof ExecutionDoesNotExist)) throw error;
      }
    }
    nextToken = page.nextToken;
  } while (nextToken);

  const cancelledPredictions: string[] = [];
  for (const claim of await deps.claims.jobClaims(jobId)) {
    if (!claim.predictionId || claim.outcome) continue;
    let prediction: ReturnType<typeof predictionViewSchema.parse>;
    try {
      prediction = predictionViewSchema.parse(await deps.replicate.predictions.cancel(claim.predictionId));
    } catch (error) {
      throw classifyReplicateError(error);
    }
    if (isTerminal(prediction.status))
      await deps.claims.recordOutcome(
        claim,
        outcomeOf(claim.scene, { ...prediction, status: prediction.status }),
      );
    cancelledPredictions.push(claim.predictionId);
  }
  return { stoppedExecutions, cancelledPredictions };
}
