import { createReadStream } from 'node:fs';
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { PutObjectCommand, type S3Client } from '@aws-sdk/client-s3';
import { causedMeta, type EventPublisher, sceneReady } from '@reelay/events';
import { probeMedia } from '@reelay/media';
import type Replicate from 'replicate';
import type { JobCancellations } from '../cancellation/job-cancellations';
import {
  JobCancelledError,
  ModelOutputExpiredError,
  ModelOutputRejectedError,
  SceneStoreInProgressError,
} from '../errors';
import { costOf, nextAttempt } from './check-prediction';
import { downloadOutput, type OutputPolicy } from './download-output';
import { type ClaimKey, type PredictionClaims, spentPredictions } from './prediction-claims';
import type { PredictionState } from './render-state';
import { classifyReplicateError, type PredictionView, predictionViewSchema } from './replicate-client';
import { outputMedia } from './scene-media';

export interface StoreSceneDeps {
  replicate: Pick<Replicate, 'predictions'>;
  s3: S3Client;
  bucket: string;
  publisher: Pick<EventPublisher, 'publish'>;
  claims: PredictionClaims;
  cancellations: Pick<JobCancellations, 'isCancelled' | 'recordIgnored'>;
  policy: OutputPolicy;
  provider: 'replicate' | 'local';
  maxAttempts: number;
  pollIntervalSec: number;
  /** How long one store may take before the other path may take over (above storeScene's timeout). */
  storeLeaseSec: number;
  now?: () => Date;
  /** Records SceneLatency once per announced scene (scene-latency.ts), from its ScenePlanned time. */
  sceneLatency?: (plannedAt: string, readyAt: Date) => void;
}

/** Under intermediates/: the media bucket expires it (docs/deploy.md, S3 lifecycle); jobs/ keeps the outputs. */
export const sceneKey = (jobId: string, sceneIndex: number, attempt: number, ext: string) =>
  `intermediates/${jobId}/scenes/${String(sceneIndex).padStart(2, '0')}-${attempt}.${ext}`;

/**
 * The one idempotent store step of RenderScene (StoreScene, retried safely): copies a
 * succeeded prediction's output into S3 before it expires, under the SSRF rules, and publishes
 * SceneReady once. A lease on the claim keeps two runs (a retry after a crash) from storing at once; the
 * claim's `announcedAt` makes every later call a no-op. Returns `stored`, or `retry` when the output
 * expired and another attempt is allowed.
 */
export async function storeScene(
  k: ClaimKey,
  predictionId: string,
  deps: StoreSceneDeps,
): Promise<PredictionState> {
  const now = () => deps.now?.() ?? new Date();
  const done: PredictionState = { predictionId, status: 'stored', pollAfterSec: deps.pollIntervalSec };
  if (await deps.cancellations.isCancelled(k.jobId)) {
    await deps.cancellations.recordIgnored(
      k.jobId,
      `output of prediction ${predictionId} (scene ${k.sceneIndex})`,
    );
    throw new JobCancelledError(`job ${k.jobId} has ended; the output of ${predictionId} is ignored`);
  }
  const lease = await deps.claims.acquireStoreLease(k, now(), deps.storeLeaseSec);
  if (lease === 'announced') return done;
  if (lease === 'held')
    throw new SceneStoreInProgressError(`scene ${k.sceneIndex} attempt ${k.attempt} is being stored`);
  try {
    const claim = await deps.claims.get(k);
    if (!claim) throw new ModelOutputRejectedError(`no claim for scene ${k.sceneIndex} attempt ${k.attempt}`);
    const { scene } = claim;
    let prediction: PredictionView;
    try {
      prediction = predictionViewSchema.parse(await deps.replicate.predictions.get(predictionId));
    } catch (error) {
      throw classifyReplicateError(error);
    }
    if (prediction.status !== 'succeeded')
      throw new ModelOutputRejectedError(`prediction ${predictionId} is ${prediction.status}, not succeeded`);
    await deps.claims.recordOutcome(k, { status: 'succeeded', costUsd: costOf(scene, prediction) });
    const url = firstUrl(prediction.output);
    if (!url)
      throw new ModelOutputExpiredError(`prediction ${predictionId} has no output URL (removed or expired)`);
    const dir = await mkdtemp(join(tmpdir(), 'scene-'));
    try {
      const file = join(dir, 'output');
      const { bytes, sha256 } = await downloadOutput(url, file, deps.policy);
      const media = outputMedia(scene, await probeMedia(file), url);
      const key = sceneKey(scene.jobId, scene.sceneIndex, k.attempt, media.ext);
      await deps.s3.send(
        new PutObjectCommand({
          Bucket: deps.bucket,
          Key: key,
          Body: createReadStream(file),
          ContentLength: bytes,
          ContentType: media.contentType,
          Metadata: { sha256, 'prediction-id': predictionId },
        }),
      );
      // A late output: the job ended while this one downloaded. Nothing is announced (or charged).
      if (await deps.cancellations.isCancelled(k.jobId)) {
        await deps.cancellations.recordIgnored(
          k.jobId,
          `output of prediction ${predictionId} (scene ${k.sceneIndex})`,
        );
        throw new JobCancelledError(`job ${k.jobId} ended while ${predictionId} was stored; not announced`);
      }
      const predictions = spentPredictions(await deps.claims.sceneClaims(k.jobId, k.sceneIndex));
      await deps.publisher.publish(sceneReady, {
        version: 1,
        jobId: scene.jobId,
        meta: causedMeta(scene.meta),
        sceneIndex: scene.sceneIndex,
        sceneCount: scene.sceneCount,
        kind: scene.kind,
        output: scene.output,
        key,
        durationSec: media.durationSec,
        width: media.width,
        height: media.height,
        bytes,
        sha256,
        provider: deps.provider,
        predictionId,
        attempt: k.attempt,
        costUsd: Math.round(predictions.reduce((sum, p) => sum + p.costUsd, 0) * 1e6) / 1e6,
        predictions,
        ...(scene.caption !== undefined ? { caption: scene.caption } : {}),
        ...(scene.alignTo !== undefined ? { alignTo: scene.alignTo } : {}),
      });
      await deps.claims.markAnnounced(k, key, now());
      deps.sceneLatency?.(scene.meta.occurredAt, now());
      return done;
    } finally {
      await rm(dir, { recursive: true, force: true });
    }
  } catch (error) {
    await deps.claims.releaseStoreLease(k).catch(() => undefined);
    if (error instanceof ModelOutputExpiredError) {
      const claim = await deps.claims.get(k);
      const next = claim
        ? nextAttempt({ scene: claim.scene, attempt: k.attempt }, deps.maxAttempts)
        : undefined;
      if (next !== undefined)
        return { predictionId, status: 'retry', nextAttempt: next, pollAfterSec: 1, error: error.message };
    }
    throw error;
  }
}

function firstUrl(output: unknown): string | undefined {
  if (typeof output === 'string') return output;
  if (Array.isArray(output) && typeof output[0] === 'string') return output[0];
  return undefined;
}
