import { execFile } from 'node:child_process';
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { promisify } from 'node:util';
import { chooseLook } from '../src/render/procedural-looks';
import type { RenderContext } from '../src/render/render-context';
import { seedFrom } from '../src/render/seeded-random';
import { frameCount, renderVideo } from '../src/render/video';

/**
 * The local video model leaves the caption region (the bottom third, where burned-in captions and
 * players' subtitle tracks go) to the captions: a frame of its render there is the procedural
 * look itself, with no text drawn over it (issue 22 item 3). Its prompt label is in the top band.
 */
const run = promisify(execFile);
const FFMPEG = '/usr/bin/ffmpeg';
const WIDTH = 640;
const HEIGHT = 360;
const FPS = 12;
const DURATION = 2;
const PROMPT = 'a lighthouse on a cliff in a storm at night, waves crashing against the rocks below';
const SEED = 7;
/** The frame compared: late enough that the label has faded in. */
const FRAME = 18;

let dir: string;

beforeAll(async () => {
  dir = await mkdtemp(join(tmpdir(), 'reelay-caption-region-'));
});
afterAll(async () => {
  await rm(dir, { recursive: true, force: true });
});

const context = (): RenderContext => ({
  ffmpegPath: FFMPEG,
  dir,
  signal: new AbortController().signal,
  onSpawn: () => undefined,
  log: () => undefined,
});

/** PSNR (dB) of a band of frame FRAME of two videos; `inf` (identical) is reported as 100. */
async function bandPsnr(a: string, b: string, band: { y: number; h: number }): Promise<number> {
  const crop = `select=eq(n\\,${FRAME}),crop=${WIDTH}:${band.h}:0:${band.y}`;
  const { stderr } = await run(FFMPEG, [
    '-hide_banner',
    '-i',
    a,
    '-i',
    b,
    '-filter_complex',
    `[0:v]${crop}[a];[1:v]${crop}[b];[a][b]psnr`,
    '-frames:v',
    '1',
    '-f',
    'null',
    '-',
  ]);
  const average = /average:(\S+)/.exec(stderr)?.[1];
  if (!average) throw new Error(`no PSNR in ffmpeg's output: ${stderr.slice(-500)}`);
  return average === 'inf' ? 100 : Number(average);
}

describe('the local video model and captions', () => {
  it('draws nothing in the caption region: it matches the bare look there, and labels the top band instead', async () => {
    // Prepare: the same look without any text, encoded the same way.
    const look = chooseLook({
      seed: seedFrom(PROMPT, SEED),
      pixelFormat: 'yuv420p',
      width: WIDTH,
      height: HEIGHT,
      fps: FPS,
      frames: frameCount(DURATION, FPS),
    });
    const bare = join(dir, 'bare.mp4');
    await run(FFMPEG, [
      '-v',
      'error',
      '-f',
      'lavfi',
      '-i',
      `${look.sourceGraph},format=yuv420p`,
      '-frames:v',
      String(frameCount(DURATION, FPS)),
      '-c:v',
      'libx264',
      '-qp',
      '0',
      '-y',
      bare,
    ]);

    // Act
    await renderVideo(
      { prompt: PROMPT, durationSec: DURATION, width: WIDTH, height: HEIGHT, fps: FPS, seed: SEED },
      context(),
    );
    const rendered = join(dir, 'output.mp4');

    // Assess: the bottom third is the look (only encoding noise); the top band carries the label.
    const captionRegion = await bandPsnr(rendered, bare, { y: HEIGHT - HEIGHT / 3, h: HEIGHT / 3 });
    const labelBand = await bandPsnr(rendered, bare, { y: 0, h: Math.round(HEIGHT * 0.12) });
    expect(captionRegion).toBeGreaterThan(34);
    expect(labelBand).toBeLessThan(captionRegion - 8);
  });
});
