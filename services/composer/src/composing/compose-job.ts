import { mkdtemp, rm, stat } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { S3Client } from '@aws-sdk/client-s3';
import { causedMeta, type EventPublisher, videoComposed } from '@reelay/events';
import { captionCues, composeTimeline, isHardCut, makeThumbnail, thumbnailTimeSec } from '../composition';
import { secondsFor, transitionFrames } from '../composition/output-format';
import { CompositionIncompleteError, CompositionLeasedElsewhereError } from '../errors';
import {
  captionsKey,
  downloadObject,
  finalKey,
  preparedKey,
  sha256Of,
  storedMetadata,
  thumbnailKey,
  uploadFile,
} from '../scenes/media-files';
import { type ComposedOutput, isComplete, type JobComposition, type SceneSet } from '../scenes/scene-set';
import { composedMetadata, storedComposedOutput } from './stored-output';
import { timelineScenes } from './timeline-scenes';

export interface ComposeDeps {
  s3: S3Client;
  bucket: string;
  scenes: Pick<SceneSet, 'get' | 'claimLease' | 'recordComposed' | 'recordPublished' | 'releaseLease'>;
  publisher: Pick<EventPublisher, 'publish'>;
  owner: string;
  /** How long the lease lasts: past the function's timeout, so a crashed composer's lease expires. */
  leaseMs: number;
  signal?: AbortSignal;
  now?: () => number;
}

export type ComposeOutcome = 'composed' | 'republished' | 'recovered' | 'already-published';

/**
 * Composes a job once: a lease (conditional write with an expiry) makes concurrent or duplicate
 * requests wait while a composer is alive (CompositionLeasedElsewhereError: retried when the lease
 * can expire), and lets a crashed one be retried. A crash after the
 * output was stored (recognized by the sha256 in its metadata) or recorded, and before publishing,
 * leads to publishing that output, not to a second composition. A composer stopped by its time
 * limit gives the lease back before it fails, so the retry need not wait for it to expire.
 */
export async function composeJob(jobId: string, deps: ComposeDeps): Promise<ComposeOutcome> {
  const now = deps.now?.() ?? Date.now();
  const job = await deps.scenes.get(jobId);
  if (!job) throw new CompositionIncompleteError(`no prepared scenes for job ${jobId}`);
  if (job.publishedAt) return 'already-published';
  if (!isComplete(job))
    throw new CompositionIncompleteError(
      `job ${jobId} has ${job.prepared.size} of ${job.sceneCount} scenes prepared`,
    );
  if (!(await deps.scenes.claimLease(jobId, deps.owner, now, now + deps.leaseMs))) {
    const latest = await deps.scenes.get(jobId);
    if (latest?.publishedAt) return 'already-published';
    // Not a success: the lease may belong to a composer that died (a crash, a kill -9 of the local
    // cloud), and only a retry after its expiry can finish the job. README "Composition lease".
    throw new CompositionLeasedElsewhereError(
      `job ${jobId} is leased by another composer until ${latest?.leaseUntil ?? 'now'}`,
      latest?.leaseUntil,
    );
  }
  try {
    if (job.composed) {
      await publish(job, job.composed, deps);
      return 'republished';
    }
    const stored = storedComposedOutput(await storedMetadata(deps.s3, deps.bucket, finalKey(jobId)));
    if (stored) {
      await deps.scenes.recordComposed(jobId, deps.owner, stored);
      await publish(job, stored, deps);
      return 'recovered';
    }
    const composed = await render(job, deps);
    await deps.scenes.recordComposed(jobId, deps.owner, composed);
    await publish(job, composed, deps);
    return 'composed';
  } catch (error) {
    await deps.scenes.releaseLease(jobId, deps.owner);
    throw error;
  }
}

async function render(job: JobComposition, deps: ComposeDeps): Promise<ComposedOutput> {
  const dir = await mkdtemp(join(tmpdir(), 'compose-'));
  const signal = deps.signal ? { signal: deps.signal } : {};
  try {
    const format = job.output;
    const overlapSec = isHardCut(format) ? 0 : secondsFor(transitionFrames(format), format);
    const scenes = timelineScenes(job, overlapSec);
    if (scenes.visual.length === 0)
      throw new CompositionIncompleteError(`job ${job.jobId} has no video, image or upload scene`);
    const fetch = async (sceneIndex: number, audioOnly: boolean) => {
      const file = join(dir, `scene-${sceneIndex}.${audioOnly ? 'm4a' : 'mp4'}`);
      await downloadObject(deps.s3, deps.bucket, preparedKey(job.jobId, sceneIndex, audioOnly), file);
      return file;
    };
    const [clips, narration, music] = await Promise.all([
      Promise.all(
        scenes.visual.map(async (s) => ({
          file: await fetch(s.sceneIndex, false),
          durationSec: s.durationSec,
        })),
      ),
      Promise.all(
        scenes.narration.map(async (s) => ({ file: await fetch(s.sceneIndex, true), startSec: s.startSec })),
      ),
      Promise.all(scenes.music.map((s) => fetch(s.sceneIndex, true))),
    ]);
    const timelineOverlap = clips.length > 1 ? overlapSec : 0;
    const cues = format.captions === 'off' ? [] : captionCues(scenes.visual, timelineOverlap);
    const timeline = await composeTimeline({
      clips,
      format,
      workDir: dir,
      output: join(dir, 'final.mp4'),
      narration,
      music,
      ...(format.captions === 'off' ? {} : { captions: { cues, mode: format.captions } }),
      ...signal,
    });
    const thumb = join(dir, 'thumbnail.jpg');
    await makeThumbnail({
      video: timeline.file,
      output: thumb,
      atSec: thumbnailTimeSec(
        clips.map((c) => c.durationSec),
        timelineOverlap,
      ),
      ...signal,
    });
    // The video goes last, carrying the whole record in its metadata: once it is stored, a
    // retry recognizes it (by its sha256) and publishes it instead of composing again.
    await uploadFile(deps.s3, deps.bucket, thumbnailKey(job.jobId), thumb, 'image/jpeg');
    if (timeline.captionsFile) {
      await uploadFile(deps.s3, deps.bucket, captionsKey(job.jobId), timeline.captionsFile, 'text/vtt');
    }
    const described = {
      key: finalKey(job.jobId),
      thumbnailKey: thumbnailKey(job.jobId),
      ...(timeline.captionsFile ? { captionsKey: captionsKey(job.jobId) } : {}),
      durationSec: timeline.durationSec,
      width: format.width,
      height: format.height,
      composeMs: Math.round(timeline.composeMs),
    };
    const sha256 = await sha256Of(timeline.file);
    const { size } = await stat(timeline.file);
    const composed: ComposedOutput = { ...described, bytes: size, sha256 };
    await uploadFile(
      deps.s3,
      deps.bucket,
      finalKey(job.jobId),
      timeline.file,
      'video/mp4',
      composedMetadata(composed),
    );
    return composed;
  } finally {
    await rm(dir, { recursive: true, force: true });
  }
}

async function publish(job: JobComposition, composed: ComposedOutput, deps: ComposeDeps): Promise<void> {
  await deps.publisher.publish(videoComposed, {
    version: 1,
    jobId: job.jobId,
    meta: causedMeta(job.meta),
    ...composed,
    sceneCount: job.sceneCount,
  });
  await deps.scenes.recordPublished(job.jobId, new Date(deps.now?.() ?? Date.now()).toISOString());
}
