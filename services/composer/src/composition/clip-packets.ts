import { runFfmpeg } from '@reelay/media';
import { framesFor, type OutputFormat } from './output-format';

/** A clip composeTimeline cannot stream-copy: not made by normalizeClip for this format. */
export class ClipNotNormalizedError extends Error {
  readonly retryable = false;
  constructor(
    readonly file: string,
    reason: string,
  ) {
    super(
      `${file} is not normalized for this timeline: ${reason}; run normalizeClip with transitionKeyframeTimes`,
    );
    this.name = 'ClipNotNormalizedError';
  }
}

export interface ClipPackets {
  frames: number;
  keyframes: ReadonlySet<number>;
}

export interface ClipToCheck {
  file: string;
  expectedFrames: number;
  /** Frames the smart render cuts at: each must be a keyframe. */
  cutFrames: readonly number[];
}

/**
 * Reads the clips' video packet index (no decoding: milliseconds a scene) and checks what the
 * smart render relies on: keyframes at the cut points, DTS = PTS (no B-frames), enough frames.
 * One ffmpeg run reads every clip: it copies their video packets to the framecrc muxer, which
 * prints one line a packet (`stream, dts, pts, duration, size, crc`, plus `F=0x…` on any packet
 * that is not a keyframe, as libavformat/framecrcenc.c writes it), where one ffprobe a clip
 * spent most of its time starting up.
 */
export async function checkClipsCopyable(
  clips: readonly ClipToCheck[],
  format: OutputFormat,
  signal?: AbortSignal,
): Promise<ClipPackets[]> {
  const packets = clips.map(() => ({ timeBase: 0, frames: 0, keyframes: new Set<number>(), skew: '' }));
  const readLine = (line: string) => {
    const timeBase = /^#tb (\d+): (\d+)\/(\d+)$/.exec(line);
    if (timeBase) {
      const clip = packets[Number(timeBase[1])];
      if (clip) clip.timeBase = Number(timeBase[2]) / Number(timeBase[3]);
      return;
    }
    if (line.startsWith('#')) return;
    const [stream, dts, pts, , , , ...rest] = line.split(',').map((field) => field.trim());
    const clip = packets[Number(stream)];
    if (!clip || dts === undefined || pts === undefined) return;
    if (dts !== pts && !clip.skew) clip.skew = `packet DTS ${dts} differs from PTS ${pts} (B-frames)`;
    if (!rest.some((field) => field.startsWith('F='))) {
      clip.keyframes.add(framesFor(Number(pts) * clip.timeBase, format));
    }
    clip.frames++;
  };
  // biome-ignore format: ffmpeg flags and their values read as pairs, one pair a line
  await runFfmpeg(
    [
      ...clips.flatMap((clip) => ['-i', clip.file]),
      ...clips.flatMap((_, i) => ['-map', `${i}:v:0`]),
      '-c', 'copy',
      '-f', 'framecrc', '-',
    ],
    { timeoutMs: 30_000, onStdoutLine: readLine, ...(signal ? { signal } : {}) },
  );
  return clips.map(({ file, expectedFrames, cutFrames }, i) => {
    const clip = packets[i];
    if (!clip || clip.timeBase === 0)
      throw new ClipNotNormalizedError(file, 'ffmpeg listed no video packets');
    if (clip.skew) throw new ClipNotNormalizedError(file, clip.skew);
    if (clip.frames < expectedFrames) {
      throw new ClipNotNormalizedError(
        file,
        `it has ${clip.frames} frames where the timeline expects ${expectedFrames}`,
      );
    }
    const missing = cutFrames.filter((frame) => !clip.keyframes.has(frame));
    if (missing.length > 0) {
      throw new ClipNotNormalizedError(file, `no keyframe at frame ${missing.join(', ')}`);
    }
    return { frames: clip.frames, keyframes: clip.keyframes };
  });
}

/** checkClipsCopyable for one clip. */
export async function checkClipCopyable(
  file: string,
  expectedFrames: number,
  cutFrames: readonly number[],
  format: OutputFormat,
  signal?: AbortSignal,
): Promise<ClipPackets> {
  const [packets] = await checkClipsCopyable([{ file, expectedFrames, cutFrames }], format, signal);
  if (!packets) throw new ClipNotNormalizedError(file, 'ffmpeg listed no video packets');
  return packets;
}
