import { execFileSync, spawnSync } from 'node:child_process';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { GetObjectCommand, ListObjectsV2Command } from '@aws-sdk/client-s3';
import { runJob } from '../../local/cli/run-job';
import { type EmbeddedCloud, startEmbeddedCloud } from '../../local/cloud/src/embedded-cloud';
import { colourRuns, frameColours, pagePalette } from '../support/page-colours';
import { TEST_STAGE } from '../support/test-stage';

/**
 * The long-form jobs end to end on the embedded cloud, lean: a story with a script line per page,
 * each page a solid colour (so the final video tells which page is on screen frame by frame), and a
 * merge of many clips. 480p (the smallest resolution), 24 fps, hard cuts.
 *
 * It takes minutes (a 120-page story and a 60-clip merge), so `npm test` leaves it out
 * (jest.config.js) and `npm run test:long-form` runs it; REELAY_LONG_FORM_PAGES and
 * REELAY_LONG_FORM_CLIPS set other sizes.
 */
const PAGES = Number(process.env.REELAY_LONG_FORM_PAGES ?? 120);
const CLIPS = Number(process.env.REELAY_LONG_FORM_CLIPS ?? 60);
const FPS = 24;
const FRAME_SEC = 1 / FPS;
const PAUSE_SEC = 0.25;
const CLIP_FRAMES = 12;
/** The narration's language: espeak-ng speaks Vietnamese for the local model server's MiniMax twin. */
const LANGUAGE = 'vi';
const VI_DIGITS = ['không', 'một', 'hai', 'ba', 'bốn', 'năm', 'sáu', 'bảy', 'tám', 'chín'];

const hex = ([r, g, b]: [number, number, number]) =>
  `0x${[r, g, b].map((v) => v.toString(16).padStart(2, '0')).join('')}`;

/** ffmpeg/ffprobe for the test's own media and measurements. */
const ffmpeg = (args: string[]) =>
  execFileSync('ffmpeg', ['-v', 'error', '-y', ...args], { maxBuffer: 1 << 28 });
function durationOf(file: string, stream = 'a:0'): number {
  const out = execFileSync('ffprobe', [
    ...['-v', 'error', '-select_streams', stream, '-show_entries', 'stream=duration', '-of', 'csv=p=0', file],
  ]);
  return Number(out.toString().trim());
}

/**
 * A sound file's length as it is heard: decoded to samples and counted (an MP3's container
 * duration leaves out its encoder padding, about 50 ms, which the voice track does play).
 */
function decodedDuration(file: string): number {
  const pcm = ffmpeg(['-i', file, '-map', '0:a:0', '-ac', '1', '-ar', '48000', '-f', 's16le', 'pipe:1']);
  return pcm.length / 2 / 48_000;
}

/**
 * ffmpeg's log of a run (stderr, where silencedetect writes; execFileSync returns only stdout,
 * which made these checks throw on null before they measured anything).
 */
const ffmpegLog = (args: string[]) =>
  spawnSync('ffmpeg', ['-v', 'info', ...args], { encoding: 'utf8' }).stderr;

/** Where sound starts after each silence of at least `minSec` (silencedetect's silence_end). */
function soundStarts(file: string, minSec: number): number[] {
  const log = ffmpegLog([
    '-i',
    file,
    '-map',
    '0:a:0',
    '-af',
    `silencedetect=n=-45dB:d=${minSec}`,
    '-f',
    'null',
    '-',
  ]);
  return [...log.matchAll(/silence_end: ([\d.]+)/g)].map((m) => Number(m[1]));
}
/** Leading silence of a sound file (0 when it starts at once). */
function leadingSilence(file: string): number {
  const log = ffmpegLog(['-i', file, '-af', 'silencedetect=n=-45dB:d=0.005', '-f', 'null', '-']);
  const start = log.match(/silence_start: (-?[\d.]+)/);
  const end = log.match(/silence_end: ([\d.]+)/);
  return start && Number(start[1]) <= 0.001 && end ? Number(end[1]) : 0;
}

