import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { S3Client } from '@aws-sdk/client-s3';
import { SendMessageCommand, type SQSClient } from '@aws-sdk/client-sqs';
import type { OutputFormat, SceneReady } from '@reelay/events';
import { checkMediaAllowed, type MediaProbe, probeMedia } from '@reelay/media';
import {
  copyIfNormalized,
  type NormalizeClipRequest,
  type NormalizedClip,
  normalizeAudio,
  normalizeClip,
  transitionKeyframeTimes,
} from '../composition';
import { framesFor, secondsFor } from '../composition/output-format';
import { type EarlyTransitions, renderEarlyTransitions } from './early-transitions';
import { downloadObject, preparedKey, uploadFile } from './media-files';
import { isAudioKind, isComplete, type JobComposition, type SceneSet, type WaitingPage } from './scene-set';

export interface PrepareDeps {
  s3: S3Client;
  bucket: string;
  sqs: SQSClient;
  composeQueueUrl: string;
  scenes: SceneSet;
  signal?: AbortSignal;
}

export interface PrepareOutcome {
  complete: boolean;
  pictureCopied: boolean;
  /** The job was composed already: this SceneReady (a duplicate, a redrive, a replay) did nothing. */
  alreadyComposed?: true;
  /** A story's page recorded until its narration is prepared (which then renders it). */
  waitingForNarration?: true;
  /** Transitions with ready neighbours rendered now (early-transitions.ts), and any left to compose on failure. */
  transitionsRendered?: number;
  transitionsFailed?: EarlyTransitions['failed'];
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
 *
 * A story's page (an image scene of a format with `pageTiming`) lasts as long as its narration
 * plus the pause: the page and its narration each record their half in the set (the page's key,
 * the narration's measured length) with one UpdateItem that returns the item, and whichever is
 * second renders the page (docs/architecture.md, "Pages timed by their narration").
 */
export async function prepareScene(scene: SceneReady, deps: PrepareDeps): Promise<PrepareOutcome> {
  const job = await deps.scenes.get(scene.jobId);
  if (job?.composed || job?.publishedAt) {
    return { complete: true, pictureCopied: false, alreadyComposed: true };
  }
  const pacing = scene.output.pageTiming;
  if (pacing && scene.kind === 'image') {
    // A story's page lasts as its narration: rendered by whichever of the two is prepared second.
    const narrationSec = await deps.scenes.recordWaitingPage(
      scene.jobId,
      scene.sceneIndex,
      waitingPage(scene),
    );
    if (narrationSec === undefined)
      return { complete: false, pictureCopied: false, waitingForNarration: true };
    return preparePicture(scene, pagedSec(narrationSec, scene.output), deps);
  }
  if (!isAudioKind(scene.kind)) return preparePicture(scene, scene.durationSec, deps);
  const outcome = await prepareSound(scene, deps);
  if (pacing && scene.kind === 'narration' && scene.alignTo !== undefined) {
    const page = await deps.scenes.recordNarrationLength(scene.jobId, scene.alignTo, outcome.durationSec);
    if (page) {
      const rendered = await preparePicture(
        { ...scene, ...page, kind: 'image', sceneIndex: scene.alignTo, alignTo: undefined },
        pagedSec(outcome.durationSec, scene.output),
        deps,
      );
      return { ...rendered, complete: rendered.complete || outcome.complete };
    }
  }
  return { complete: outcome.complete, pictureCopied: false };
}

/**
 * A paced page's length: its narration, the pause after it, and the transition the next page's
 * start overlaps it by, so the next narration starts after the pause; in whole frames.
 */
export function pagedSec(narrationSec: number, output: OutputFormat): number {
  const pause = output.pageTiming?.pauseSec ?? 0;
  const overlap = output.transition === 'cut' ? 0 : output.transitionSec;
  return secondsFor(framesFor(narrationSec + pause + overlap, output), output);
}

const waitingPage = (scene: SceneReady): WaitingPage => ({
  key: scene.key,
  provider: scene.provider,
  sceneCount: scene.sceneCount,
  ...(scene.caption === undefined ? {} : { caption: scene.caption }),
});

/** What a visual scene is rendered from: its SceneReady, or a waiting page's record completed by its narration's. */
type PictureScene = Pick<
  SceneReady,
  | 'jobId'
  | 'sceneIndex'
  | 'sceneCount'
  | 'kind'
  | 'key'
  | 'provider'
  | 'output'
  | 'meta'
  | 'caption'
  | 'alignTo'
>;

/** A visual scene (video, image, upload) normalized to the job's format, `durationSec` long, and added to the set. */
async function preparePicture(
  scene: PictureScene,
  durationSec: number,
  deps: PrepareDeps,
): Promise<PrepareOutcome> {
  return withSceneFile(scene.key, deps, async (input, dir, signal) => {
    const probe = await probeMedia(input, signal);
    checkMediaAllowed(probe);
    const output = join(dir, 'prepared.mp4');
    const prepared = await prepareClip({
      input,
      output,
      format: scene.output,
      probe,
      durationSec,
      keyframeTimesSec: transitionKeyframeTimes(durationSec, scene.output),
      // A model's picture is cropped to the job's frame (it may only make another aspect);
      // a user's upload is letterboxed, never cropped.
      fit: scene.provider === 'upload' ? 'letterbox' : 'cover',
      ...signal,
    });
    await uploadFile(
      deps.s3,
      deps.bucket,
      preparedKey(scene.jobId, scene.sceneIndex, false),
      output,
      'video/mp4',
    );
    const state = await addToSet(scene, prepared.durationSec, deps, prepared.silent);
    const complete = isComplete(state);
    // While other scenes are still being made, the overlaps with ready neighbours are rendered
    // now, off the job's critical path; the scene that completes the set leaves its own to compose.
    const early = complete
      ? undefined
      : await renderEarlyTransitions(state, { index: scene.sceneIndex, file: output }, dir, deps);
    return {
      complete,
      pictureCopied: prepared.copied === true,
      ...(early ? { transitionsRendered: early.rendered.length } : {}),
      ...(early?.failed.length ? { transitionsFailed: early.failed } : {}),
    };
  });
}

/** Narration or music, as 48 kHz stereo AAC, added to the set; returns its length. */
async function prepareSound(
  scene: SceneReady,
  deps: PrepareDeps,
): Promise<{ complete: boolean; durationSec: number }> {
  return withSceneFile(scene.key, deps, async (input, dir, signal) => {
    const probe = await probeMedia(input, signal);
    checkMediaAllowed(probe);
    const output = join(dir, 'prepared.m4a');
    const durationSec = await prepareAudio(input, output, probe, scene.durationSec, signal);
    await uploadFile(
      deps.s3,
      deps.bucket,
      preparedKey(scene.jobId, scene.sceneIndex, true),
      output,
      'audio/mp4',
    );
    return { complete: isComplete(await addToSet(scene, durationSec, deps)), durationSec };
  });
}

/** Downloads a scene's object into a temporary folder for `use`; the folder goes whatever happens. */
async function withSceneFile<T>(
  key: string,
  deps: PrepareDeps,
  use: (input: string, dir: string, signal: { signal?: AbortSignal }) => Promise<T>,
): Promise<T> {
  const dir = await mkdtemp(join(tmpdir(), 'prepare-'));
  try {
    const input = join(dir, 'scene');
    await downloadObject(deps.s3, deps.bucket, key, input);
    return await use(input, dir, deps.signal ? { signal: deps.signal } : {});
  } finally {
    await rm(dir, { recursive: true, force: true });
  }
}

/** Adds a prepared scene to the job's set and returns the set; the scene that completes it asks for composition. */
async function addToSet(
  scene: PictureScene,
  durationSec: number,
  deps: PrepareDeps,
  silent = false,
): Promise<JobComposition> {
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
      ...(silent ? { silent: true } : {}),
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
  return state;
}

/**
 * A clip already in the job's format (the local video model renders so) keeps its picture as it
 * is, stream-copied; anything else is re-encoded. Both give the same kind of prepared clip.
 */
async function prepareClip(request: NormalizeClipRequest): Promise<NormalizedClip> {
  return (await copyIfNormalized(request)) ?? (await normalizeClip(request));
}

/**
 * Narration or music: as long as the scene says, or as the sound is when it is shorter. The length is
 * the prepared sound's, decoded and re-encoded, not what the model's file states: an MP3's stated
 * duration (from its bitrate or Xing header) ran 40-90 ms past its samples, and a story page timed
 * by it stayed on screen up to two frames longer than its narration.
 */
async function prepareAudio(
  input: string,
  output: string,
  probe: MediaProbe,
  durationSec: number,
  signal: { signal?: AbortSignal },
): Promise<number> {
  await normalizeAudio({ input, output, probe, durationSec, ...signal });
  const prepared = await probeMedia(output, signal);
  return Math.min(durationSec, prepared.durationSec || probe.durationSec || durationSec);
}
