import { createReadStream } from 'node:fs';
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { PutObjectCommand, type S3Client } from '@aws-sdk/client-s3';
import { causedMeta, type EventPublisher, sceneReady } from '@reelay/events';
import { probeMedia } from '@reelay/media';
import type Replicate from 'replicate';
import { ModelOutputRejectedError } from '../errors';
import { predictionCost } from '../models/model-catalog';
import { downloadOutput, type OutputPolicy } from './download-output';
import type { PredictionClaims } from './prediction-claims';
import type { RenderState } from './render-state';

export interface StoreSceneDeps {
  replicate: Pick<Replicate, 'predictions'>;
  s3: S3Client;
  bucket: string;
  publisher: Pick<EventPublisher, 'publish'>;
  claims: PredictionClaims;
  policy: OutputPolicy;
  provider: 'replicate' | 'local';
}

export const sceneKey = (jobId: string, sceneIndex: number, attempt: number, ext: string) =>
  `jobs/${jobId}/scenes/${String(sceneIndex).padStart(2, '0')}-${attempt}.${ext}`;

/**
 * Copies a finished prediction's output into S3 (before Replicate deletes it) and announces the scene.
 * Idempotent: run twice (webhook and poll, or a retry), the same key is written and SceneReady is
 * published again, which every consumer treats as a duplicate.
 */
export async function storeScene(state: RenderState, deps: StoreSceneDeps): Promise<{ key: string }> {
  const { scene } = state;
  const predictionId = state.prediction?.predictionId;
  if (!predictionId) throw new ModelOutputRejectedError('no prediction to store');
  const prediction = await deps.replicate.predictions.get(predictionId);
  const url = firstUrl(prediction.output);
  if (!url) throw new ModelOutputRejectedError(`prediction ${predictionId} has no output URL`);
  const dir = await mkdtemp(join(tmpdir(), 'scene-'));
  try {
    const file = join(dir, 'output.mp4');
    const { bytes, sha256 } = await downloadOutput(url, file, deps.policy);
    const probe = await probeMedia(file);
    if (!probe.video)
      throw new ModelOutputRejectedError(`prediction ${predictionId} output has no video stream`);
    const key = sceneKey(scene.jobId, scene.sceneIndex, state.attempt, 'mp4');
    await deps.s3.send(
      new PutObjectCommand({
        Bucket: deps.bucket,
        Key: key,
        Body: createReadStream(file),
        ContentLength: bytes,
        ContentType: 'video/mp4',
        Metadata: { sha256 },
      }),
    );
    await deps.claims.recordStored(
      { jobId: scene.jobId, sceneIndex: scene.sceneIndex, attempt: state.attempt },
      key,
    );
    await deps.publisher.publish(sceneReady, {
      version: 1,
      jobId: scene.jobId,
      meta: causedMeta(scene.meta),
      sceneIndex: scene.sceneIndex,
      sceneCount: scene.sceneCount,
      kind: scene.kind,
      output: scene.output,
      key,
      durationSec: probe.video.durationSec ?? probe.durationSec,
      width: probe.video.width,
      height: probe.video.height,
      bytes,
      sha256,
      provider: deps.provider,
      predictionId,
      attempt: state.attempt,
      costUsd: predictionCost(scene.model, prediction.metrics?.predict_time),
    });
    return { key };
  } finally {
    await rm(dir, { recursive: true, force: true });
  }
}

function firstUrl(output: unknown): string | undefined {
  if (typeof output === 'string') return output;
  if (Array.isArray(output) && typeof output[0] === 'string') return output[0];
  return undefined;
}
