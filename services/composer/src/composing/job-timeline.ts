import { isChunked, isHardCut, planChunks, type TimelineChunk } from '../composition';
import { framesFor, secondsFor, transitionFrames } from '../composition/output-format';
import type { JobComposition } from '../scenes/scene-set';
import { type TimelineScenes, timelineScenes } from './timeline-scenes';

/** Where a chunked composition's parts are stored: beside the prepared scenes. */
export const chunkKey = (jobId: string, chunk: number) =>
  `intermediates/${jobId}/chunks/${String(chunk).padStart(3, '0')}.mp4`;
export const soundtrackKey = (jobId: string) => `intermediates/${jobId}/chunks/soundtrack.m4a`;

export interface JobTimeline {
  scenes: TimelineScenes;
  /** The visual scenes' lengths in frames, in timeline order. */
  clipFrames: number[];
  overlapFrames: number;
  /** The crossfade length in seconds on this timeline (0 for cuts or one scene). */
  overlapSec: number;
}

/** A job's timeline as compose and compose-chunk both see it, from the scene set alone. */
export function jobTimeline(job: JobComposition): JobTimeline {
  const format = job.output;
  const transitionSec = isHardCut(format) ? 0 : secondsFor(transitionFrames(format), format);
  const scenes = timelineScenes(job, transitionSec);
  const overlapFrames = scenes.visual.length > 1 && transitionSec > 0 ? transitionFrames(format) : 0;
  return {
    scenes,
    clipFrames: scenes.visual.map((scene) => framesFor(scene.durationSec, format)),
    overlapFrames,
    overlapSec: overlapFrames > 0 ? transitionSec : 0,
  };
}

/**
 * Whether the job is composed in chunks: transitions (hard cuts are a pure stream copy already,
 * nothing to share out) and more visual scenes than one chunk holds. The transitions prepare
 * rendered do not change the plan (a chunk copies its own): the same job is split the same way
 * however its scenes arrived.
 */
export function composedInChunks(timeline: JobTimeline, scenesPerChunk: number): boolean {
  return timeline.overlapFrames > 0 && isChunked(timeline.clipFrames.length, scenesPerChunk);
}

export function jobChunks(timeline: JobTimeline, scenesPerChunk: number): TimelineChunk[] {
  return planChunks(timeline.clipFrames, timeline.overlapFrames, scenesPerChunk);
}
