import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { defaultFfmpegBinaries, probeMedia, runFfmpeg, runTool } from '@reelay/media';
import {
  composeChunked,
  composeTimeline,
  normalizeAudio,
  normalizeClip,
  transitionKeyframeTimes,
} from '../../../src/composition/index';
import { decodeErrors, makeSourceClip, makeTone, SMALL_CROSSFADE, streamFacts, useTempDir } from './fixtures';

const SCENES = 6;
const SCENE_SEC = 1.5;
const FRAME_SEC = 1 / 30;
const format = SMALL_CROSSFADE;

describe('chunked composition (a long timeline in parts, joined by stream copy)', () => {
  const dir = useTempDir('chunked-');
  const clips: Array<{ file: string; durationSec: number }> = [];
  let voice = '';

  beforeAll(async () => {
    for (let i = 0; i < SCENES; i++) {
      const source = await makeSourceClip(join(dir(), `source-${i}.mp4`), {
        size: '320x180',
        fps: 30,
        seconds: SCENE_SEC,
        audio: i % 2 === 0,
        toneHz: 300 + 100 * i,
      });
      const clip = await normalizeClip({
        input: source,
        output: join(dir(), `clip-${i}.mp4`),
        format,
        probe: await probeMedia(source),
        durationSec: SCENE_SEC,
        keyframeTimesSec: transitionKeyframeTimes(SCENE_SEC, format),
      });
      clips.push({ file: clip.file, durationSec: clip.durationSec });
    }
    const tone = await makeTone(join(dir(), 'voice.wav'), { hz: 900, seconds: 1 });
    voice = (
      await normalizeAudio({
        input: tone,
        output: join(dir(), 'voice.m4a'),
        probe: await probeMedia(tone),
        durationSec: 1,
      })
    ).file;
  });

  it('makes the same video as one composition: every frame in place, A/V in sync to a frame', async () => {
    // Prepare: the single composition of the same timeline is the reference.
    const request = {
      clips,
      format,
      narration: [{ file: voice, startSec: 4 }],
      captions: { mode: 'soft' as const, cues: [{ startSec: 0, endSec: 2, text: 'one' }] },
    };
    const single = await composeTimeline({
      ...request,
      workDir: join(dir()),
      output: join(dir(), 'single.mp4'),
    });
    // Act: three chunks of two scenes (boundaries at scenes 2 and 4, each with a crossfade).
    const chunked = await composeChunked({
      ...request,
      scenesPerChunk: 2,
      workDir: dir(),
      output: join(dir(), 'chunked.mp4'),
    });
    // Assess
    const expectedFrames = SCENES * SCENE_SEC * 30 - (SCENES - 1) * 15;
    expect(chunked.chunks.map((c) => c.scenes)).toEqual([2, 2, 2]);
    expect(chunked.frames).toBe(expectedFrames);
    const { video, audio } = await streamFacts(chunked.file);
    expect(video.nb_frames).toBe(expectedFrames);
    expect(Math.abs(video.duration - expectedFrames / 30)).toBeLessThan(FRAME_SEC);
    expect(Math.abs((audio?.duration ?? 0) - video.duration)).toBeLessThan(FRAME_SEC);
    expect(await decodeErrors(chunked.file)).toBe('');
    // Frame for frame against the single composition: a frame lost or doubled at a chunk join
    // shifts everything after it and drops the PSNR of the moving test pattern to ~15 dB.
    // Compared frame by frame (psnr otherwise pairs frames by time, and the single composition's
    // first frame sits 21 ms late, under a frame, where the chunked one starts at 0).
    const retime = 'settb=1/30,setpts=N';
    const stats = join(dir(), 'psnr.log');
    await runFfmpeg([
      '-i',
      chunked.file,
      '-i',
      single.file,
      '-lavfi',
      `[0:v]${retime}[x];[1:v]${retime}[y];[x][y]psnr=stats_file=${stats}`,
      '-f',
      'null',
      '-',
    ]);
    const perFrame = readFileSync(stats, 'utf8')
      .trim()
      .split('\n')
      .map((line) => /psnr_y:([\d.]+|inf)/.exec(line)?.[1])
      .map((value) => (value === 'inf' ? Number.POSITIVE_INFINITY : Number(value)));
    expect(perFrame).toHaveLength(expectedFrames);
    expect(Math.min(...perFrame)).toBeGreaterThan(35);
    // The soundtrack is the one of the whole timeline (rendered once), so the audio matches too.
    const audioDiff = await runTool(
      'ffmpeg',
      defaultFfmpegBinaries().ffmpeg,
      [
        '-hide_banner',
        '-i',
        chunked.file,
        '-i',
        single.file,
        '-filter_complex',
        '[0:a][1:a]amix=inputs=2:weights=1 -1,astats=measure_perchannel=none:measure_overall=Peak_level',
        '-f',
        'null',
        '-',
      ],
      {},
    );
    const peak = /Peak level dB:\s+(-?[\d.]+|-inf)/.exec(audioDiff.stderrTail)?.[1];
    expect(peak === '-inf' || Number(peak) < -60).toBe(true);
  });

  it('starts every chunk on a keyframe, so the join copies packets without re-encoding', async () => {
    // Act
    const chunked = await composeChunked({
      clips,
      format,
      scenesPerChunk: 4,
      workDir: join(dir()),
      output: join(dir(), 'two-chunks.mp4'),
    });
    // Assess: the join's output has a keyframe where chunk 2 begins.
    const boundary = chunked.chunks[0]?.frames ?? 0;
    const { stdout } = await runTool(
      'ffprobe',
      defaultFfmpegBinaries().ffprobe,
      [
        '-v',
        'error',
        '-select_streams',
        'v:0',
        '-show_entries',
        'packet=pts,flags',
        '-of',
        'csv=p=0',
        chunked.file,
      ],
      { captureStdout: true },
    );
    const keyframes = stdout
      .trim()
      .split('\n')
      .map((line, n) => [n, line.split(',')[1] ?? ''] as const)
      .filter(([, flags]) => flags.startsWith('K'))
      .map(([n]) => n);
    expect(chunked.chunks.map((c) => c.scenes)).toEqual([3, 3]);
    expect(keyframes).toContain(boundary);
  });
});
