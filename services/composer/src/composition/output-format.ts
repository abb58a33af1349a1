/**
 * The job's output format, as carried by ScenePlanned/SceneReady (libs/events defines the same
 * shape; this one is structural so the composition engine does not depend on the event code).
 */
export type TransitionStyle =
  | 'crossfade'
  | 'fade'
  | 'wipeleft'
  | 'slideleft'
  | 'circleopen'
  | 'dissolve'
  | 'cut';

export interface OutputFormat {
  width: number;
  height: number;
  fps: number;
  transition: TransitionStyle;
  transitionSec: number;
}

/** The format does not describe a video we can make; a bug or a bad spec, never retryable. */
export class InvalidOutputFormatError extends Error {
  readonly retryable = false;
  constructor(reason: string) {
    super(`invalid output format: ${reason}`);
    this.name = 'InvalidOutputFormatError';
  }
}

export function assertOutputFormat(format: OutputFormat): void {
  const { width, height, fps, transitionSec } = format;
  for (const [name, value] of [
    ['width', width],
    ['height', height],
  ] as const) {
    // yuv420p needs even sizes; 16 px is the smallest H.264 macroblock.
    if (!Number.isInteger(value) || value < 16 || value > 4096 || value % 2 !== 0) {
      throw new InvalidOutputFormatError(`${name} ${value} must be an even integer from 16 to 4096`);
    }
  }
  if (!Number.isFinite(fps) || fps < 1 || fps > 120)
    throw new InvalidOutputFormatError(`fps ${fps} must be from 1 to 120`);
  if (!Number.isFinite(transitionSec) || transitionSec < 0 || transitionSec > 5) {
    throw new InvalidOutputFormatError(`transitionSec ${transitionSec} must be from 0 to 5`);
  }
}

/** Whether clips are joined by a hard cut (pure stream copy) rather than an overlap. */
export function isHardCut(format: OutputFormat): boolean {
  return format.transition === 'cut' || transitionFrames(format) === 0;
}

/** Everything on the timeline is counted in whole frames, so cuts land exactly on frames. */
export function framesFor(seconds: number, format: Pick<OutputFormat, 'fps'>): number {
  return Math.round(seconds * format.fps);
}

export function transitionFrames(format: OutputFormat): number {
  return format.transition === 'cut' ? 0 : framesFor(format.transitionSec, format);
}

export function secondsFor(frames: number, format: Pick<OutputFormat, 'fps'>): number {
  return frames / format.fps;
}

/** The frame rate as an exact ratio for ffmpeg (29.97 means 30000/1001, not a rounded float). */
export function fpsRatio(fps: number): { num: number; den: number } {
  if (Number.isInteger(fps)) return { num: fps, den: 1 };
  const ntsc = Math.round(fps * 1.001);
  if (Math.abs(fps - (ntsc * 1000) / 1001) < 0.001) return { num: ntsc * 1000, den: 1001 };
  return { num: Math.round(fps * 1000), den: 1000 };
}

/**
 * The times at which a clip of this duration needs keyframes so that composeTimeline can
 * stream-copy everything outside the transitions: the end of the incoming transition and the
 * start of the outgoing one. Pass these to normalizeClip as keyframeTimesSec.
 */
export function transitionKeyframeTimes(durationSec: number, format: OutputFormat): number[] {
  if (isHardCut(format)) return [];
  const frames = framesFor(durationSec, format);
  const overlap = transitionFrames(format);
  return [...new Set([overlap, frames - overlap])]
    .filter((frame) => frame > 0 && frame < frames)
    .sort((a, b) => a - b)
    .map((frame) => secondsFor(frame, format));
}
