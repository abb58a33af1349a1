import type { ClipToCheck } from './clip-packets';
import type { OutputFormat } from './output-format';
import { type TransitionSegment, transitionBatches } from './timeline-plan';
import { renderTransitions } from './transition-render';

/** Where a transition's frames lie: a file and its frames [startFrame, endFrame). */
export interface TransitionPlace {
  file: string;
  startFrame: number;
  endFrame: number;
}

export interface TransitionPlanRequest {
  /** The timeline's (or chunk's) transitions, in order. */
  transitions: readonly TransitionSegment[];
  /**
   * Transitions rendered already (by prepare, as both scenes became ready), by the outgoing clip's
   * position on this timeline: files of exactly the overlap's frames, starting on a keyframe.
   */
  rendered?: ReadonlyMap<number, string>;
  /** The local file of a clip, by its position on the timeline. */
  fileOf: (clip: number) => string;
  overlapFrames: number;
  format: OutputFormat;
  /** Path prefix for the batches rendered here (`<prefix>-<batch>.mp4`). */
  filePrefix: string;
  signal?: AbortSignal;
}

export interface TransitionPlan {
  /** The ffmpeg runs still to make: the transitions not rendered already, in batches. */
  renders: Array<() => Promise<{ peakRssKb?: number }>>;
  /** The files given as rendered, to check as the clips are (a keyframe first, enough frames). */
  givenChecks: ClipToCheck[];
  placeOf: (segment: TransitionSegment) => TransitionPlace;
}

/**
 * Sorts a timeline's transitions into those rendered already (used as they are) and those to
 * render now, several to an ffmpeg run (renderTransitions), and says where each one's frames lie.
 */
export function planTransitions(request: TransitionPlanRequest): TransitionPlan {
  const { transitions, rendered, fileOf, overlapFrames, format, filePrefix, signal } = request;
  const places = new Map<TransitionSegment, TransitionPlace>();
  const givenChecks: ClipToCheck[] = [];
  const toRender: TransitionSegment[] = [];
  for (const segment of transitions) {
    const file = rendered?.get(segment.fromClip);
    if (file === undefined) {
      toRender.push(segment);
      continue;
    }
    places.set(segment, { file, startFrame: 0, endFrame: overlapFrames });
    givenChecks.push({ file, expectedFrames: overlapFrames, cutFrames: [0] });
  }
  const renders = transitionBatches(toRender.length).map(({ first, count }, b) => {
    const file = `${filePrefix}-${b}.mp4`;
    const batch = toRender.slice(first, first + count);
    batch.forEach((segment, k) => {
      places.set(segment, { file, startFrame: k * overlapFrames, endFrame: (k + 1) * overlapFrames });
    });
    return () =>
      renderTransitions({
        transitions: batch.map((segment) => ({
          from: fileOf(segment.fromClip),
          to: fileOf(segment.toClip),
          fromStartFrame: segment.fromStartFrame,
        })),
        frames: overlapFrames,
        format,
        output: file,
        ...(signal ? { signal } : {}),
      });
  });
  return {
    renders,
    givenChecks,
    placeOf: (segment) => {
      const place = places.get(segment);
      if (!place) throw new Error(`the transition from clip ${segment.fromClip} has no place`);
      return place;
    },
  };
}
