import { InvalidOutputFormatError } from './output-format';
import { planTimeline, type TimelineSegment } from './timeline-plan';

/**
 * One chunk of a long timeline, composed on its own (another invocation, in parallel with the
 * others) into a video-only MP4 that the join concatenates by stream copy.
 *
 * Boundaries lie at scene cuts: chunk c owns the scenes firstClip..lastClip and the transition
 * from its last scene into the next chunk's first, which it renders (reading that scene's head).
 * So the next chunk starts on the first frame of its first scene's middle: a keyframe of that
 * normalized clip (prepare forces keyframes at the cut points), and every chunk starts with a
 * keyframe, closed (intermediates have no B-frames), encoded with the one intermediate x264
 * configuration: the chunks join by the concat demuxer without re-encoding.
 */
export interface TimelineChunk {
  index: number;
  firstClip: number;
  lastClip: number;
  /** The stretches of the output this chunk makes, in order (copied middles and its transitions). */
  segments: TimelineSegment[];
  /** Where the chunk starts on the output timeline, in frames. */
  startFrame: number;
  frames: number;
  /** The clips it reads: its own and, when it owns a transition into the next chunk, that clip. */
  readsClips: number[];
}

/**
 * Splits a timeline of `clipFrames` (transitions of `overlapFrames`) into the fewest chunks of at
 * most `scenesPerChunk` scenes, balanced (sizes differ by one at most). The chunks' frames add up
 * to the timeline's: sum(clipFrames) - (clips - 1) * overlapFrames.
 */
export function planChunks(
  clipFrames: readonly number[],
  overlapFrames: number,
  scenesPerChunk: number,
): TimelineChunk[] {
  if (!Number.isInteger(scenesPerChunk) || scenesPerChunk < 1)
    throw new InvalidOutputFormatError(`scenesPerChunk must be a whole number >= 1, not ${scenesPerChunk}`);
  if (clipFrames.length === 0) throw new InvalidOutputFormatError('a timeline needs at least one clip');
  const segments = planTimeline(clipFrames, overlapFrames);
  const count = Math.ceil(clipFrames.length / scenesPerChunk);
  const chunks: TimelineChunk[] = [];
  let startFrame = 0;
  for (let c = 0; c < count; c++) {
    const firstClip = Math.floor((c * clipFrames.length) / count);
    const lastClip = Math.floor(((c + 1) * clipFrames.length) / count) - 1;
    const owned = segments.filter((segment) =>
      segment.kind === 'copy'
        ? segment.clipIndex >= firstClip && segment.clipIndex <= lastClip
        : segment.fromClip >= firstClip && segment.fromClip <= lastClip,
    );
    const frames = owned.reduce(
      (sum, segment) =>
        sum + (segment.kind === 'copy' ? segment.endFrame - segment.startFrame : segment.frames),
      0,
    );
    const readsNext = owned.some((segment) => segment.kind === 'transition' && segment.toClip > lastClip);
    const readsClips = Array.from(
      { length: lastClip - firstClip + 1 + (readsNext ? 1 : 0) },
      (_, i) => firstClip + i,
    );
    chunks.push({ index: c, firstClip, lastClip, segments: owned, startFrame, frames, readsClips });
    startFrame += frames;
  }
  return chunks;
}

/**
 * Whether a timeline of `scenes` visual scenes is composed in chunks: more scenes than one chunk
 * holds. A short job stays one composition (no join, no extra invocations).
 */
export function isChunked(scenes: number, scenesPerChunk: number): boolean {
  return scenes > scenesPerChunk;
}
