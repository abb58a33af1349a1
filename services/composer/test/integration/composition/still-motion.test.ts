import { execFileSync } from 'node:child_process';
import { join } from 'node:path';
import { probeMedia } from '@reelay/media';
import { stillMotionFor } from '../../../src/composition/clip-filters';
import { checkClipCopyable } from '../../../src/composition/clip-packets';
import { normalizeClip, type OutputFormat } from '../../../src/composition/index';
import { streamFacts, useTempDir } from './fixtures';

const format: OutputFormat = { width: 320, height: 180, fps: 24, transition: 'cut', transitionSec: 0 };

/** A picture of two colours, split across its long side: which end is on screen shows the pan. */
function twoColourPicture(file: string, width: number, height: number, first: string, second: string) {
  const tall = height > width;
  const half = tall ? `${width}x${height / 2}` : `${width / 2}x${height}`;
  // Debian's ffmpeg makes the test picture: the static build of the Lambda zips has only the
  // filters the composer uses, which the clip itself is made with.
  execFileSync('ffmpeg', [
    ...[
      '-v',
      'error',
      '-f',
      'lavfi',
      '-i',
      `color=c=${first}:s=${half}`,
      '-f',
      'lavfi',
      '-i',
      `color=c=${second}:s=${half}`,
    ],
    ...['-filter_complex', `[0][1]${tall ? 'vstack' : 'hstack'}`, '-frames:v', '1', '-y', file],
  ]);
}

/** The average colour of one frame, as [r, g, b]. */
function frameColour(file: string, frame: number): number[] {
  const rgb = execFileSync('ffmpeg', [
    ...['-v', 'error', '-i', file, '-vf', `select=eq(n\\,${frame}),scale=1:1:flags=area`],
    ...['-frames:v', '1', '-f', 'rawvideo', '-pix_fmt', 'rgb24', 'pipe:1'],
  ]);
  return [...rgb];
}

describe('a still moves by its shape', () => {
  const dir = useTempDir('still-motion-');

  it('chooses a pan down for a tall page, a pan across for a wide panel, a zoom for the frame shape', () => {
    expect(stillMotionFor({ width: 800, height: 1200 }, format)).toBe('pan-down');
    expect(stillMotionFor({ width: 3000, height: 600 }, format)).toBe('pan-across');
    expect(stillMotionFor({ width: 1920, height: 1080 }, format)).toBe('zoom');
    expect(stillMotionFor({ width: 1600, height: 1080 }, format)).toBe('zoom');
  });

  it.each([
    ['a tall page pans from its top to its bottom', 200, 800],
    ['a wide panel pans from its left to its right', 1200, 200],
  ])(
    '%s, every frame of the asked length',
    async (_name, width, height) => {
      // Prepare: red at the start of the picture, blue at its end.
      const picture = join(dir(), `page-${width}x${height}.png`);
      twoColourPicture(picture, width, height, 'red', 'blue');
      const output = join(dir(), `page-${width}x${height}.mp4`);

      // Act
      const clip = await normalizeClip({
        input: picture,
        output,
        format,
        probe: await probeMedia(picture),
        durationSec: 2,
        keyframeTimesSec: [],
      });

      // Assess: 48 frames at 24 fps, starting on red and ending on blue.
      expect(clip.frames).toBe(48);
      const { video } = await streamFacts(output);
      expect(video.nb_frames).toBe(48);
      expect([video.width, video.height]).toEqual([320, 180]);
      const [r0, , b0] = frameColour(output, 0);
      const [r1, , b1] = frameColour(output, 47);
      expect(r0).toBeGreaterThan(200);
      expect(b0).toBeLessThan(50);
      expect(b1).toBeGreaterThan(200);
      expect(r1).toBeLessThan(50);
    },
    60_000,
  );

  it('a pan is timed on the job frame grid with keyframes at its cuts, so the composer can copy it', async () => {
    // Prepare: 30 fps, not the picture's nominal 25, with cuts half a second and 1.5 s in.
    const format30: OutputFormat = { ...format, fps: 30, transition: 'crossfade', transitionSec: 0.5 };
    const picture = join(dir(), 'page-grid.png');
    twoColourPicture(picture, 200, 800, 'red', 'blue');
    const output = join(dir(), 'page-grid.mp4');

    // Act
    const clip = await normalizeClip({
      input: picture,
      output,
      format: format30,
      probe: await probeMedia(picture),
      durationSec: 2,
      keyframeTimesSec: [0.5, 1.5],
    });

    // Assess: what compose checks before copying a clip (frame count, keyframes at frames 15 and 45).
    expect(clip.frames).toBe(60);
    await expect(checkClipCopyable(output, 60, [0, 15, 45], format30)).resolves.toBeDefined();
  }, 60_000);
});
