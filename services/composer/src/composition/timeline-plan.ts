import { InvalidOutputFormatError } from './output-format';

/** A stretch of the output copied packet for packet from one normalized clip. */
export interface CopySegment {
  kind: 'copy';
  clipIndex: number;
  startFrame: number;
  endFrame: number;
}

/** A stretch re-encoded because two clips overlap in it: the tail of one, the head of the next. */
export interface TransitionSegment {
  kind: 'transition';
  fromClip: number;
  toClip: number;
  /** First frame of the outgoing clip's tail. */
  fromStartFrame: number;
  frames: number;
}

export type TimelineSegment = CopySegment | TransitionSegment;

/**
 * Splits the timeline into copied middles and re-encoded overlaps. Output frames =
 * sum(clipFrames) - (clips - 1) * overlapFrames.
 */
export function planTimeline(clipFrames: readonly number[], overlapFrames: number): TimelineSegment[] {
  const segments: TimelineSegment[] = [];
  clipFrames.forEach((frames, index) => {
    const head = index > 0 ? overlapFrames : 0;
    const tail = index < clipFrames.length - 1 ? overlapFrames : 0;
    if (frames < head + tail) {
      throw new InvalidOutputFormatError(
        `clip ${index} lasts ${frames} frames, too short for its ${head + tail} frames of transitions`,
      );
    }
    if (frames > head + tail)
      segments.push({ kind: 'copy', clipIndex: index, startFrame: head, endFrame: frames - tail });
    if (tail > 0) {
      segments.push({
        kind: 'transition',
        fromClip: index,
        toClip: index + 1,
        fromStartFrame: frames - tail,
        frames: tail,
      });
    }
  });
  return segments;
}

export function timelineFrames(clipFrames: readonly number[], overlapFrames: number): number {
  const total = clipFrames.reduce((sum, frames) => sum + frames, 0);
  return total - Math.max(0, clipFrames.length - 1) * overlapFrames;
}

/** At most this many transitions a renderTransitions run: it opens two inputs for each. */
export const MAX_TRANSITIONS_PER_RUN = 8;

/** Splits `count` transitions into the fewest runs of at most MAX_TRANSITIONS_PER_RUN, evenly. */
export function transitionBatches(count: number): Array<{ first: number; count: number }> {
  const runs = Math.ceil(count / MAX_TRANSITIONS_PER_RUN);
  return Array.from({ length: runs }, (_, b) => {
    const first = Math.floor((b * count) / runs);
    return { first, count: Math.floor(((b + 1) * count) / runs) - first };
  });
}
