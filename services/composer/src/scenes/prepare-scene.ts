import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { S3Client } from '@aws-sdk/client-s3';
import { SendMessageCommand, type SQSClient } from '@aws-sdk/client-sqs';
import type { SceneKind, SceneReady } from '@reelay/events';
import { checkMediaAllowed, type MediaProbe, probeMedia } from '@reelay/media';
import {
  copyIfNormalized,
  type NormalizeClipRequest,
  type NormalizedClip,
  normalizeAudio,
  normalizeClip,
  transitionKeyframeTimes,
} from '../composition';
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

/** Narration and music are sound only: prepared as audio and placed by the soundtrack pass. */
export const isAudioScene = (kind: SceneKind) => kind === 'narration' || kind === 'music';

export interface PrepareOutcome {
  complete: boolean;
  pictureCopied: boolean;
  /** The job was composed already: this SceneReady (a duplicate, a redrive, a replay) did nothing. */
  alreadyComposed?: true;
}

/**
 * SceneReady -> the scene normalized to the job's format (off the critical path, one per scene in
 * parallel), added to the job's set of prepared scenes; the scene that completes the set asks for
 * composition. A duplicate finds its index already in the set and asks again at most, which the
 * composition lease turns into one composition. Visual scenes (video, image, upload) become
 * clips with keyframes at the cut points; narration and music become 48 kHz stereo audio.
 * A SceneReady for a job already composed is ignored before anything is read: a regeneration is
 * a new job, so such a message is late (a redrive or an archive replay), and preparing it again
 * could only fail a finished job or overwrite what its video was made from.
 */
export async function prepareScene(scene: SceneReady, deps: PrepareDeps): Promise<PrepareOutcome> {
  const job = await deps.scenes.get(scene.jobId);
  if (job?.composed || job?.publishedAt) {
    return { complete: true, pictureCopied: false, alreadyComposed: true };
  }
  const dir = await mkdtemp(join(tmpdir(), 'prepare-'));
  const signal = deps.signal ? { signal: deps.signal } : {};
  try {
    const input = join(dir, 'scene');
    await downloadObject(deps.s3, deps.bucket, scene.key, input);
    const probe = await probeMedia(input, signal);
    checkMediaAllowed(probe);
    const audioOnly = isAudioScene(scene.kind);
    const output = join(dir, audioOnly ? 'prepared.m4a' : 'prepared.mp4');
    const prepared: { durationSec: number; copied?: boolean } = audioOnly
      ? { durationSec: await prepareAudio(input, output, probe, scene.durationSec, signal) }
      : await prepareClip({
          input,
          output,
          format: scene.output,
          probe,
          durationSec: scene.durationSec,
          keyframeTimesSec: transitionKeyframeTimes(scene.durationSec, scene.output),
          // A model's picture is cropped to the job's frame (it may only make another aspect);
          // a user's upload is letterboxed, never cropped.
          fit: scene.provider === 'upload' ? 'letterbox' : 'cover',
          ...signal,
        });
    const { durationSec } = prepared;
    await uploadFile(
      deps.s3,
      deps.bucket,
      preparedKey(scene.jobId, scene.sceneIndex, audioOnly),
      output,
      audioOnly ? 'audio/mp4' : 'video/mp4',
    );
    const state = await deps.scenes.addPrepared({
      jobId: scene.jobId,
      sceneIndex: scene.sceneIndex,
      sceneCount: scene.sceneCount,
      durationSec,
      output: scene.output,
      meta: scene.meta,
      scene: {
        kind: scene.kind,
        durationSec,
        ...(scene.caption === undefined ? {} : { caption: scene.caption }),
        ...(scene.alignTo === undefined ? {} : { alignTo: scene.alignTo }),
      },
    });
    const complete = isComplete(state);
    if (complete) {
      await deps.sqs.send(
        new SendMessageCommand({
          QueueUrl: deps.composeQueueUrl,
          // meta rides along so a dead-lettered request still names the job's user.
          MessageBody: JSON.stringify({ jobId: scene.jobId, meta: scene.meta }),
        }),
      );
    }
    return { complete, pictureCopied: prepared.copied === true };
  } finally {
    await rm(dir, { recursive: true, force: true });
  }
}

/**
 * A clip already in the job's format (the local video model renders so) keeps its picture as it
 * is, stream-copied; anything else is re-encoded. Both give the same kind of prepared clip.
 */
async function prepareClip(request: NormalizeClipRequest): Promise<NormalizedClip> {
  return (await copyIfNormalized(request)) ?? (await normalizeClip(request));
}

/** Narration or music: as long as the scene says, or as the sound is when it is shorter. */
async function prepareAudio(
  input: string,
  output: string,
  probe: MediaProbe,
  durationSec: number,
  signal: { signal?: AbortSignal },
): Promise<number> {
  await normalizeAudio({ input, output, probe, durationSec, ...signal });
  return Math.min(durationSec, probe.durationSec || durationSec);
}
