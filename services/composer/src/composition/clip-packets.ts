import { defaultFfmpegBinaries, runTool } from '@reelay/media';
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

/**
 * Reads a clip's video packet index (no decoding: milliseconds for a scene) and checks what the
 * smart render relies on: keyframes at the cut points, DTS = PTS (no B-frames), enough frames.
 */
export async function checkClipCopyable(
  file: string,
  expectedFrames: number,
  cutFrames: readonly number[],
  format: OutputFormat,
  signal?: AbortSignal,
): Promise<ClipPackets> {
  const { ffprobe } = defaultFfmpegBinaries();
  // biome-ignore format: ffmpeg flags and their values read as pairs, one pair a line
  const args = [
    '-v', 'error',
    '-protocol_whitelist', 'file',
    '-select_streams', 'v:0',
    '-show_entries', 'packet=pts_time,dts_time,flags',
    '-of', 'csv=p=0',
    file,
  ];
  const { stdout } = await runTool('ffprobe', ffprobe, args, {
    captureStdout: true,
    timeoutMs: 30_000,
    ...(signal ? { signal } : {}),
  });
  let frames = 0;
  const keyframes = new Set<number>();
  for (const line of stdout.split('\n')) {
    const [pts, dts, flags] = line.trim().split(',');
    if (pts === undefined || dts === undefined || flags === undefined) continue;
    if (pts !== dts)
      throw new ClipNotNormalizedError(file, `packet DTS ${dts} differs from PTS ${pts} (B-frames)`);
    if (flags.includes('K')) keyframes.add(framesFor(Number(pts), format));
    frames++;
  }
  if (frames < expectedFrames) {
    throw new ClipNotNormalizedError(
      file,
      `it has ${frames} frames where the timeline expects ${expectedFrames}`,
    );
  }
  const missing = cutFrames.filter((frame) => !keyframes.has(frame));
  if (missing.length > 0) {
    throw new ClipNotNormalizedError(file, `no keyframe at frame ${missing.join(', ')}`);
  }
  return { frames, keyframes };
}
