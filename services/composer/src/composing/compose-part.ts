import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { S3Client } from '@aws-sdk/client-s3';
import { renderChunk, renderSoundtrack } from '../composition';
import { CompositionIncompleteError, CompositionLeasedElsewhereError } from '../errors';
import { downloadObject, preparedKey, uploadFile } from '../scenes/media-files';
import type { SceneSet } from '../scenes/scene-set';
import { type ChunkSet, isChunkSetComplete } from './chunk-set';
import { chunkKey, jobChunks, jobTimeline, soundtrackKey } from './job-timeline';
import { keepLease } from './lease-keeper';
import { fetchPreparedTransitions } from './prepared-transitions';

export interface ComposePartDeps {
  s3: S3Client;
  bucket: string;
  scenes: Pick<SceneSet, 'get'>;
  chunks: Pick<ChunkSet, 'get' | 'claim' | 'renewClaim' | 'complete' | 'release'>;
  owner: string;
  /**
   * How long a claim lasts from each renewal: it is renewed every third of it while the part renders
   * (as compose's lease), so a crashed invocation's part is taken up again within one claim.
   */
  claimMs: number;
  /** Sends the job's compose request again: the last part done asks for the join. */
  requestJoin: () => Promise<void>;
  signal?: AbortSignal;
  now?: () => number;
}

export type ComposePartOutcome = 'composed' | 'already-done' | 'job-published';

/**
 * One part of a chunked composition (a chunk's picture, or the soundtrack: part chunkCount),
 * composed once: claimed by a conditional write, stored in S3, then recorded done in the chunk
 * set. The part that completes the set sends the compose request that joins them; a redelivered
 * or replayed part finds itself done and only repeats that request when the set is complete (the
 * join itself is exactly once: compose's lease and the stored video's sha256). A part claimed by
 * a live invocation throws CompositionLeasedElsewhereError: the consumer queues it again. The claim
 * is renewed while the part renders; a renewal refused (the claim lapsed and another invocation
 * took it) stops ffmpeg and ends with the same error, before anything is recorded.
 */
export async function composePart(
  jobId: string,
  part: number,
  deps: ComposePartDeps,
): Promise<ComposePartOutcome> {
  const now = deps.now?.() ?? Date.now();
  const job = await deps.scenes.get(jobId);
  if (!job) throw new CompositionIncompleteError(`no prepared scenes for job ${jobId}`);
  if (job.publishedAt) return 'job-published';
  const set = await deps.chunks.get(jobId);
  if (!set) throw new CompositionIncompleteError(`job ${jobId} has no chunk set`);
  if (!Number.isInteger(part) || part < 0 || part >= set.parts)
    throw new CompositionIncompleteError(`job ${jobId} has no part ${part} (${set.parts} parts)`);
  const claim = await deps.chunks.claim(jobId, part, deps.owner, now, now + deps.claimMs);
  if (!claim.claimed) {
    if (claim.done) {
      const latest = await deps.chunks.get(jobId);
      if (latest && isChunkSetComplete(latest)) await deps.requestJoin();
      return 'already-done';
    }
    throw new CompositionLeasedElsewhereError(
      `part ${part} of job ${jobId} is claimed by another invocation until ${claim.claimedUntil ?? 'now'}`,
      claim.claimedUntil,
    );
  }
  const keeper = keepLease({
    leaseMs: deps.claimMs,
    claimedUntil: now + deps.claimMs,
    renew: (until) => deps.chunks.renewClaim(jobId, part, deps.owner, until),
    held: `the claim on part ${part} of job ${jobId}`,
    ...(deps.signal ? { signal: deps.signal } : {}),
    ...(deps.now ? { now: deps.now } : {}),
  });
  try {
    const dir = await mkdtemp(join(tmpdir(), `compose-part-${part}-`));
    try {
      const timeline = jobTimeline(job);
      const signal = { signal: keeper.signal };
      const fetch = async (sceneIndex: number, audioOnly: boolean) => {
        const file = join(dir, `scene-${sceneIndex}.${audioOnly ? 'm4a' : 'mp4'}`);
        await downloadObject(deps.s3, deps.bucket, preparedKey(jobId, sceneIndex, audioOnly), file);
        return file;
      };
      const sceneOf = (clip: number) => {
        const scene = timeline.scenes.visual[clip];
        if (!scene) throw new CompositionIncompleteError(`job ${jobId} has no visual scene ${clip}`);
        return scene;
      };
      if (part < set.chunkCount) {
        const chunk = jobChunks(timeline, set.scenesPerChunk)[part];
        if (!chunk) throw new CompositionIncompleteError(`job ${jobId} plans no chunk ${part}`);
        const [clipFiles, transitions] = await Promise.all([
          Promise.all(
            chunk.readsClips.map(
              async (clip) => [clip, await fetch(sceneOf(clip).sceneIndex, false)] as const,
            ),
          ).then((files) => new Map(files)),
          // The chunk's own transitions that prepare rendered: from its scenes.
          fetchPreparedTransitions(
            job,
            timeline,
            dir,
            deps,
            (position) => position >= chunk.firstClip && position <= chunk.lastClip,
          ),
        ]);
        const rendered = await renderChunk({
          chunk,
          transitions,
          clipFrames: timeline.clipFrames,
          clipFiles,
          overlapFrames: timeline.overlapFrames,
          format: job.output,
          workDir: dir,
          output: join(dir, 'chunk.mp4'),
          ...signal,
        });
        await uploadFile(deps.s3, deps.bucket, chunkKey(jobId, part), rendered.file, 'video/mp4');
      } else {
        // The soundtrack of the whole timeline, once: the scenes' sound crossfaded, narration,
        // music, loudness (the clips are read for their sound only: a silent one is not downloaded,
        // so a story of stills reads no picture at all here).
        const [clips, narration, music] = await Promise.all([
          Promise.all(
            timeline.scenes.visual.map(async (scene, i) => ({
              file: scene.silent ? '' : await fetch(scene.sceneIndex, false),
              frames: timeline.clipFrames[i] ?? 0,
              ...(scene.silent ? { silent: true } : {}),
            })),
          ),
          Promise.all(
            timeline.scenes.narration.map(async (s) => ({
              file: await fetch(s.sceneIndex, true),
              startSec: s.startSec,
              durationSec: s.durationSec,
            })),
          ),
          Promise.all(timeline.scenes.music.map((s) => fetch(s.sceneIndex, true))),
        ]);
        const sound = await renderSoundtrack({
          clips,
          overlapFrames: timeline.overlapFrames,
          format: job.output,
          narration,
          music,
          workDir: dir,
          output: join(dir, 'soundtrack.m4a'),
          ...signal,
        });
        await uploadFile(deps.s3, deps.bucket, soundtrackKey(jobId), sound.file, 'audio/mp4');
      }
    } finally {
      await rm(dir, { recursive: true, force: true });
    }
    keeper.throwIfLost();
    keeper.stop();
    const after = await deps.chunks.complete(jobId, part, deps.owner);
    if (isChunkSetComplete(after)) await deps.requestJoin();
    return 'composed';
  } catch (error) {
    keeper.stop();
    await deps.chunks.release(jobId, part, deps.owner);
    // ffmpeg stopped because the claim was lost: say so (the consumer queues the part again).
    if (keeper.signal.aborted && !deps.signal?.aborted) keeper.throwIfLost();
    throw error;
  } finally {
    keeper.stop();
  }
}
