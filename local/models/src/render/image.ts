import { chooseLook } from './procedural-looks';
import { promptOverlay } from './prompt-overlay';
import type { RenderContext, RenderedOutput } from './render-context';
import { runFfmpeg } from './run-ffmpeg';
import { seedFrom } from './seeded-random';

export interface ImageRenderInput {
  prompt: string;
  width: number;
  height: number;
  seed: number;
}

export const IMAGE_FILE = 'output.png';

/** Looks like life start as noise: the still is taken a second and a half in, once they have formed. */
const SETTLE_FRAMES = 45;

/** A procedural still with the prompt drawn on it. */
export async function renderImage(input: ImageRenderInput, ctx: RenderContext): Promise<RenderedOutput> {
  const look = chooseLook({
    seed: seedFrom(input.prompt, input.seed),
    pixelFormat: 'rgb24',
    width: input.width,
    height: input.height,
    fps: 30,
    frames: SETTLE_FRAMES * 2,
  });
  const overlay = await promptOverlay(ctx.dir, input.prompt, input.width, input.height, { fadeIn: false });
  ctx.log(`look: ${look.name}, ${input.width}x${input.height}`);
  await runFfmpeg({
    ffmpegPath: ctx.ffmpegPath,
    cwd: ctx.dir,
    signal: ctx.signal,
    onSpawn: ctx.onSpawn,
    args: [
      '-f',
      'lavfi',
      '-i',
      `${look.sourceGraph},trim=start_frame=${SETTLE_FRAMES},setpts=PTS-STARTPTS`,
      '-vf',
      `${overlay},format=rgb24`,
      '-frames:v',
      '1',
      '-y',
      IMAGE_FILE,
    ],
  });
  return { fileName: IMAGE_FILE, contentType: 'image/png' };
}
