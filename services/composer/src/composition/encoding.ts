import { intermediateX264Args } from '@reelay/media';
import { fpsRatio, type OutputFormat } from './output-format';

/**
 * x264 settings shared by every intermediate (normalized clips and transition segments): the
 * smart render concatenates their packets, so they must come from one encoder configuration.
 * No B-frames: then every packet's DTS equals its PTS, and the concat demuxer's outpoint
 * (which compares DTS) cuts exactly at the frame (docs/architecture.md, ffmpeg 5.1 trap 4), at a cost of a few
 * percent in size.
 */
export function intermediateVideoArgs(format: OutputFormat): string[] {
  return [
    ...intermediateX264Args(format.fps),
    // Frames come out of the filtergraph at a constant rate already; re-timing them here is
    // what duplicates the first frame after a concat (trap 1).
    '-fps_mode',
    'passthrough',
  ];
}

export const AUDIO_SAMPLE_RATE = 48_000;

export function intermediateAudioArgs(): string[] {
  return ['-c:a', 'aac', '-b:a', '160k', '-ar', String(AUDIO_SAMPLE_RATE), '-ac', '2'];
}

/** settb/fps arguments: the time base of one frame, e.g. 1/30 or 1001/30000. */
export function frameTimeBase(format: Pick<OutputFormat, 'fps'>): string {
  const { num, den } = fpsRatio(format.fps);
  return `${den}/${num}`;
}

export function frameRate(format: Pick<OutputFormat, 'fps'>): string {
  const { num, den } = fpsRatio(format.fps);
  return `${num}/${den}`;
}

/** Exact sample count of a span of frames, so audio and video end together. */
export function samplesForFrames(frames: number, format: Pick<OutputFormat, 'fps'>): number {
  const { num, den } = fpsRatio(format.fps);
  return Math.round((frames * den * AUDIO_SAMPLE_RATE) / num);
}

/** Keyframes forced by frame number, immune to the rounding of times like 0.5333 s. */
export function forcedKeyframesExpr(frameNumbers: readonly number[]): string | undefined {
  if (frameNumbers.length === 0) return undefined;
  return `expr:${frameNumbers.map((n) => `eq(n,${n})`).join('+')}`;
}
