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
}

export const VIDEO_FILE = 'output.mp4';

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
  const overlay = await promptOverlay(ctx.dir, input.prompt, input.width, input.height, { fadeIn: true });
  ctx.log(`look: ${look.name}, ${input.width}x${input.height} at ${input.fps} fps, ${frames} frames`);
  await runFfmpeg({
    ffmpegPath: ctx.ffmpegPath,
    cwd: ctx.dir,
    signal: ctx.signal,
    onSpawn: ctx.onSpawn,
    onProgress: ({ frame }) => ctx.log(progressLine(frame, frames)),
    args: [
      '-f',
      'lavfi',
      '-i',
      look.sourceGraph,
      '-vf',
      `${overlay},format=yuv420p`,
      '-frames:v',
      String(frames),
      '-r',
      String(input.fps),
      '-an',
      '-c:v',
      'libx264',
      '-preset',
      'veryfast',
      '-crf',
      '23',
      '-pix_fmt',
      'yuv420p',
      '-movflags',
      '+faststart',
      '-y',
      VIDEO_FILE,
    ],
  });
  return { fileName: VIDEO_FILE, contentType: 'video/mp4' };
}
