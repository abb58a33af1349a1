import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { defaultFfmpegBinaries, runFfmpeg, runTool } from '@reelay/media';
import { ClipNotNormalizedError, checkClipsCopyable } from '../../../src/composition/clip-packets';
import { SMALL_CROSSFADE, useTempDir } from './fixtures';

const format = SMALL_CROSSFADE;

/** A 2 s 320x180 30 fps H.264 clip, encoded as the flags say. */
async function encode(file: string, flags: readonly string[]): Promise<string> {
  // biome-ignore format: ffmpeg flags and their values read as pairs
  await runFfmpeg([
    '-f', 'lavfi', '-i', 'testsrc2=s=320x180:r=30:d=2',
    '-c:v', 'libx264', '-preset', 'ultrafast', '-g', '30', ...flags, file,
  ], { allowLavfi: true });
  return file;
}

/** Keyframe frame numbers as ffprobe reads them from the packets. */
async function keyframesByFfprobe(file: string): Promise<number[]> {
  // biome-ignore format: ffmpeg flags and their values read as pairs
  const { stdout } = await runTool('ffprobe', defaultFfmpegBinaries().ffprobe, [
    '-v', 'error', '-select_streams', 'v:0', '-show_entries', 'packet=pts_time,flags', '-of', 'csv=p=0', file,
  ], { captureStdout: true });
  return stdout
    .trim()
    .split('\n')
    .map((line) => line.split(','))
    .filter(([, flags]) => flags?.startsWith('K'))
    .map(([time]) => Math.round(Number(time) * 30))
    .sort((a, b) => a - b);
}

describe('checking that a clip can be cut by copying its packets', () => {
  const dir = useTempDir('clip-packets-');

  it('reads frame count and keyframes from the sample tables, with the index at either end', async () => {
    // Prepare: keyframes every 30 frames plus frame 15; one file with its index first, one last.
    const flags = ['-bf', '0', '-force_key_frames', 'expr:eq(n,15)'];
    const indexLast = await encode(join(dir(), 'index-last.mp4'), flags);
    const indexFirst = await encode(join(dir(), 'index-first.mp4'), [...flags, '-movflags', '+faststart']);
    // Act
    const checked = await checkClipsCopyable(
      [indexLast, indexFirst].map((file) => ({ file, expectedFrames: 60, cutFrames: [15] })),
      format,
    );
    // Assess: the same keyframes ffprobe finds in the packets (the GOP restarts at 15: 0, 15, 45).
    for (const [i, file] of [indexLast, indexFirst].entries()) {
      expect(checked[i]?.frames).toBe(60);
      expect([...(checked[i]?.keyframes ?? [])].sort((a, b) => a - b)).toEqual(
        await keyframesByFfprobe(file),
      );
    }
    expect(await keyframesByFfprobe(indexLast)).toEqual([0, 15, 45]);
  });

  it('refuses a clip without a keyframe at a cut, naming the frame', async () => {
    const file = await encode(join(dir(), 'gop30.mp4'), ['-bf', '0']);
    const act = checkClipsCopyable([{ file, expectedFrames: 60, cutFrames: [15] }], format);
    await expect(act).rejects.toThrow(ClipNotNormalizedError);
    await expect(act).rejects.toThrow(/no keyframe at frame 15/);
  });

  it('refuses a clip with B-frames, whose DTS and PTS differ', async () => {
    const file = await encode(join(dir(), 'bframes.mp4'), ['-preset', 'fast', '-bf', '2']);
    await expect(checkClipsCopyable([{ file, expectedFrames: 60, cutFrames: [] }], format)).rejects.toThrow(
      /B-frames/,
    );
  });

  it('refuses a clip shorter than the timeline expects', async () => {
    const file = await encode(join(dir(), 'short.mp4'), ['-bf', '0']);
    await expect(checkClipsCopyable([{ file, expectedFrames: 61, cutFrames: [] }], format)).rejects.toThrow(
      /60 frames where the timeline expects 61/,
    );
  });

  it('refuses what is not an MP4 with video: a playlist, a bare audio file', async () => {
    const playlist = join(dir(), 'playlist.mp4');
    writeFileSync(
      playlist,
      '#EXTM3U\n#EXT-X-TARGETDURATION:2\n#EXTINF:2,\nfile:///etc/passwd\n#EXT-X-ENDLIST\n',
    );
    const audio = join(dir(), 'audio.mp4');
    // biome-ignore format: ffmpeg flags and their values read as pairs
    await runFfmpeg(['-f', 'lavfi', '-i', 'sine=d=1', '-c:a', 'aac', audio], { allowLavfi: true });
    for (const file of [playlist, audio]) {
      await expect(checkClipsCopyable([{ file, expectedFrames: 1, cutFrames: [] }], format)).rejects.toThrow(
        ClipNotNormalizedError,
      );
    }
  });
});
