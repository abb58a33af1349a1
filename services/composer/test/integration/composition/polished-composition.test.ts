import { readFile } from 'node:fs/promises';
import { join } from 'node:path';
import { checkMediaAllowed, defaultFfmpegBinaries, probeMedia, runFfmpeg, runTool } from '@reelay/media';
import {
  captionCues,
  composeTimeline,
  LOUDNESS_TARGET,
  normalizeAudio,
  normalizeClip,
  type OutputFormat,
  transitionKeyframeTimes,
} from '../../../src/composition/index';
import { bandLevelDb, makeSourceClip, makeTone, measureLoudness, streamFacts, useTempDir } from './fixtures';

const SCENE_SEC = 3;
const FRAME_SEC = 1 / 30;
const format: OutputFormat = {
  width: 640,
  height: 360,
  fps: 30,
  transition: 'crossfade',
  transitionSec: 0.5,
};
const cutFormat: OutputFormat = { ...format, transition: 'cut' };
const MUSIC_HZ = 3000;
const VOICE_HZ = 1000;
/** Narration is aligned to scene 1, which starts at 3 - 0.5 = 2.5 s on the output timeline. */
const VOICE_START_SEC = SCENE_SEC - format.transitionSec;
const VOICE_SEC = 2.5;
const HOSTILE_CAPTIONS = [
  "'\\:textfile=/etc/passwd",
  '%{e:while(1,1)}',
  'plain & <simple> {\\b1}bold? a\\Nb',
];

