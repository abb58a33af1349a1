import { execFileSync } from 'node:child_process';
import { join } from 'node:path';
import { defaultFfmpegBinaries, probeMedia, runFfmpeg } from '@reelay/media';
import { normalizeAudio } from '../../../src/composition';
import { AAC_FRAME_SAMPLES, planAacSlices, SLICE_PREROLL_SAMPLES } from '../../../src/composition/sliced-aac';
import { renderSoundtrack } from '../../../src/composition/soundtrack';
import { measureLoudness, SMALL_CROSSFADE, useTempDir } from './fixtures';

const format = SMALL_CROSSFADE;
const RATE = 48_000;

/** A track decoded to mono float samples, as a player hears it (edit lists applied). */
function decoded(file: string): Float32Array {
  const pcm = execFileSync(
    defaultFfmpegBinaries().ffmpeg,
    ['-v', 'error', '-i', file, '-map', '0:a:0', '-ac', '1', '-f', 'f32le', 'pipe:1'],
    { maxBuffer: 1 << 28 },
  );
  return new Float32Array(pcm.buffer, pcm.byteOffset, pcm.byteLength / 4);
}

describe('a long soundtrack encoded in slices at once', () => {
  const dir = useTempDir('sliced-');

  it('plans slices of whole AAC frames that cover the track, each reading a preroll and a postroll', () => {
    const total = 40 * RATE + 123;

    const slices = planAacSlices(total, 3);

    expect(slices).toHaveLength(3);
    expect(slices[0]?.from).toBe(0);
    expect(slices[0]?.readFrom).toBe(0);
    for (const [k, slice] of slices.entries()) {
      expect(slice.from % AAC_FRAME_SAMPLES).toBe(0);
      expect(slice.to % AAC_FRAME_SAMPLES).toBe(0);
      if (k > 0) {
        expect(slice.from).toBe(slices[k - 1]?.to);
        expect(slice.readFrom).toBe(slice.from - SLICE_PREROLL_SAMPLES);
      }
      expect(slice.readTo).toBeLessThanOrEqual(total);
    }
    expect(slices.at(-1)?.to).toBe(Math.ceil(total / AAC_FRAME_SAMPLES) * AAC_FRAME_SAMPLES);
    expect(planAacSlices(2000, 8)).toHaveLength(2);
  });

  it('sounds as the single encode does: same length, same loudness, no click at a join', async () => {
    // Prepare: 40 s of stills (silent), a voice that stops and starts every 0.7 s, and a music bed.
    const voiceSource = join(dir(), 'voice.wav');
    await runFfmpeg(
      ['-f', 'lavfi', '-i', `sine=f=440:d=3.5,volume='if(lt(mod(t,0.7),0.5),1,0)':eval=frame`, voiceSource],
      { allowLavfi: true },
    );
    const musicSource = join(dir(), 'music.wav');
    await runFfmpeg(['-f', 'lavfi', '-i', 'sine=f=2500:d=7', musicSource], { allowLavfi: true });
    const voice = await normalizeAudio({
      input: voiceSource,
      output: join(dir(), 'voice.m4a'),
      probe: await probeMedia(voiceSource),
      durationSec: 3.5,
    });
    const music = await normalizeAudio({
      input: musicSource,
      output: join(dir(), 'music.m4a'),
      probe: await probeMedia(musicSource),
      durationSec: 7,
    });
    const clips = Array.from({ length: 10 }, (_, i) => ({
      file: `page-${i}.mp4`,
      frames: 135,
      silent: true,
    }));
    const narration = clips.map((_, i) => ({ file: voice.file, startSec: i * 4 + 0.3, durationSec: 3.5 }));
    const render = (name: string, encoders: number) =>
      renderSoundtrack({
        clips,
        overlapFrames: 15,
        format,
        narration,
        music: [music.file],
        workDir: join(dir(), name),
        output: join(dir(), `${name}.m4a`),
        encoders,
        minSliceSec: 10,
      });
    execFileSync('mkdir', ['-p', join(dir(), 'single'), join(dir(), 'sliced')]);

    // Act
    const single = await render('single', 1);
    const sliced = await render('sliced', 3);

    // Assess
    expect(single.slices).toBe(1);
    expect(sliced.slices).toBe(3);
    const a = decoded(single.file);
    const b = decoded(sliced.file);
    expect(Math.abs(a.length - b.length)).toBeLessThan(AAC_FRAME_SAMPLES);
    const [la, lb] = await Promise.all([measureLoudness(single.file), measureLoudness(sliced.file)]);
    expect(Math.abs(la.integratedLufs - lb.integratedLufs)).toBeLessThanOrEqual(0.1);
    // Sample for sample, the two encodes differ by coding noise only, at the joins as elsewhere.
    const totalSamples = (10 * 135 - 9 * 15) * (RATE / 30);
    const joins = planAacSlices(totalSamples, 3)
      .slice(1)
      .map((s) => s.from);
    let signal = 0;
    let noise = 0;
    let worstNearJoin = 0;
    const n = Math.min(a.length, b.length);
    for (let i = 0; i < n; i++) {
      const d = (a[i] ?? 0) - (b[i] ?? 0);
      signal += (a[i] ?? 0) ** 2;
      noise += d * d;
      if (joins.some((j) => Math.abs(i - j) < 2 * AAC_FRAME_SAMPLES))
        worstNearJoin = Math.max(worstNearJoin, Math.abs(d));
    }
    const snrDb = 10 * Math.log10(signal / noise);
    expect(snrDb).toBeGreaterThan(30);
    // A click is a jump of a good part of full scale; coding noise here stays under -40 dBFS.
    expect(worstNearJoin).toBeLessThan(0.01);
  }, 120_000);
});
