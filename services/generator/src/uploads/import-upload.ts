import { createHash } from 'node:crypto';
import { createReadStream } from 'node:fs';
import { stat } from 'node:fs/promises';
import { PutObjectCommand, type S3Client } from '@aws-sdk/client-s3';
import {
  causedMeta,
  type EventPublisher,
  jobFailed,
  type ScenePlanned,
  type SceneReady,
  sceneReady,
} from '@reelay/events';
import { displaySize } from '@reelay/media';
import { UploadRejectedError, withUploadMedia } from './upload-media';

export interface ImportUploadDeps {
  s3: S3Client;
  bucket: string;
  publisher: Pick<EventPublisher, 'publish'>;
  now?: () => Date;
}

const CONTENT_TYPES: Record<string, string> = {
  mp4: 'video/mp4',
  mov: 'video/quicktime',
  m4v: 'video/mp4',
  webm: 'video/webm',
  mkv: 'video/x-matroska',
  png: 'image/png',
  jpg: 'image/jpeg',
  jpeg: 'image/jpeg',
  webp: 'image/webp',
};

/** Where an upload scene's copy lives: with the job's other scenes (intermediates/, expired by the bucket's lifecycle). */
export const uploadSceneKey = (scene: Pick<ScenePlanned, 'jobId' | 'sceneIndex' | 'attempt'>, ext: string) =>
  `intermediates/${scene.jobId}/scenes/${String(scene.sceneIndex).padStart(2, '0')}-${scene.attempt}.${ext}`;

async function sha256Of(file: string): Promise<string> {
  const hash = createHash('sha256');
  for await (const chunk of createReadStream(file)) hash.update(chunk as Buffer);
  return hash.digest('hex');
}

/**
 * An upload scene (a user's clip or still) is not a prediction: its object is copied into the
 * job's scenes, probed (size, duration, sha256) and announced with provider `upload` and no cost.
 * Idempotent: run again, it writes the same key and publishes the same SceneReady.
 * Returns the SceneReady, or undefined when the upload was refused (published as JobFailed).
 */
export async function importUpload(
  scene: ScenePlanned,
  deps: ImportUploadDeps,
): Promise<SceneReady | undefined> {
  const uploadKey = scene.uploadKey;
  if (!uploadKey) throw new Error(`scene ${scene.sceneIndex} has no upload to import`);
  try {
    return await withUploadMedia(deps.s3, deps.bucket, uploadKey, async ({ file, probe }) => {
      const ext = (uploadKey.split('.').pop() ?? 'mp4').toLowerCase();
      const key = uploadSceneKey(scene, ext);
      const { size } = await stat(file);
      const sha256 = await sha256Of(file);
      await deps.s3.send(
        new PutObjectCommand({
          Bucket: deps.bucket,
          Key: key,
          Body: createReadStream(file),
          ContentLength: size,
          ContentType: CONTENT_TYPES[ext] ?? 'application/octet-stream',
          Metadata: { sha256 },
        }),
      );
      const picture = probe.video ? displaySize(probe.video) : { width: 0, height: 0 };
      const detail: SceneReady = {
        version: 1,
        jobId: scene.jobId,
        meta: causedMeta(scene.meta, deps.now?.()),
        sceneIndex: scene.sceneIndex,
        sceneCount: scene.sceneCount,
        kind: scene.kind,
        output: scene.output,
        key,
        // A still lasts as long as the plan gives it; a clip as long as it is.
        durationSec: probe.still ? scene.durationSec : (probe.video?.durationSec ?? probe.durationSec),
        width: picture.width,
        height: picture.height,
        bytes: size,
        sha256,
        provider: 'upload',
        attempt: scene.attempt,
        costUsd: 0,
        predictions: [],
        ...(scene.caption ? { caption: scene.caption } : {}),
      };
      await deps.publisher.publish(sceneReady, detail);
      return detail;
    });
  } catch (error) {
    if (!(error instanceof UploadRejectedError)) throw error;
    await deps.publisher.publish(jobFailed, {
      version: 1,
      jobId: scene.jobId,
      meta: causedMeta(scene.meta, deps.now?.()),
      stage: 'render',
      code: error.code,
      reason: error.message.slice(0, 2000),
      retryable: false,
      sceneIndex: scene.sceneIndex,
    });
    return undefined;
  }
}
