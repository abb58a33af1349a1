import { fileInput } from './ffmpeg-args';
import type { FfmpegBinaries } from './find-ffmpeg';
import { runFfmpeg } from './run-ffmpeg';

/**
 * Writes the last frame of a local video file as a JPEG (continuity for chained scenes). Seeks to
 * one second before the end and keeps overwriting the one output image, so what remains is the
 * final decoded frame, whatever the clip's length or frame rate.
 */
export async function extractLastFrame(
  video: string,
  jpeg: string,
  opts: { binaries?: FfmpegBinaries; timeoutMs?: number } = {},
): Promise<void> {
  // biome-ignore format: ffmpeg flags and their values read as pairs, one pair a line
  await runFfmpeg(
    [
      ...fileInput(video, { before: ['-sseof', '-1'] }),
      '-an',
      '-update', '1',
      '-q:v', '2',
      '-f', 'image2',
      jpeg,
    ],
    { timeoutMs: opts.timeoutMs ?? 60_000, ...(opts.binaries ? { binaries: opts.binaries } : {}) },
  );
}
