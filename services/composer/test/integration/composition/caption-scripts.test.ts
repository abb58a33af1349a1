import { execFile } from 'node:child_process';
import { join } from 'node:path';
import { promisify } from 'node:util';
import { checkMediaAllowed, defaultFfmpegBinaries, probeMedia, runFfmpeg, runTool } from '@reelay/media';
import { captionFonts, DEBIAN_CAPTION_FONT, fontForCaption } from '../../../src/composition/caption-font';
import { burnedCaptionFilters } from '../../../src/composition/captions';
import { composeTimeline, normalizeClip, type OutputFormat } from '../../../src/composition/index';
import { makeSourceClip, useTempDir } from './fixtures';

/**
 * Burned-in captions in any script: Vietnamese diacritics, Cyrillic and CJK are drawn with glyphs,
 * never as the font's missing-glyph boxes ("tofu"), because the font is chosen per caption's
 * script (DejaVu Sans has no CJK). A composed frame's caption band matches a reference render of
 * the same text with the same font; the soft track carries the job's language.
 */
const WIDTH = 640;
const HEIGHT = 360;
const format: OutputFormat = {
  width: WIDTH,
  height: HEIGHT,
  fps: 30,
  transition: 'cut',
  transitionSec: 0,
};
const CAPTIONS = {
  vi: 'Ngọn hải đăng đứng vững trước cơn bão',
  ru: 'Маяк стоит посреди бури',
  zh: '灯塔在暴风雨中屹立不倒',
  ja: '嵐の中に立つ灯台',
};
/** Private-use characters: no font has them, so each draws as the font's missing-glyph box. */
const tofuOf = (text: string) =>
  [...text].map((c, i) => (c === ' ' ? ' ' : String.fromCodePoint(0xe000 + (i % 64)))).join('');
/** The caption band: the bottom quarter, where burnedCaptionFilters draws. */
const BAND = `crop=${WIDTH}:${HEIGHT / 4}:0:${(HEIGHT * 3) / 4}`;

const dir = useTempDir('caption-scripts-');

/** A gray frame with the caption burned in by the composer's own filters; returns the PNG's path. */
async function renderCaption(name: string, text: string, font?: string): Promise<string> {
  const filters = await burnedCaptionFilters(
    [{ startSec: 0, endSec: 1, text }],
    dir(),
    HEIGHT,
    font ?? captionFonts(),
  );
  const png = join(dir(), `${name}.png`);
  await runFfmpeg(
    [
      '-f',
      'lavfi',
      '-i',
      `color=c=gray:s=${WIDTH}x${HEIGHT}:d=1`,
      '-vf',
      [...filters, BAND].join(','),
      '-frames:v',
      '1',
      '-y',
      png,
    ],
    { allowLavfi: true },
  );
  return png;
}

/** PSNR in dB between two pictures (100 when identical). */
async function psnr(a: string, b: string): Promise<number> {
  const { stderr } = await promisify(execFile)(defaultFfmpegBinaries().ffmpeg, [
    '-hide_banner',
    '-i',
    a,
    '-i',
    b,
    '-filter_complex',
    'psnr',
    '-f',
    'null',
    '-',
  ]);
  const average = /average:(\S+)/.exec(stderr)?.[1];
  if (!average) throw new Error(`no PSNR in ffmpeg's output: ${stderr.slice(-400)}`);
  return average === 'inf' ? 100 : Number(average);
}

describe('burned-in captions in any script', () => {
  it.each(Object.entries(CAPTIONS))('draws %s glyphs, not missing-glyph boxes', async (language, text) => {
    // Prepare: the same number of characters the chosen font cannot draw, with the same font.
    const font = fontForCaption(text, captionFonts());
    const tofu = await renderCaption(`${language}-tofu`, tofuOf(text), font);

    // Act
    const drawn = await renderCaption(language, text);

    // Assess: the caption differs from a row of boxes.
    expect(await psnr(drawn, tofu)).toBeLessThan(30);
  });

  it('would draw CJK as boxes with DejaVu Sans alone (what the per-script font prevents)', async () => {
    const withDejaVu = await renderCaption('zh-dejavu', CAPTIONS.zh, DEBIAN_CAPTION_FONT);
    const tofu = await renderCaption('zh-dejavu-tofu', tofuOf(CAPTIONS.zh), DEBIAN_CAPTION_FONT);

    expect(await psnr(withDejaVu, tofu)).toBe(100);
  });
});

describe('a composed video with captions in Vietnamese', () => {
  let clip: { file: string; durationSec: number };

  beforeAll(async () => {
    const source = await makeSourceClip(join(dir(), 'source.mp4'), {
      size: `${WIDTH}x${HEIGHT}`,
      fps: 30,
      seconds: 1,
      audio: false,
    });
    const probe = await probeMedia(source);
    checkMediaAllowed(probe);
    const normalized = await normalizeClip({
      input: source,
      output: join(dir(), 'clip.mp4'),
      format,
      probe,
      durationSec: 1,
      keyframeTimesSec: [],
    });
    clip = { file: normalized.file, durationSec: normalized.durationSec };
  });

  const frameBand = async (video: string, name: string, extra: string[] = []): Promise<string> => {
    const png = join(dir(), `${name}.png`);
    await runFfmpeg([
      '-ss',
      '0.5',
      '-i',
      video,
      '-frames:v',
      '1',
      '-vf',
      [...extra, BAND].join(','),
      '-y',
      png,
    ]);
    return png;
  };

  it('burns the caption as a reference render of the same text with the same font draws it', async () => {
    const cue = { startSec: 0, endSec: 1, text: CAPTIONS.vi };
    // Act
    const burned = await composeTimeline({
      clips: [clip],
      format,
      workDir: dir(),
      output: join(dir(), 'burned-vi.mp4'),
      captions: { mode: 'burned', cues: [cue], language: 'vi' },
    });
    const plain = await composeTimeline({
      clips: [clip],
      format,
      workDir: dir(),
      output: join(dir(), 'plain-vi.mp4'),
    });

    // Assess: the composed band against drawtext of the same text and font over the plain frame.
    const reference = await frameBand(
      plain.file,
      'reference-vi',
      await burnedCaptionFilters([cue], dir(), HEIGHT),
    );
    const composed = await frameBand(burned.file, 'composed-vi');
    const withoutCaption = await frameBand(plain.file, 'plain-band-vi');
    expect(await psnr(composed, reference)).toBeGreaterThan(30);
    expect(await psnr(composed, withoutCaption)).toBeLessThan(30);
  });

  it('tags the soft subtitle track with the job language (vie), not English', async () => {
    const composed = await composeTimeline({
      clips: [clip],
      format,
      workDir: dir(),
      output: join(dir(), 'soft-vi.mp4'),
      captions: { mode: 'soft', cues: [{ startSec: 0, endSec: 1, text: CAPTIONS.vi }], language: 'vi-VN' },
    });

    const { stdout } = await runTool(
      'ffprobe',
      defaultFfmpegBinaries().ffprobe,
      [
        '-v',
        'error',
        '-select_streams',
        's',
        '-show_entries',
        'stream_tags=language',
        '-of',
        'csv=p=0',
        composed.file,
      ],
      { captureStdout: true },
    );
    expect(stdout.trim()).toBe('vie');
  });
});
