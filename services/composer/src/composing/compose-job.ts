import { mkdtemp, rm, stat } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { S3Client } from '@aws-sdk/client-s3';
import { causedMeta, type EventPublisher, videoComposed } from '@reelay/events';
import {
  captionCues,
  composeTimeline,
  joinChunks,
  makeThumbnail,
  thumbnailSource,
  thumbnailTimeSec,
} from '../composition';
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
import { type ChunkSet, type ChunkSetState, isChunkSetComplete } from './chunk-set';
import {
  chunkKey,
  composedInChunks,
  type JobTimeline,
  jobChunks,
  jobTimeline,
  soundtrackKey,
} from './job-timeline';
import { keepLease } from './lease-keeper';
import { fetchPreparedTransitions } from './prepared-transitions';
import { composedMetadata, storedComposedOutput } from './stored-output';

export interface ComposeDeps {
  s3: S3Client;
  bucket: string;
  scenes: Pick<
    SceneSet,
    'get' | 'claimLease' | 'renewLease' | 'recordComposed' | 'recordPublished' | 'releaseLease'
  >;
  publisher: Pick<EventPublisher, 'publish'>;
  owner: string;
  /**
   * How long the lease lasts; it is renewed every third of that while the composition runs
   * (lease-keeper.ts), so a crashed composer's job is taken up again once it lapses.
   */
  leaseMs: number;
  signal?: AbortSignal;
  now?: () => number;
  /** Long jobs composed in chunks by compose-chunk invocations (absent: always one composition). */
  chunking?: ComposeChunking;
}

export interface ComposeChunking {
  /** A job with more visual scenes than this (and transitions) is composed in chunks. */
  scenesPerChunk: number;
  chunks: Pick<ChunkSet, 'get' | 'create' | 'markDispatched'>;
  /** Sends one compose-chunk message per part (chunks 0..n-1, the soundtrack n). */
  dispatch: (jobId: string, parts: number[]) => Promise<void>;
}

/**
 * `chunks-dispatched`: a long job's parts were sent to compose-chunk; `chunks-pending`: they are
 * being composed (the last one done sends the request that joins them).
 */
export type ComposeOutcome =
  | 'composed'
  | 'republished'
  | 'recovered'
  | 'already-published'
  | 'chunks-dispatched'
  | 'chunks-pending';

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
  // Renewed while this composer works; a lost lease stops ffmpeg and anything not yet recorded.
  const lease = keepLease({
    leaseMs: deps.leaseMs,
    claimedUntil: now + deps.leaseMs,
    renew: (until) => deps.scenes.renewLease(jobId, deps.owner, until),
    ...(deps.signal ? { signal: deps.signal } : {}),
    ...(deps.now ? { now: deps.now } : {}),
  });
  const held: ComposeDeps = { ...deps, signal: lease.signal };
  try {
    if (job.composed) {
      await publish(job, job.composed, held);
      return 'republished';
    }
    const stored = storedComposedOutput(await storedMetadata(deps.s3, deps.bucket, finalKey(jobId)));
    if (stored) {
      lease.throwIfLost();
      await deps.scenes.recordComposed(jobId, deps.owner, stored);
      await publish(job, stored, held);
      return 'recovered';
    }
    const timeline = jobTimeline(job);
    const chunks = deps.chunking ? await chunkSetFor(job.jobId, timeline, deps.chunking) : undefined;
    if (chunks && !isChunkSetComplete(chunks)) {
      const outcome = await dispatchOnce(chunks, deps.chunking);
      lease.stop();
      await deps.scenes.releaseLease(jobId, deps.owner);
      return outcome;
    }
    const composed = await render(job, timeline, chunks, held);
    lease.throwIfLost();
    await deps.scenes.recordComposed(jobId, deps.owner, composed);
    await publish(job, composed, held);
    return 'composed';
  } catch (error) {
    lease.stop();
    await deps.scenes.releaseLease(jobId, deps.owner);
    // ffmpeg stopped because the lease was lost: say so (the request is looked at again later).
    if (lease.signal.aborted && !deps.signal?.aborted) lease.throwIfLost();
    throw error;
  } finally {
    lease.stop();
  }
}

/**
 * The job's chunk set when it is (or now becomes) a chunked composition: an existing set wins, so
 * a change of COMPOSE_CHUNK_SCENES never splits a job two ways.
 */
async function chunkSetFor(
  jobId: string,
  timeline: JobTimeline,
  chunking: ComposeChunking,
): Promise<ChunkSetState | undefined> {
  const existing = await chunking.chunks.get(jobId);
  if (existing) return existing;
  if (!composedInChunks(timeline, chunking.scenesPerChunk)) return undefined;
  const planned = jobChunks(timeline, chunking.scenesPerChunk);
  return chunking.chunks.create(jobId, planned.length, chunking.scenesPerChunk);
}

/**
 * Sends every part's message unless a composer already did (`dispatched`). One that died between
 * creating the set and marking it leaves it unmarked, and the next holder of the lease sends them
 * again: a part sent twice is claimed once (compose-part).
 */
async function dispatchOnce(
  set: ChunkSetState,
  chunking: ComposeChunking | undefined,
): Promise<'chunks-dispatched' | 'chunks-pending'> {
  if (set.dispatched || !chunking) return 'chunks-pending';
  await chunking.dispatch(
    set.jobId,
    Array.from({ length: set.parts }, (_, part) => part),
  );
  await chunking.chunks.markDispatched(set.jobId);
  return 'chunks-dispatched';
}