describe('long-form jobs on the embedded cloud', () => {
  let cloud: EmbeddedCloud;
  let dir: string;
  const suiteStart = Date.now();

  beforeAll(async () => {
    dir = mkdtempSync(join(tmpdir(), 'reelay-long-form-'));
    cloud = await startEmbeddedCloud({ stage: TEST_STAGE, onLog: () => undefined });
  }, 240_000);
  afterAll(async () => {
    await cloud?.close();
    if (dir) rmSync(dir, { recursive: true, force: true });
    // The suite's wall time, for the report (issue 21 asks for it).
    process.stdout.write(`long-form suite: ${((Date.now() - suiteStart) / 1000).toFixed(1)} s\n`);
  });

  async function download(key: string, file: string): Promise<string> {
    const { Body } = await cloud.clients.s3.send(
      new GetObjectCommand({ Bucket: cloud.names.mediaBucket, Key: key }),
    );
    writeFileSync(
      file,
      await (Body as { transformToByteArray(): Promise<Uint8Array> }).transformToByteArray(),
    );
    return file;
  }

  it(`a ${PAGES}-page story with a script: each page on screen as long as its narration plus the pause, sound in sync`, async () => {
    // Prepare: tall pages (they pan down), each one colour; a short line for each.
    const colours = pagePalette(PAGES);
    const pages = colours.map((c, i) => {
      const file = join(dir, `page-${String(i + 1).padStart(3, '0')}.png`);
      ffmpeg(['-f', 'lavfi', '-i', `color=c=${hex(c)}:s=64x112`, '-frames:v', '1', file]);
      return file;
    });
    const script = pages.map((_, i) => `Trang ${VI_DIGITS[(i + 1) % 10]}.`);

    // Act
    const result = await runJob(
      cloud,
      {
        recipe: 'story',
        prompt: 'a chapter of a comic',
        script,
        language: LANGUAGE,
        narrationPauseSec: PAUSE_SEC,
        resolution: '480p',
        fps: FPS,
        transition: 'cut',
        music: false,
        captions: false,
        deadlineSec: 1800,
      },
      { userId: 'long-form-user', out: join(dir, 'story.mp4'), uploads: pages, pollMs: 2000 },
    );

    // Assess: the job completed with a page and a narration per script line.
    if (result.record.status !== 'COMPLETED')
      throw new Error(`story failed: ${JSON.stringify(result.record.failure)}`);
    const video = result.video ?? '';
    expect(result.record.scenes.filter((s) => s.kind === 'image')).toHaveLength(PAGES);
    expect(result.record.scenes.filter((s) => s.kind === 'narration')).toHaveLength(PAGES);

    // Each narration as the model rendered it (the generator's stored scene, before the composer).
    const { Contents = [] } = await cloud.clients.s3.send(
      new ListObjectsV2Command({
        Bucket: cloud.names.mediaBucket,
        Prefix: `intermediates/${result.record.jobId}/scenes/`,
      }),
    );
    const narrationKeys = new Map<number, string>();
    for (const { Key = '' } of Contents) {
      const index = Number(Key.split('/').pop()?.split('-')[0]);
      if (index >= PAGES) narrationKeys.set(index - PAGES, Key);
    }
    expect(narrationKeys.size).toBe(PAGES);
    const narrations = await Promise.all(
      [...Array(PAGES).keys()].map((i) =>
        download(
          narrationKeys.get(i) ?? '',
          join(dir, `narration-${i}.${narrationKeys.get(i)?.split('.').pop()}`),
        ),
      ),
    );
    const narrationSec = narrations.map((file) => decodedDuration(file));

    // The pages in order, each for its narration plus the pause, within one frame.
    const runs = colourRuns(frameColours(video), colours);
    expect(runs.map((r) => r.colour)).toEqual([...Array(PAGES).keys()]);
    const off = runs.map((r, i) => r.frames - ((narrationSec[i] ?? 0) + PAUSE_SEC) / FRAME_SEC);
    // Any page further off than one frame is named, with its run and narration.
    const offPages = off
      .map((o, i) => ({ page: i, off: o, frames: runs[i]?.frames, narration: narrationSec[i] }))
      .filter((o) => Math.abs(o.off) > 1);
    expect(offPages).toEqual([]);

    // A/V in sync over the whole length: the streams end together, and each page's narration
    // starts where its page does (plus the narration's own leading silence), to one frame.
    expect(Math.abs(durationOf(video, 'v:0') - durationOf(video, 'a:0'))).toBeLessThanOrEqual(FRAME_SEC);
    const starts = soundStarts(video, PAUSE_SEC / 2);
    const drift = runs.map((run, i) => {
      const expected = run.start * FRAME_SEC + leadingSilence(narrations[i] ?? '');
      const heard = starts.find((t) => t > expected - 3 * FRAME_SEC) ?? Number.POSITIVE_INFINITY;
      return heard - expected;
    });
    expect(Math.max(...drift.slice(1).map(Math.abs))).toBeLessThanOrEqual(FRAME_SEC);
  }, 900_000);

  it(`a ${CLIPS}-clip merge keeps every clip, in order`, async () => {
    // Prepare: half-second clips, each one colour, with a tone.
    const colours = pagePalette(CLIPS);
    const clips = colours.map((c, i) => {
      const file = join(dir, `clip-${String(i + 1).padStart(2, '0')}.mp4`);
      ffmpeg([
        ...[
          '-f',
          'lavfi',
          '-i',
          `color=c=${hex(c)}:s=160x90:r=${FPS}`,
          '-f',
          'lavfi',
          '-i',
          'sine=f=330:r=48000',
        ],
        ...[
          '-frames:v',
          String(CLIP_FRAMES),
          '-t',
          String(CLIP_FRAMES / FPS),
          '-c:v',
          'libx264',
          '-c:a',
          'aac',
          file,
        ],
      ]);
      return file;
    });

    // Act
    const result = await runJob(
      cloud,
      { recipe: 'merge', narration: false, resolution: '480p', fps: FPS, transition: 'cut', captions: false },
      { userId: 'long-form-user', out: join(dir, 'merge.mp4'), uploads: clips, pollMs: 2000 },
    );

    // Assess
    if (result.record.status !== 'COMPLETED')
      throw new Error(`merge failed: ${JSON.stringify(result.record.failure)}`);
    const runs = colourRuns(frameColours(result.video ?? ''), colours);
    expect(runs.map((r) => r.colour)).toEqual([...Array(CLIPS).keys()]);
    expect(runs.every((r) => Math.abs(r.frames - CLIP_FRAMES) <= 1)).toBe(true);
  }, 600_000);
});
