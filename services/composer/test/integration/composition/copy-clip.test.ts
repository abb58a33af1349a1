import { join } from 'node:path';
import { defaultFfmpegBinaries, probeMedia, runFfmpeg, runTool } from '@reelay/media';
import {
  composeTimeline,
  copyIfNormalized,
  normalizeClip,
  type OutputFormat,
  transitionKeyframeTimes,
} from '../../../src/composition/index';
import { decodeErrors, makeSourceClip, streamFacts, useTempDir } from './fixtures';

const SCENE_SEC = 2;
const FRAME_SEC = 1 / 30;
const format: OutputFormat = {
  width: 640,
  height: 360,
  fps: 30,
  transition: 'crossfade',
  transitionSec: 0.5,
};

/** A silent H.264 clip encoded with the given x264 settings (the local video model's by default). */
async function encodedClip(
  file: string,
  opts: { seconds?: number; preset?: string; keyframes?: string; bframes?: number; audio?: boolean } = {},
): Promise<string> {
  const {
    seconds = SCENE_SEC,
    preset = 'veryfast',
    keyframes = 'expr:eq(mod(n,15),0)',
    bframes = 0,
    audio = false,
  } = opts;
  // biome-ignore format: ffmpeg flags and their values read as pairs, one pair a line
  await runFfmpeg(
    [
      '-f', 'lavfi', '-i', `testsrc2=s=640x360:r=30:d=${seconds}`,
      ...(audio ? ['-f', 'lavfi', '-i', `sine=f=440:d=${seconds}`] : []),
      '-c:v', 'libx264', '-preset', preset, '-crf', '23', '-profile:v', 'high', '-pix_fmt', 'yuv420p',
      '-bf', String(bframes), '-g', '30', '-force_key_frames', keyframes,
      ...(audio ? ['-c:a', 'aac'] : ['-an']),
      '-movflags', '+faststart',
      file,
    ],
    { allowLavfi: true },
  );
  return file;
}

/** Every video packet's timestamp, flags, size and checksum: equal lists mean an untouched picture. */
async function videoPackets(file: string): Promise<string> {
  const { stdout } = await runTool(
    'ffprobe',
    defaultFfmpegBinaries().ffprobe,
    [
      '-v',
      'error',
      '-select_streams',
      'v:0',
      '-show_entries',
      'packet=pts,flags,size',
      '-show_data_hash',
      'MD5',
      '-of',
      'csv=p=0',
      file,
    ],
    { captureStdout: true },
  );
  return stdout;
}

describe('preparing a clip that is already in the job format', () => {
  const dir = useTempDir('copy-clip-');

  const tryCopy = async (input: string, name: string) =>
    copyIfNormalized({
      input,
      output: join(dir(), `${name}-prepared.mp4`),
      format,
      probe: await probeMedia(input),
      durationSec: SCENE_SEC,
      keyframeTimesSec: transitionKeyframeTimes(SCENE_SEC, format),
    });

  it('stream-copies the picture and adds silence exactly as long as the scene', async () => {
    // Prepare
    const input = await encodedClip(join(dir(), 'model.mp4'));
    // Act
    const copied = await tryCopy(input, 'model');
    // Assess
    expect(copied).toMatchObject({ copied: true, frames: 60 });
    const { video, audio } = await streamFacts(copied?.file ?? '');
    expect(video).toMatchObject({
      codec_name: 'h264',
      width: 640,
      height: 360,
      avg_frame_rate: '30/1',
      nb_frames: 60,
    });
    expect(audio).toMatchObject({ codec_name: 'aac', sample_rate: '48000', channels: 2 });
    expect(Math.abs((audio?.duration ?? 0) - SCENE_SEC)).toBeLessThan(FRAME_SEC);
    expect(await videoPackets(copied?.file ?? '')).toEqual(await videoPackets(input));
  });

  it('composes copied clips next to re-encoded ones into a clean crossfaded video', async () => {
    // Prepare: two clips as the local model renders them, one upload that must be re-encoded.
    const first = await tryCopy(await encodedClip(join(dir(), 'a.mp4')), 'a');
    const upload = await makeSourceClip(join(dir(), 'upload.mp4'), {
      size: '480x480',
      fps: 24,
      seconds: SCENE_SEC,
      audio: true,
    });
    const middle = await normalizeClip({
      input: upload,
      output: join(dir(), 'upload-prepared.mp4'),
      format,
      probe: await probeMedia(upload),
      durationSec: SCENE_SEC,
      keyframeTimesSec: transitionKeyframeTimes(SCENE_SEC, format),
    });
    const last = await tryCopy(await encodedClip(join(dir(), 'c.mp4')), 'c');
    if (!first || !last) throw new Error('the model-shaped clips were not copied');
    // Act
    const composed = await composeTimeline({
      clips: [first, middle, last].map(({ file, durationSec }) => ({ file, durationSec })),
      format,
      workDir: dir(),
      output: join(dir(), 'composed.mp4'),
    });
    // Assess
    const expected = 3 * SCENE_SEC - 2 * format.transitionSec;
    const { video, audio } = await streamFacts(composed.file);
    expect(composed).toMatchObject({ mode: 'smart', frames: 150 });
    expect(Math.abs(video.duration - expected)).toBeLessThan(FRAME_SEC);
    expect(Math.abs((audio?.duration ?? 0) - video.duration)).toBeLessThan(FRAME_SEC);
    expect(await decodeErrors(composed.file)).toBe('');
  });

  it.each([
    ['without a keyframe at the transition cuts', { keyframes: 'expr:eq(mod(n,30),0)' }],
    ['with B-frames', { bframes: 2 }],
    ['encoded with another preset (other parameter sets: more reference frames)', { preset: 'medium' }],
    ['longer than the scene', { seconds: 3 }],
    ['with sound of its own (to be loudness-normalized)', { audio: true }],
  ])('re-encodes a clip %s', async (_name, opts) => {
    // Prepare
    const input = await encodedClip(join(dir(), `other-${Object.keys(opts).join('-')}.mp4`), opts);
    // Act
    const copied = await tryCopy(input, `other-${Object.keys(opts).join('-')}`);
    // Assess
    expect(copied).toBeUndefined();
  });
});
