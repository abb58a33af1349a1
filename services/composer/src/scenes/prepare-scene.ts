import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { S3Client } from '@aws-sdk/client-s3';
import { SendMessageCommand, type SQSClient } from '@aws-sdk/client-sqs';
import type { SceneReady } from '@reelay/events';
import { checkMediaAllowed, probeMedia } from '@reelay/media';
import { normalizeClip, transitionKeyframeTimes } from '../composition';
import { downloadObject, preparedKey, uploadFile } from './media-files';
import { isComplete, type SceneSet } from './scene-set';

export interface PrepareDeps {
  s3: S3Client;
  bucket: string;
  sqs: SQSClient;
  composeQueueUrl: string;
  scenes: SceneSet;
  signal?: AbortSignal;
}

/**
 * SceneReady -> the scene normalized to the job's format (off the critical path, one per scene in
 * parallel), added to the job's set of prepared scenes; the scene that completes the set asks for
 * composition. A duplicate finds its index already in the set and asks again at most, which the
 * composition lease turns into one composition.
 */
export async function prepareScene(scene: SceneReady, deps: PrepareDeps): Promise<{ complete: boolean }> {
  const dir = await mkdtemp(join(tmpdir(), 'prepare-'));
  try {
    const input = join(dir, 'scene');
    await downloadObject(deps.s3, deps.bucket, scene.key, input);
    const probe = await probeMedia(input, { ...(deps.signal ? { signal: deps.signal } : {}) });
    checkMediaAllowed(probe);
    const output = join(dir, 'prepared.mp4');
    const clip = await normalizeClip({
      input,
      output,
      format: scene.output,
      probe,
      durationSec: scene.durationSec,
      keyframeTimesSec: transitionKeyframeTimes(scene.durationSec, scene.output),
      ...(deps.signal ? { signal: deps.signal } : {}),
    });
    await uploadFile(deps.s3, deps.bucket, preparedKey(scene.jobId, scene.sceneIndex), output, 'video/mp4');
    const state = await deps.scenes.addPrepared({
      jobId: scene.jobId,
      sceneIndex: scene.sceneIndex,
      sceneCount: scene.sceneCount,
      durationSec: clip.durationSec,
      output: scene.output,
      meta: scene.meta,
    });
    const complete = isComplete(state);
    if (complete) {
      await deps.sqs.send(
        new SendMessageCommand({
          QueueUrl: deps.composeQueueUrl,
          MessageBody: JSON.stringify({ jobId: scene.jobId }),
        }),
      );
    }
    return { complete };
  } finally {
    await rm(dir, { recursive: true, force: true });
  }
}
