import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { S3Client } from '@aws-sdk/client-s3';
import { causedMeta, type EventPublisher, videoComposed } from '@reelay/events';
import { composeTimeline, makeThumbnail, thumbnailTimeSec } from '../composition';
import { CompositionIncompleteError } from '../errors';
import { downloadObject, finalKey, preparedKey, thumbnailKey, uploadFile } from '../scenes/media-files';
import { type ComposedOutput, isComplete, type JobComposition, type SceneSet } from '../scenes/scene-set';

export interface ComposeDeps {
  s3: S3Client;
  bucket: string;
  scenes: SceneSet;
  publisher: Pick<EventPublisher, 'publish'>;
  owner: string;
  /** How long the lease lasts: past the function's timeout, so a crashed composer's lease expires. */
  leaseMs: number;
  signal?: AbortSignal;
  now?: () => number;
}

export type ComposeOutcome = 'composed' | 'republished' | 'already-published' | 'leased-elsewhere';

/**
 * Composes a job once: a lease (conditional write with an expiry) makes concurrent or duplicate
 * requests no-ops while a composer is alive, and lets a crashed one be retried. A crash after the
 * output was recorded and before publishing leads to publishing the recorded output, not to a second
 * composition.
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
    return latest?.publishedAt ? 'already-published' : 'leased-elsewhere';
  }
  if (job.composed) {
    await publish(job, job.composed, deps);
    return 'republished';
  }
  const composed = await render(job, deps);
  await deps.scenes.recordComposed(jobId, deps.owner, composed);
  await publish(job, composed, deps);
  return 'composed';
}

async function render(job: JobComposition, deps: ComposeDeps): Promise<ComposedOutput> {
  const dir = await mkdtemp(join(tmpdir(), 'compose-'));
  try {
    const indices = [...Array(job.sceneCount).keys()];
    const clips = await Promise.all(
      indices.map(async (i) => {
        const file = join(dir, `scene-${i}.mp4`);
        await downloadObject(deps.s3, deps.bucket, preparedKey(job.jobId, i), file);
        return { file, durationSec: job.durations[i] ?? 0 };
      }),
    );
    const timeline = await composeTimeline({
      clips,
      format: job.output,
      workDir: dir,
      output: join(dir, 'final.mp4'),
      ...(deps.signal ? { signal: deps.signal } : {}),
    });
    const thumb = join(dir, 'thumbnail.jpg');
    await makeThumbnail({
      video: timeline.file,
      output: thumb,
      atSec: thumbnailTimeSec(
        clips.map((c) => c.durationSec),
        job.output.transitionSec,
      ),
      ...(deps.signal ? { signal: deps.signal } : {}),
    });
    const video = await uploadFile(deps.s3, deps.bucket, finalKey(job.jobId), timeline.file, 'video/mp4');
    await uploadFile(deps.s3, deps.bucket, thumbnailKey(job.jobId), thumb, 'image/jpeg');
    return {
      key: finalKey(job.jobId),
      thumbnailKey: thumbnailKey(job.jobId),
      durationSec: timeline.durationSec,
      width: job.output.width,
      height: job.output.height,
      bytes: video.bytes,
      sha256: video.sha256,
      composeMs: Math.round(timeline.composeMs),
    };
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
