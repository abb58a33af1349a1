import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { checkMediaAllowed, probeMedia, runFfmpeg } from '@reelay/media';
import {
  ClipNotNormalizedError,
  composeTimeline,
  makeThumbnail,
  normalizeClip,
  type OutputFormat,
  thumbnailSource,
  thumbnailTimeSec,
  transitionKeyframeTimes,
} from '../../../src/composition/index';
import { decodeErrors, makeSourceClip, streamFacts, useTempDir } from './fixtures';

const SCENE_SEC = 2;
const FRAME_SEC = 1 / 30;
const crossfade: OutputFormat = {
  width: 640,
  height: 360,
  fps: 30,
  transition: 'crossfade',
  transitionSec: 0.5,
};
const cut: OutputFormat = { ...crossfade, transition: 'cut' };

describe('composition of scenes of different formats', () => {
  const dir = useTempDir('composition-');
  const sources: string[] = [];
  const normalizedFor = new Map<OutputFormat, Array<{ file: string; durationSec: number }>>();

  const normalizeAll = async (format: OutputFormat) => {
    const clips = [];
    for (const [i, input] of sources.entries()) {
      const probe = await probeMedia(input);
      checkMediaAllowed(probe);
      const clip = await normalizeClip({
        input,
        output: join(dir(), `${format.transition}-${i}.mp4`),
        format,
        probe,
        durationSec: SCENE_SEC,
        keyframeTimesSec: transitionKeyframeTimes(SCENE_SEC, format),
      });
      clips.push({ file: clip.file, durationSec: clip.durationSec });
    }
    normalizedFor.set(format, clips);
    return clips;
  };

  beforeAll(async () => {
    // Landscape 25 fps with sound, portrait 30 fps without, square 24 fps with sound.
    sources.push(
      await makeSourceClip(join(dir(), 'landscape.mp4'), {
        size: '640x360',
        fps: 25,
        seconds: SCENE_SEC,
        audio: true,
      }),
      await makeSourceClip(join(dir(), 'portrait.mp4'), {
        size: '360x640',
        fps: 30,
        seconds: SCENE_SEC,
        audio: false,
      }),
      await makeSourceClip(join(dir(), 'square.mp4'), {
        size: '480x480',
        fps: 24,
        seconds: 1.5,
        audio: true,
        toneHz: 660,
      }),
    );
    await normalizeAll(crossfade);
    await normalizeAll(cut);
  });

  it('normalizes every scene to the job format, with sound, exactly as long as asked', async () => {
    for (const clip of normalizedFor.get(crossfade) ?? []) {
      // Act
      const { video, audio } = await streamFacts(clip.file);
      // Assess
      expect(video).toMatchObject({
        codec_name: 'h264',
        width: 640,
        height: 360,
        avg_frame_rate: '30/1',
        nb_frames: 60,
      });
      expect(audio).toMatchObject({ codec_name: 'aac', sample_rate: '48000', channels: 2 });
      expect(Math.abs(video.duration - SCENE_SEC)).toBeLessThan(FRAME_SEC);
      expect(Math.abs((audio?.duration ?? 0) - SCENE_SEC)).toBeLessThan(FRAME_SEC);
    }
  });

  it('composes crossfades to sum minus overlaps, audio and video together', async () => {
    // Prepare
    const clips = normalizedFor.get(crossfade) ?? [];
    // Act
    const composed = await composeTimeline({
      clips,
      format: crossfade,
      workDir: dir(),
      output: join(dir(), 'crossfade.mp4'),
    });
    // Assess
    const expected = 3 * SCENE_SEC - 2 * crossfade.transitionSec;
    const { video, audio } = await streamFacts(composed.file);
    expect(composed).toMatchObject({ mode: 'smart', frames: 150 });
    expect(composed.durationSec).toBeCloseTo(expected, 6);
    expect(video).toMatchObject({ codec_name: 'h264', width: 640, height: 360, avg_frame_rate: '30/1' });
    expect(audio).toMatchObject({ codec_name: 'aac' });
    expect(Math.abs(video.duration - expected)).toBeLessThan(FRAME_SEC);
    expect(Math.abs((audio?.duration ?? 0) - video.duration)).toBeLessThan(FRAME_SEC);
    expect(await decodeErrors(composed.file)).toBe('');
  });

  it('matches a full re-render with xfade frame for frame (no frame lost or doubled at the joins)', async () => {
    // Prepare: the slow, obviously right render of the same timeline.
    const clips = normalizedFor.get(crossfade) ?? [];
    const smart = await composeTimeline({
      clips,
      format: crossfade,
      workDir: dir(),
      output: join(dir(), 'smart.mp4'),
    });
    const reference = join(dir(), 'reference.mp4');
    const retime = 'settb=1/30,setpts=N';
    await runFfmpeg([
      ...clips.flatMap((clip) => ['-i', clip.file]),
      '-filter_complex',
      `[0:v]${retime}[a];[1:v]${retime}[b];[2:v]${retime}[c];` +
        '[a][b]xfade=transition=fade:duration=0.5:offset=1.5[ab];[ab][c]xfade=transition=fade:duration=0.5:offset=3[v]',
      '-map',
      '[v]',
      '-c:v',
      'libx264',
      '-preset',
      'ultrafast',
      '-qp',
      '0',
      reference,
    ]);
    // Act
    const stats = join(dir(), 'psnr.log');
    await runFfmpeg([
      '-i',
      smart.file,
      '-i',
      reference,
      '-lavfi',
      `[0:v]${retime}[x];[1:v]${retime}[y];[x][y]psnr=stats_file=${stats}`,
      '-f',
      'null',
      '-',
    ]);
    // Assess: a frame off by one at a join drops to ~15 dB on this moving test pattern.
    const perFrame = readFileSync(stats, 'utf8')
      .trim()
      .split('\n')
      .map((line) => /psnr_y:([\d.]+|inf)/.exec(line)?.[1])
      .map((value) => (value === 'inf' ? Number.POSITIVE_INFINITY : Number(value)));
    expect(perFrame).toHaveLength(150);
    expect(Math.min(...perFrame)).toBeGreaterThan(35);
  });

  it.each(['wipeleft', 'slideleft', 'circleopen', 'dissolve', 'fade'] as const)(
    'renders the %s transition',
    async (transition) => {
      const format = { ...crossfade, transition };
      const composed = await composeTimeline({
        clips: normalizedFor.get(crossfade) ?? [],
        format,
        workDir: dir(),
        output: join(dir(), `${transition}.mp4`),
      });
      const { video } = await streamFacts(composed.file);
      expect(video.nb_frames).toBe(150);
    },
  );

  it('joins hard cuts by copying packets, to the sum of the scenes', async () => {
    // Act
    const composed = await composeTimeline({
      clips: normalizedFor.get(cut) ?? [],
      format: cut,
      workDir: dir(),
      output: join(dir(), 'cut.mp4'),
    });
    // Assess
    const { video, audio } = await streamFacts(composed.file);
    expect(composed.mode).toBe('copy');
    expect(Math.abs(video.duration - 3 * SCENE_SEC)).toBeLessThan(FRAME_SEC);
    expect(Math.abs((audio?.duration ?? 0) - video.duration)).toBeLessThan(FRAME_SEC);
    expect(video).toMatchObject({ codec_name: 'h264', width: 640, height: 360 });
    expect(await decodeErrors(composed.file)).toBe('');
  });

  it('refuses clips without keyframes at the cut points instead of composing them wrongly', async () => {
    const act = composeTimeline({
      clips: normalizedFor.get(cut) ?? [],
      format: crossfade,
      workDir: dir(),
      output: join(dir(), 'wrong.mp4'),
    });
    await expect(act).rejects.toBeInstanceOf(ClipNotNormalizedError);
    await expect(act).rejects.toMatchObject({ retryable: false });
  });

  it('makes a JPEG thumbnail no wider than 640 px', async () => {
    // Prepare
    const wide = { ...crossfade, width: 1280, height: 720 };
    const source = sources[0] ?? '';
    const clip = await normalizeClip({
      input: source,
      output: join(dir(), 'wide.mp4'),
      format: wide,
      probe: await probeMedia(source),
      durationSec: 1,
      keyframeTimesSec: [],
    });
    // Act
    const thumbnail = await makeThumbnail({
      video: clip.file,
      output: join(dir(), 'thumb.jpg'),
      atSec: thumbnailTimeSec([1], 0),
    });
    // Assess
    const { video } = await streamFacts(thumbnail.file);
    expect(video).toMatchObject({ codec_name: 'mjpeg', width: 640, height: 360 });
  });

  it("makes the same thumbnail from the second scene's clip as from the composed video", async () => {
    // Prepare: the crossfaded composition of the three scenes.
    const clips = normalizedFor.get(crossfade) ?? [];
    const composed = await composeTimeline({
      clips,
      format: crossfade,
      workDir: dir(),
      output: join(dir(), 'for-thumbnail.mp4'),
    });
    const durations = clips.map((c) => c.durationSec);
    const source = thumbnailSource(durations);
    // Act: compose makes it from the clip while the video is composed.
    const fromClip = await makeThumbnail({
      video: clips[source.clip]?.file ?? '',
      output: join(dir(), 'thumb-clip.jpg'),
      atSec: source.atSec,
    });
    const fromVideo = await makeThumbnail({
      video: composed.file,
      output: join(dir(), 'thumb-video.jpg'),
      atSec: thumbnailTimeSec(durations, crossfade.transitionSec),
    });
    // Assess: the frame is in the clip's copied middle, so the two JPEGs are the same bytes.
    expect(source).toEqual({ clip: 1, atSec: SCENE_SEC / 2 });
    expect(readFileSync(fromClip.file).equals(readFileSync(fromVideo.file))).toBe(true);
  });
});

