import { chooseLook } from './procedural-looks';
import { promptOverlay } from './prompt-overlay';
import type { RenderContext, RenderedFile } from './render-context';
import { runFfmpeg } from './run-ffmpeg';
import { seedFrom } from './seeded-random';

export interface ImageRenderInput {
  prompt: string;
  width: number;
  height: number;
  seed: number;
  /** The file to write; its extension picks the format (png, jpg, webp). Default output.png. */
  fileName?: string;
}

export const IMAGE_FILE = 'output.png';
const CONTENT_TYPES: Record<string, string> = { png: 'image/png', jpg: 'image/jpeg', webp: 'image/webp' };

/** Looks like life start as noise: the still is taken a second and a half in, once they have formed. */
const SETTLE_FRAMES = 45;

/** A procedural still with the prompt drawn on it. */
export async function renderImage(input: ImageRenderInput, ctx: RenderContext): Promise<RenderedFile> {
  const fileName = input.fileName ?? IMAGE_FILE;
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
      fileName,
    ],
  });
  return { fileName, contentType: CONTENT_TYPES[fileName.split('.').pop() ?? ''] ?? 'image/png' };
}