describe('the polished path: soundtrack, loudness and captions', () => {
  const dir = useTempDir('polished-');
  const clips: Array<{ file: string; durationSec: number; silent?: boolean }> = [];
  const cutClips: Array<{ file: string; durationSec: number }> = [];
  let narration = '';
  let music = '';

  beforeAll(async () => {
    // Two scenes with their own sound (one quiet-ish, one loud), one without any.
    const sources = [
      await makeSourceClip(join(dir(), 'a.mp4'), {
        size: '640x360',
        fps: 30,
        seconds: SCENE_SEC,
        audio: true,
        toneHz: 220,
      }),
      await makeSourceClip(join(dir(), 'b.mp4'), {
        size: '360x640',
        fps: 25,
        seconds: SCENE_SEC,
        audio: false,
      }),
      await makeSourceClip(join(dir(), 'c.mp4'), {
        size: '480x480',
        fps: 24,
        seconds: SCENE_SEC,
        audio: true,
        toneHz: 330,
      }),
    ];
    for (const [i, input] of sources.entries()) {
      const probe = await probeMedia(input);
      checkMediaAllowed(probe);
      for (const [fmt, list] of [
        [format, clips],
        [cutFormat, cutClips],
      ] as const) {
        const clip = await normalizeClip({
          input,
          output: join(dir(), `${fmt.transition}-${i}.mp4`),
          format: fmt,
          probe,
          durationSec: SCENE_SEC,
          keyframeTimesSec: transitionKeyframeTimes(SCENE_SEC, fmt),
        });
        // The crossfade clips say which has no sound, as the scene set does: the soundtrack skips it.
        list.push({
          file: clip.file,
          durationSec: clip.durationSec,
          ...(fmt === format && clip.silent ? { silent: true } : {}),
        });
      }
    }
    // Audio-only scenes in the containers models hand us: a voice (mp3) and a short music loop (wav).
    const voice = await makeTone(join(dir(), 'voice.mp3'), { hz: VOICE_HZ, seconds: VOICE_SEC });
    const bed = await makeTone(join(dir(), 'music.wav'), { hz: MUSIC_HZ, seconds: 3 });
    narration = (
      await normalizeAudio({
        input: voice,
        output: join(dir(), 'voice.m4a'),
        probe: await probeMedia(voice),
        durationSec: VOICE_SEC,
      })
    ).file;
    music = (
      await normalizeAudio({
        input: bed,
        output: join(dir(), 'music.m4a'),
        probe: await probeMedia(bed),
        durationSec: 3,
      })
    ).file;
  });

  const composePolished = (name: string, opts: { voice?: boolean; captions?: 'soft' | 'burned' } = {}) =>
    composeTimeline({
      clips,
      format,
      workDir: dir(),
      output: join(dir(), `${name}.mp4`),
      music: [music],
      ...(opts.voice === false ? {} : { narration: [{ file: narration, startSec: VOICE_START_SEC }] }),
      ...(opts.captions
        ? {
            captions: {
              mode: opts.captions,
              cues: captionCues(
                clips.map((clip, i) => ({ durationSec: clip.durationSec, caption: HOSTILE_CAPTIONS[i] })),
                format.transitionSec,
              ),
            },
          }
        : {}),
    });

  it('keeps audio and video in sync: equal durations, scenes minus overlaps, within one frame', async () => {
    // Act
    const composed = await composePolished('sync');
    // Assess
    const expected = 3 * SCENE_SEC - 2 * format.transitionSec;
    const { video, audio } = await streamFacts(composed.file);
    expect(composed.mode).toBe('smart');
    // Landscape 30 fps, portrait 25 fps without sound, square 24 fps: all in the job's format.
    expect(video).toMatchObject({ codec_name: 'h264', width: 640, height: 360, avg_frame_rate: '30/1' });
    expect(audio).toMatchObject({ codec_name: 'aac', sample_rate: '48000', channels: 2 });
    expect(Math.abs(video.duration - expected)).toBeLessThan(FRAME_SEC);
    expect(Math.abs((audio?.duration ?? 0) - video.duration)).toBeLessThan(FRAME_SEC);
  });

  it('normalizes loudness to -14 LUFS integrated (±1 LU) with true peak at or under -1 dBTP', async () => {
    // Act
    const composed = await composePolished('loudness');
    // Assess: measured independently, by ebur128
    const { integratedLufs, truePeakDbtp } = await measureLoudness(composed.file);
    expect(Math.abs(integratedLufs - LOUDNESS_TARGET.integratedLufs)).toBeLessThanOrEqual(1);
    expect(truePeakDbtp).toBeLessThanOrEqual(-1);
    expect(composed.loudnessNormalized).toBe(true);
  });

  it('normalizes loudness on the hard-cut fast path too (a pure stream copy of clips normalized when prepared)', async () => {
    const composed = await composeTimeline({
      clips: cutClips,
      format: cutFormat,
      workDir: dir(),
      output: join(dir(), 'cut.mp4'),
    });
    const { integratedLufs } = await measureLoudness(composed.file);
    expect(composed.mode).toBe('copy');
    expect(composed.loudnessNormalized).toBe('per-clip'); // no audio pass: each clip was normalized
    expect(Math.abs(integratedLufs - LOUDNESS_TARGET.integratedLufs)).toBeLessThanOrEqual(1);
  });

  it('keeps the sound of a hard-cut copy with its picture: as many samples as frames, to one frame', async () => {
    // Prepare: each clip's AAC starts with a priming packet; copied through a cut it stayed in the
    // middle of the track, 1024 samples (21 ms) late at every cut.
    const composed = await composeTimeline({
      clips: cutClips,
      format: cutFormat,
      workDir: dir(),
      output: join(dir(), 'cut-sync.mp4'),
    });
    // Act: the sound as it is heard (decoded) against the picture's frames.
    const pcm = join(dir(), 'cut-sync.pcm');
    await runFfmpeg(['-i', composed.file, '-map', '0:a:0', '-ac', '1', '-ar', '48000', '-f', 's16le', pcm]);
    const samples = (await readFile(pcm)).length / 2;
    const { video } = await streamFacts(composed.file);
    // Assess
    const pictureSamples = ((video.nb_frames ?? 0) / cutFormat.fps) * 48_000;
    expect(video.nb_frames).toBe(cutClips.length * SCENE_SEC * cutFormat.fps);
    expect(Math.abs(samples - pictureSamples)).toBeLessThanOrEqual(48_000 / cutFormat.fps);
  });

  it('mixes a clip without sound as silence without decoding it, to the same soundtrack', async () => {
    // Prepare: the portrait clip had no sound (normalizeClip said so); the same clips unmarked.
    expect(clips.map((clip) => clip.silent === true)).toEqual([false, true, false]);
    const unmarked = clips.map(({ file, durationSec }) => ({ file, durationSec }));
    // Act
    const skipped = await composePolished('silent-skipped');
    const decoded = await composeTimeline({
      clips: unmarked,
      format,
      workDir: dir(),
      output: join(dir(), 'silent-decoded.mp4'),
      music: [music],
      narration: [{ file: narration, startSec: VOICE_START_SEC }],
    });
    // Assess: the same length to the sample and the same loudness.
    const [a, b] = await Promise.all([streamFacts(skipped.file), streamFacts(decoded.file)]);
    expect(a.audio?.duration).toBe(b.audio?.duration);
    const [la, lb] = await Promise.all([measureLoudness(skipped.file), measureLoudness(decoded.file)]);
    expect(Math.abs(la.integratedLufs - lb.integratedLufs)).toBeLessThanOrEqual(0.1);
  });

  it('places the narration at its aligned scene start', async () => {
    // Act
    const composed = await composePolished('placed');
    // Assess: the voice's band is silent before its scene and loud during it.
    const before = await bandLevelDb(composed.file, {
      fromSec: 0.5,
      toSec: VOICE_START_SEC - 0.2,
      hz: VOICE_HZ,
    });
    const during = await bandLevelDb(composed.file, {
      fromSec: VOICE_START_SEC + 0.2,
      toSec: VOICE_START_SEC + VOICE_SEC - 0.2,
      hz: VOICE_HZ,
    });
    expect(during - before).toBeGreaterThan(30);
  });

  it('ducks the music under the narration', async () => {
    // Prepare: the same mix without the voice is the reference for the music's level.
    const withVoice = await composePolished('ducked');
    const withoutVoice = await composePolished('unducked', { voice: false });
    const window = { fromSec: VOICE_START_SEC + 0.5, toSec: VOICE_START_SEC + VOICE_SEC - 0.3, hz: MUSIC_HZ };
    const outside = { fromSec: 1.2, toSec: VOICE_START_SEC - 0.3, hz: MUSIC_HZ };
    // Act
    const underVoice = await bandLevelDb(withVoice.file, window);
    const sameTimeNoVoice = await bandLevelDb(withoutVoice.file, window);
    const beforeVoice = await bandLevelDb(withVoice.file, outside);
    // Assess: within one mix and against the voiceless mix, the music drops while the voice speaks.
    expect(beforeVoice - underVoice).toBeGreaterThan(6);
    expect(sameTimeNoVoice - underVoice).toBeGreaterThan(6);
  });

  it('adds a soft subtitle track and a WebVTT sidecar that carry hostile caption text literally', async () => {
    // Act
    const composed = await composePolished('soft', { captions: 'soft' });
    // Assess
    const vtt = await readFile(composed.captionsFile ?? '', 'utf8');
    expect(vtt.startsWith('WEBVTT\n')).toBe(true);
    expect(vtt).toContain(HOSTILE_CAPTIONS[0]);
    expect(vtt).toContain(HOSTILE_CAPTIONS[1]);
    expect(vtt).toContain('plain &amp; &lt;simple&gt;');
    // The mov_text samples as stored (converting to SRT would add its own escapes).
    const samples = join(dir(), 'soft.bin');
    await runFfmpeg(['-i', composed.file, '-map', '0:s:0', '-c', 'copy', '-f', 'data', samples]);
    // Zero-width spaces keep ASS from acting on `{\` and `\N`; what a viewer sees is the text.
    const track = (await readFile(samples, 'utf8')).replaceAll('\u200b', '');
    for (const text of HOSTILE_CAPTIONS) expect(track).toContain(text);
    const { stdout } = await runTool(
      'ffprobe',
      defaultFfmpegBinaries().ffprobe,
      [
        '-v',
        'error',
        '-select_streams',
        's',
        '-show_entries',
        'stream=codec_name',
        '-of',
        'csv=p=0',
        composed.file,
      ],
      { captureStdout: true },
    );
    expect(stdout.trim()).toBe('mov_text');
  });

  it('burns captions in with hostile text drawn as text, and the job finishes', async () => {
    // Act: %{e:while(1,1)} would never finish if it were expanded.
    const composed = await composeTimeline({
      clips,
      format,
      workDir: dir(),
      output: join(dir(), 'burned.mp4'),
      captions: {
        mode: 'burned',
        cues: captionCues(
          clips.map((clip, i) => ({ durationSec: clip.durationSec, caption: HOSTILE_CAPTIONS[i] })),
          format.transitionSec,
        ),
      },
      signal: AbortSignal.timeout(60_000),
    });
    // Assess: the caption band of a frame differs from the same frame without captions.
    const plain = await composeTimeline({ clips, format, workDir: dir(), output: join(dir(), 'plain.mp4') });
    const band = async (file: string, name: string) => {
      const png = join(dir(), `${name}.png`);
      await runFfmpeg(['-ss', '1', '-i', file, '-frames:v', '1', '-vf', 'crop=iw:ih/4:0:ih*3/4', png]);
      return readFile(png);
    };
    expect(composed.mode).toBe('burned');
    expect((await band(composed.file, 'burned-band')).equals(await band(plain.file, 'plain-band'))).toBe(
      false,
    );
    const { video, audio } = await streamFacts(composed.file);
    expect(Math.abs((audio?.duration ?? 0) - video.duration)).toBeLessThan(FRAME_SEC);
  });
});
