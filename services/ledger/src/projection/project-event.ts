import type { DynamoDBDocumentClient } from '@aws-sdk/lib-dynamodb';
import { type DecodedEvent, type PredictionSpend, terminalClaim } from '@reelay/events';
import { chargePrediction } from './charge-usage';
import { decideOutcome } from './decide-outcome';
import { advanceStatus, openJob, updateJob } from './job-item';
import { keepDeadMessage } from './keep-dead-message';
import type { LedgerEvents } from './ledger-events';
import { type LedgerMetrics, noLedgerMetrics } from './ledger-metrics';
import { recordPublished, recordPublishFailed } from './publication-item';
import { raiseSceneAttempts, updateScene } from './scene-item';
import { recordTimeline } from './timeline';

export interface ProjectionDeps {
  doc: DynamoDBDocumentClient;
  table: string;
  now?: () => Date;
  metrics?: LedgerMetrics;
}

/**
 * Projects one event onto the job's record. Every write is idempotent on business keys (job, event
 * type, scene, prediction, dead message), so duplicates, redeliveries and replays converge to the same
 * record in any order.
 */
export async function projectEvent(event: DecodedEvent<LedgerEvents>, deps: ProjectionDeps): Promise<void> {
  const recordedAt = (deps.now?.() ?? new Date()).toISOString();
  const metrics = deps.metrics ?? noLedgerMetrics;
  const { detail } = event;
  const sceneIndex = 'sceneIndex' in detail ? detail.sceneIndex : undefined;
  await recordTimeline(deps, {
    jobId: detail.jobId,
    envelope: event.envelope,
    occurredAt: detail.meta.occurredAt,
    recordedAt,
    ...(sceneIndex === undefined ? {} : { sceneIndex }),
    ...(event.type === 'JobFailed' ? { stage: event.detail.stage } : {}),
  });
  const charge = async (predictions: readonly PredictionSpend[], index: number | undefined) => {
    for (const prediction of predictions) {
      const charged = await chargePrediction(deps, {
        jobId: detail.jobId,
        userId: detail.meta.userId,
        ...(index === undefined ? {} : { sceneIndex: index }),
        prediction,
        occurredAt: detail.meta.occurredAt,
        chargedAt: recordedAt,
      });
      if (charged) metrics.charged(prediction.costUsd);
    }
  };

  switch (event.type) {
    case 'JobRequested': {
      const d = event.detail;
      await updateJob(deps, d.jobId, d.meta.userId, recordedAt, {
        spec: d.spec,
        createdAt: d.meta.occurredAt,
        correlationId: d.meta.correlationId,
        deadlineAt: d.deadlineAt,
        ...(d.parentJobId ? { parentJobId: d.parentJobId } : {}),
      });
      await advanceStatus(deps, d.jobId, 'REQUESTED');
      await openJob(deps, d.jobId, d.deadlineAt);
      return;
    }
    case 'ScenePlanned': {
      const d = event.detail;
      await updateJob(deps, d.jobId, d.meta.userId, recordedAt, { sceneCount: d.sceneCount });
      await updateScene(
        deps,
        d.jobId,
        d.sceneIndex,
        {},
        {
          kind: d.kind,
          prompt: d.prompt,
          durationSec: d.durationSec,
          status: 'planned',
        },
      );
      await raiseSceneAttempts(deps, d.jobId, d.sceneIndex, d.attempt);
      await charge(d.planning ?? [], undefined); // the plan's cost is the job's, not a scene's
      await advanceStatus(deps, d.jobId, 'RENDERING');
      return;
    }
    case 'SceneReady': {
      const d = event.detail;
      await updateJob(deps, d.jobId, d.meta.userId, recordedAt, { sceneCount: d.sceneCount });
      await updateScene(deps, d.jobId, d.sceneIndex, {
        kind: d.kind,
        status: 'ready',
        durationSec: d.durationSec,
        key: d.key,
        provider: d.provider,
      });
      const attempts = Math.max(d.attempt, ...d.predictions.map((p) => p.attempt));
      await raiseSceneAttempts(deps, d.jobId, d.sceneIndex, attempts);
      await charge(scenePredictions(d), d.sceneIndex);
      await advanceStatus(deps, d.jobId, 'RENDERING');
      return;
    }
    case 'VideoComposed': {
      const d = event.detail;
      const { jobId: _j, meta: _m, version: _v, sceneCount, ...output } = d;
      await updateJob(deps, d.jobId, d.meta.userId, recordedAt, { output, sceneCount });
      // The outcome follows the shared rule (libs/events terminal-outcome.ts), as the api's does.
      const advanced = await decideOutcome(deps, d.jobId, terminalClaim(event), {
        completedAt: d.meta.occurredAt,
      });
      if (advanced) {
        const createdAt = advanced.before.createdAt;
        metrics.jobCompleted(
          typeof createdAt === 'string'
            ? (Date.parse(d.meta.occurredAt) - Date.parse(createdAt)) / 1000
            : undefined,
        );
      }
      return;
    }
    case 'JobFailed': {
      const d = event.detail;
      await updateJob(deps, d.jobId, d.meta.userId, recordedAt, {});
      if (d.deadMessage) await keepDeadMessage(deps, d.jobId, d.stage, d.deadMessage, d.meta.occurredAt);
      await charge(d.predictions ?? [], d.sceneIndex);
      const failure = {
        stage: d.stage,
        code: d.code,
        reason: d.reason,
        retryable: d.retryable,
        ...(d.sceneIndex === undefined ? {} : { sceneIndex: d.sceneIndex }),
        ...(d.attempts === undefined ? {} : { attempts: d.attempts }),
      };
      // Every failure is on the timeline; the one the shared rule picks is the job's outcome (a dead
      // letter is provisional: a video or a decisive failure replaces it).
      const advanced = await decideOutcome(
        deps,
        d.jobId,
        terminalClaim(event),
        { failure, failedAt: d.meta.occurredAt },
        d.stage === 'cancel' ? 'CANCELLED' : 'FAILED',
      );
      if (advanced) metrics.jobFailed(d.stage);
      return;
    }
    case 'VideoPublished':
      await updateJob(deps, event.detail.jobId, event.detail.meta.userId, recordedAt, {});
      await recordPublished(deps, event.detail);
      return;
    case 'PublishFailed':
      await updateJob(deps, event.detail.jobId, event.detail.meta.userId, recordedAt, {});
      await recordPublishFailed(deps, event.detail);
      return;
  }
}

/** A producer that reports only the scene's total still charges it once, under its predictionId. */
function scenePredictions(d: {
  predictions: PredictionSpend[];
  predictionId?: string | undefined;
  attempt: number;
  costUsd: number;
}): PredictionSpend[] {
  if (d.predictions.length > 0 || !d.predictionId || d.costUsd <= 0) return d.predictions;
  return [{ predictionId: d.predictionId, attempt: d.attempt, status: 'succeeded', costUsd: d.costUsd }];
}
