import { runFfmpeg } from '@reelay/media';

export interface ThumbnailRequest {
  video: string;
  output: string;
  atSec: number;
  /** Wider frames are scaled down to this width; narrower ones are kept as they are. */
  maxWidth?: number;
  signal?: AbortSignal;
}

/** Writes one JPEG frame of the video at atSec (see thumbnailTimeSec), at most maxWidth wide. */
export async function makeThumbnail(request: ThumbnailRequest): Promise<{ file: string; ms: number }> {
  const { video, output, atSec, maxWidth = 640, signal } = request;
  // biome-ignore format: ffmpeg flags and their values read as pairs, one pair a line
  const args = [
    '-ss', Math.max(0, atSec).toFixed(3),
    '-i', video,
    '-frames:v', '1',
    '-vf', `scale=w='min(${maxWidth},iw)':h=-2,format=yuvj420p`,
    '-q:v', '3',
    '-update', '1',
    '-f', 'image2',
    output,
  ];
  const run = await runFfmpeg(args, signal ? { signal } : {});
  return { file: output, ms: run.durationMs };
}

/**
 * A representative moment: the middle of the second scene (the first often opens on a title or
 * a fade), or a third of the way into a single-scene video; on the output timeline, where the
 * second scene starts one transition before the first ends.
 */
export function thumbnailTimeSec(sceneDurationsSec: readonly number[], transitionSec: number): number {
  const { clip, atSec } = thumbnailSource(sceneDurationsSec);
  const clipStart = clip === 1 ? Math.max(0, (sceneDurationsSec[0] ?? 0) - transitionSec) : 0;
  return clipStart + atSec;
}

/**
 * The same moment in the prepared clip it comes from: which clip, and when in it. The middle of a
 * scene is copied into the video packet for packet, so the frame is the same, and the thumbnail can
 * be made while the video is still being composed (not with burned-in captions: they are drawn on
 * the video only).
 */
export function thumbnailSource(sceneDurationsSec: readonly number[]): { clip: number; atSec: number } {
  const [first, second] = sceneDurationsSec;
  if (first === undefined) return { clip: 0, atSec: 0 };
  if (second === undefined) return { clip: 0, atSec: first / 3 };
  return { clip: 1, atSec: second / 2 };
}