describe('stills', () => {
  const dir = useTempDir('composition-still-');

  it('turns a still image into a moving clip of the asked length', async () => {
    // Prepare
    const still = join(dir(), 'page.png');
    await makeSourceClip(join(dir(), 'seed.mp4'), { size: '800x1000', fps: 1, seconds: 1, audio: false });
    await runFfmpeg(['-i', join(dir(), 'seed.mp4'), '-frames:v', '1', still]);
    const probe = await probeMedia(still);
    // Act
    const clip = await normalizeClip({
      input: still,
      output: join(dir(), 'still.mp4'),
      format: crossfade,
      probe,
      durationSec: 1.5,
      keyframeTimesSec: transitionKeyframeTimes(1.5, crossfade),
    });
    // Assess
    const { video, audio } = await streamFacts(clip.file);
    expect(video).toMatchObject({ width: 640, height: 360, nb_frames: 45 });
    expect(Math.abs((audio?.duration ?? 0) - 1.5)).toBeLessThan(FRAME_SEC);
    const first = join(dir(), 'first.png');
    const last = join(dir(), 'last.png');
    await runFfmpeg(['-i', clip.file, '-frames:v', '1', first]);
    await runFfmpeg(['-sseof', '-0.1', '-i', clip.file, '-frames:v', '1', last]);
    expect(readFileSync(first).equals(readFileSync(last))).toBe(false); // it moves (Ken Burns)
  });
});
