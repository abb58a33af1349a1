import { execFile } from 'node:child_process';
import { join } from 'node:path';
import { promisify } from 'node:util';
import { defaultFfmpegBinaries, probeMedia } from '@reelay/media';
import { normalizeClip, type OutputFormat } from '../../../src/composition/index';
import { makeSourceClip, useTempDir } from './fixtures';

const square: OutputFormat = { width: 240, height: 240, fps: 24, transition: 'cut', transitionSec: 0 };

/** Mean luma of the first frame's top 8 rows (16 is black in limited-range YUV). */
async function topRowsLuma(file: string): Promise<number> {
  const { ffmpeg } = defaultFfmpegBinaries();
  const { stdout } = await promisify(execFile)(
    ffmpeg,
    [
      '-v',
      'error',
      '-i',
      file,
      '-frames:v',
      '1',
      '-vf',
      'crop=iw:8:0:0',
      '-f',
      'rawvideo',
      '-pix_fmt',
      'gray',
      '-',
    ],
    { encoding: 'buffer' },
  );
  const bytes = stdout as unknown as Buffer;
  return bytes.reduce((sum, b) => sum + b, 0) / bytes.length;
}

describe('a picture of another aspect in a square job', () => {
  const dir = useTempDir('picture-fit-');

  it('a generated 16:9 clip covers the square (cropped, no bars); an upload is letterboxed', async () => {
    // Prepare: what wan t2v makes for a square job (16:9), a bright test pattern.
    const input = await makeSourceClip(join(dir(), 'wide.mp4'), {
      size: '432x240',
      fps: 24,
      seconds: 1,
      audio: false,
    });
    const probe = await probeMedia(input);
    const request = { input, format: square, probe, durationSec: 1, keyframeTimesSec: [] };

    // Act
    const covered = await normalizeClip({ ...request, output: join(dir(), 'cover.mp4'), fit: 'cover' });
    const boxed = await normalizeClip({ ...request, output: join(dir(), 'box.mp4') });

    // Assess
    expect(await probeMedia(covered.file)).toMatchObject({ video: { width: 240, height: 240 } });
    expect(await topRowsLuma(covered.file)).toBeGreaterThan(40);
    expect(await topRowsLuma(boxed.file)).toBeLessThan(20);
  });
});