async function render(
  job: JobComposition,
  timelinePlan: JobTimeline,
  chunks: ChunkSetState | undefined,
  deps: ComposeDeps,
): Promise<ComposedOutput> {
  const dir = await mkdtemp(join(tmpdir(), 'compose-'));
  const signal = deps.signal ? { signal: deps.signal } : {};
  try {
    const format = job.output;
    const { scenes, overlapSec: timelineOverlap } = timelinePlan;
    if (scenes.visual.length === 0)
      throw new CompositionIncompleteError(`job ${job.jobId} has no video, image or upload scene`);
    const fetch = async (sceneIndex: number, audioOnly: boolean) => {
      const file = join(dir, `scene-${sceneIndex}.${audioOnly ? 'm4a' : 'mp4'}`);
      await downloadObject(deps.s3, deps.bucket, preparedKey(job.jobId, sceneIndex, audioOnly), file);
      return file;
    };
    const cues = format.captions === 'off' ? [] : captionCues(scenes.visual, timelineOverlap);
    const captions =
      format.captions === 'off'
        ? {}
        : {
            captions: {
              cues,
              mode: format.captions,
              ...(format.language ? { language: format.language } : {}),
            },
          };
    const thumb = join(dir, 'thumbnail.jpg');
    const storeThumbnail = async (video: string, atSec: number) => {
      await makeThumbnail({ video, output: thumb, atSec, ...signal });
      await uploadFile(deps.s3, deps.bucket, thumbnailKey(job.jobId), thumb, 'image/jpeg');
    };
    let thumbnailStored = false;
    const started = performance.now();
    let timeline: { file: string; durationSec: number; captionsFile?: string; composeMs?: number };
    if (chunks) {
      // The join of a chunked composition: the parts compose-chunk stored, by stream copy.
      const [parts, audio] = await Promise.all([
        Promise.all(
          jobChunks(timelinePlan, chunks.scenesPerChunk).map(async (chunk) => {
            const file = join(dir, `chunk-${chunk.index}.mp4`);
            await downloadObject(deps.s3, deps.bucket, chunkKey(job.jobId, chunk.index), file);
            return { file, frames: chunk.frames };
          }),
        ),
        (async () => {
          const file = join(dir, 'soundtrack.m4a');
          await downloadObject(deps.s3, deps.bucket, soundtrackKey(job.jobId), file);
          return file;
        })(),
      ]);
      timeline = await joinChunks({
        chunks: parts,
        audio,
        format,
        workDir: dir,
        output: join(dir, 'final.mp4'),
        ...captions,
        ...signal,
      });
    } else {
      const [clips, narration, music, transitions] = await Promise.all([
        Promise.all(
          scenes.visual.map(async (s) => ({
            file: await fetch(s.sceneIndex, false),
            durationSec: s.durationSec,
            ...(s.silent ? { silent: true } : {}),
          })),
        ),
        Promise.all(
          scenes.narration.map(async (s) => ({
            file: await fetch(s.sceneIndex, true),
            startSec: s.startSec,
            durationSec: s.durationSec,
          })),
        ),
        Promise.all(scenes.music.map((s) => fetch(s.sceneIndex, true))),
        fetchPreparedTransitions(job, timelinePlan, dir, deps),
      ]);
      // The thumbnail's frame is in a clip's copied middle: made from the clip while the video is
      // composed, not after it (burned-in captions are on the video only: then from the video).
      const source = thumbnailSource(scenes.visual.map((c) => c.durationSec));
      const sourceClip = format.captions === 'burned' ? undefined : clips[source.clip];
      timeline = await alongside(
        composeTimeline({
          clips,
          transitions,
          format,
          workDir: dir,
          output: join(dir, 'final.mp4'),
          narration,
          music,
          ...captions,
          ...signal,
        }),
        sourceClip ? storeThumbnail(sourceClip.file, source.atSec) : undefined,
      );
      thumbnailStored = sourceClip !== undefined;
    }
    // The composition's own time (composeTimeline's, downloads excluded); for a join, the join's.
    const composeMs = timeline.composeMs ?? performance.now() - started;
    // The thumbnail (unless made already), then its and the captions' uploads, run beside hashing
    // the video (all on the critical path of a job: its last scene is ready, its user waits).
    const [sha256, { size }] = await Promise.all([
      sha256Of(timeline.file),
      stat(timeline.file),
      thumbnailStored
        ? undefined
        : storeThumbnail(
            timeline.file,
            thumbnailTimeSec(
              scenes.visual.map((c) => c.durationSec),
              timelineOverlap,
            ),
          ),
      timeline.captionsFile
        ? uploadFile(deps.s3, deps.bucket, captionsKey(job.jobId), timeline.captionsFile, 'text/vtt')
        : undefined,
    ]);
    // The video goes last, carrying the whole record in its metadata: once it is stored, a
    // retry recognizes it (by its sha256) and publishes it instead of composing again.
    const described = {
      key: finalKey(job.jobId),
      thumbnailKey: thumbnailKey(job.jobId),
      ...(timeline.captionsFile ? { captionsKey: captionsKey(job.jobId) } : {}),
      durationSec: timeline.durationSec,
      width: format.width,
      height: format.height,
      composeMs: Math.round(composeMs),
    };
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

/**
 * `main`'s result once `side` has settled too: a failure of either fails the call, but only after
 * both have stopped (nothing still writes into the folder the caller removes next).
 */
async function alongside<T>(main: Promise<T>, side: Promise<unknown> | undefined): Promise<T> {
  const [result, other] = await Promise.allSettled([main, side]);
  if (result.status === 'rejected') throw result.reason;
  if (other.status === 'rejected') throw other.reason;
  return result.value;
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
