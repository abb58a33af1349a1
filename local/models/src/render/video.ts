import { intermediateX264Args } from '@reelay/media';
import { fetchFirstFrame } from './first-frame';
import { chooseLook } from './procedural-looks';
import { promptOverlay } from './prompt-overlay';
import { progressLine, type RenderContext, type RenderedOutput } from './render-context';
import { runFfmpeg } from './run-ffmpeg';
import { seedFrom } from './seeded-random';

export interface VideoRenderInput {
  prompt: string;
  durationSec: number;
  width: number;
  height: number;
  fps: number;
  seed: number;
  /** Chained scenes start from this image (the previous scene's last frame) and dissolve into their look. */
  firstFrameUrl?: string;
  /** The first frame already in the prediction's folder (image-to-video models fetch it first). */
  firstFrameFile?: string;
}

/** How long the first frame is held, then how long it takes to dissolve into the scene's own look. */
const FIRST_FRAME_HOLD_SEC = 0.3;
const FIRST_FRAME_DISSOLVE_SEC = 0.8;

export const VIDEO_FILE = 'output.mp4';

/**
 * H.264 as the composer's own intermediates are encoded (veryfast CRF 23, High, no B-frames, a
 * one-second GOP) with a keyframe every half second: a transition of any multiple of half a second
 * then cuts at keyframes, and the composer's prepare step stream-copies the clip instead of
 * re-encoding it (services/composer copyIfNormalized). The extra keyframes cost a few percent.
 */
export function clipEncoding(fps: number): string[] {
  const halfSecond = Math.max(1, Math.round(fps / 2));
  return [...intermediateX264Args(fps), '-force_key_frames', `expr:eq(mod(n,${halfSecond}),0)`];
}

/** The frame count that honours the duration within one frame, so the composer can trust the plan. */
export function frameCount(durationSec: number, fps: number): number {
  return Math.max(1, Math.round(durationSec * fps));
}

/** A procedural H.264 clip with the prompt drawn over it, and no audio, like most text-to-video models. */
export async function renderVideo(input: VideoRenderInput, ctx: RenderContext): Promise<RenderedOutput> {
  const frames = frameCount(input.durationSec, input.fps);
  const look = chooseLook({
    seed: seedFrom(input.prompt, input.seed),
    pixelFormat: 'yuv420p',
    width: input.width,
    height: input.height,
    fps: input.fps,
    frames,
  });
  // A chained scene's first frame carries the previous scene's text: its own appears once that has dissolved.
  const textDelaySec =
    input.firstFrameUrl || input.firstFrameFile
      ? Math.min(FIRST_FRAME_HOLD_SEC + FIRST_FRAME_DISSOLVE_SEC, input.durationSec / 2)
      : 0;
  const overlay = await promptOverlay(ctx.dir, input.prompt, input.width, input.height, {
    fadeIn: true,
    delaySec: textDelaySec,
  });
  ctx.log(`look: ${look.name}, ${input.width}x${input.height} at ${input.fps} fps, ${frames} frames`);
  const firstFrame =
    input.firstFrameFile ??
    (input.firstFrameUrl ? await fetchFirstFrame(input.firstFrameUrl, ctx.dir, ctx.signal, ctx) : undefined);
  const picture = firstFrame
    ? firstFrameGraph(firstFrame, input, overlay)
    : ['-f', 'lavfi', '-i', look.sourceGraph, '-vf', `${overlay},format=yuv420p`];
  if (firstFrame) ctx.log('starting from the given first frame');
  await runFfmpeg({
    ffmpegPath: ctx.ffmpegPath,
    cwd: ctx.dir,
    signal: ctx.signal,
    onSpawn: ctx.onSpawn,
    onProgress: ({ frame }) => ctx.log(progressLine(frame, frames)),
    args: [
      ...(firstFrame ? ['-f', 'lavfi', '-i', look.sourceGraph] : []),
      ...picture,
      '-frames:v',
      String(frames),
      '-r',
      String(input.fps),
      '-an',
      ...clipEncoding(input.fps),
      '-movflags',
      '+faststart',
      '-y',
      VIDEO_FILE,
    ],
  });
  return { fileName: VIDEO_FILE, contentType: 'video/mp4' };
}

/**
 * The look (input 0) with the first frame (input 1, a looped still) in front of it: held, then
 * dissolved into the look, so a chained scene visibly continues from the one before.
 */
function firstFrameGraph(file: string, input: VideoRenderInput, overlay: string): string[] {
  const { width, height, fps, durationSec } = input;
  const dissolve = Math.min(FIRST_FRAME_DISSOLVE_SEC, durationSec / 2);
  const hold = Math.min(FIRST_FRAME_HOLD_SEC, durationSec / 4);
  const common = `fps=${fps},settb=AVTB`;
  // biome-ignore format: ffmpeg flags and their values read as pairs, one pair a line
  return [
    '-loop', '1',
    '-framerate', String(fps),
    '-t', (hold + dissolve + 0.5).toFixed(3),
    '-i', file,
    '-filter_complex',
    `[1:v]scale=${width}:${height}:force_original_aspect_ratio=increase,crop=${width}:${height},setsar=1,format=yuv420p,${common}[first];` +
      `[0:v]${common}[look];` +
      `[first][look]xfade=transition=fade:duration=${dissolve.toFixed(3)}:offset=${hold.toFixed(3)},${overlay},format=yuv420p[v]`,
    '-map', '[v]',
  ];
}
