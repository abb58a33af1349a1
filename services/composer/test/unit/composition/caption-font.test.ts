import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import {
  CaptionFontMissingError,
  captionFontFile,
  cjkCaptionFontFile,
  DEBIAN_CAPTION_FONT,
  DEBIAN_CJK_CAPTION_FONT,
} from '../../../src/composition/caption-font';
import {
  burnedCaptionFilters,
  subtitleLanguageTag,
  UnsafeCaptionPathError,
  wrapCaption,
} from '../../../src/composition/captions';

describe('the font of burned-in captions', () => {
  let workDir: string;
  beforeEach(() => {
    workDir = mkdtempSync(join(tmpdir(), 'caption-font-'));
  });
  afterEach(() => rmSync(workDir, { recursive: true, force: true }));

  const cue = { startSec: 0, endSec: 1, text: 'hello' };

  it('names the font file in every drawtext filter (Lambda has no fonts, the static ffmpeg no fontconfig)', async () => {
    // Act
    const filters = await burnedCaptionFilters([cue, cue], workDir, 720, '/var/task/fonts/DejaVuSans.ttf');
    // Assess
    expect(filters).toHaveLength(2);
    for (const filter of filters) expect(filter).toContain(":fontfile='/var/task/fonts/DejaVuSans.ttf':");
  });

  it('refuses a font path that would need escaping inside the filtergraph', async () => {
    await expect(burnedCaptionFilters([cue], workDir, 720, "/fonts/it's.ttf")).rejects.toBeInstanceOf(
      UnsafeCaptionPathError,
    );
  });

  it('takes the font shipped in the zip (CAPTION_FONT_FILE) before Debian’s', () => {
    // Act
    const font = captionFontFile({ CAPTION_FONT_FILE: '/var/task/fonts/DejaVuSans.ttf' }, () => true);
    // Assess
    expect(font).toBe('/var/task/fonts/DejaVuSans.ttf');
  });

  it('falls back to Debian’s DejaVu Sans when CAPTION_FONT_FILE is unset', () => {
    expect(captionFontFile({}, (file) => file === DEBIAN_CAPTION_FONT)).toBe(DEBIAN_CAPTION_FONT);
  });

  it('fails with a named, non-retryable error naming the fix when CAPTION_FONT_FILE points nowhere', () => {
    // Act
    const find = () => captionFontFile({ CAPTION_FONT_FILE: '/var/task/fonts/missing.ttf' }, () => false);
    // Assess
    expect(find).toThrow(CaptionFontMissingError);
    expect(find).toThrow(
      /CAPTION_FONT_FILE=\/var\/task\/fonts\/missing.ttf.*apt-get install -y fonts-dejavu-core/,
    );
  });

  it('fails with the install command when there is no font at all', () => {
    expect(() => captionFontFile({}, () => false)).toThrow(/fonts-dejavu-core/);
  });
});

describe('captions in any script', () => {
  let workDir: string;
  beforeEach(() => {
    workDir = mkdtempSync(join(tmpdir(), 'caption-scripts-'));
  });
  afterEach(() => rmSync(workDir, { recursive: true, force: true }));

  it('draws each cue with the font of its script: CJK with the CJK font, Vietnamese and Russian with DejaVu', async () => {
    const cues = ['Ngọn hải đăng', 'Маяк', '灯塔', 'これは灯台'].map((text, i) => ({
      startSec: i,
      endSec: i + 1,
      text,
    }));

    const filters = await burnedCaptionFilters(cues, workDir, 720, {
      latin: '/var/task/fonts/DejaVuSans.ttf',
      cjk: () => '/var/task/fonts/wqy-microhei.ttc',
    });

    expect(filters.map((f) => /fontfile='([^']+)'/.exec(f)?.[1])).toEqual([
      '/var/task/fonts/DejaVuSans.ttf',
      '/var/task/fonts/DejaVuSans.ttf',
      '/var/task/fonts/wqy-microhei.ttc',
      '/var/task/fonts/wqy-microhei.ttc',
    ]);
  });

  it('takes the CJK font shipped in the zip, else Debian’s, else fails naming fonts-wqy-microhei', () => {
    expect(cjkCaptionFontFile({ CAPTION_CJK_FONT_FILE: '/var/task/fonts/w.ttc' }, () => true)).toBe(
      '/var/task/fonts/w.ttc',
    );
    expect(cjkCaptionFontFile({}, (f) => f === DEBIAN_CJK_CAPTION_FONT)).toBe(DEBIAN_CJK_CAPTION_FONT);
    expect(() => cjkCaptionFontFile({}, () => false)).toThrow(/apt-get install -y fonts-wqy-microhei/);
  });

  it('wraps CJK captions by characters (they have no spaces) and Latin ones on spaces', () => {
    expect(wrapCaption('一二三四五六七八九十一二三四五六七八九十一二三四五')).toEqual([
      '一二三四五六七八九十一二三四五六七八九十一',
      '二三四五',
    ]);
    expect(wrapCaption('a b')).toEqual(['a b']);
  });

  it('tags the subtitle track with the ISO 639-2 code of the language, und when unknown', () => {
    expect(subtitleLanguageTag('vi-VN')).toBe('vie');
    expect(subtitleLanguageTag('zh')).toBe('zho');
    expect(subtitleLanguageTag()).toBe('eng');
    expect(subtitleLanguageTag('sw')).toBe('und');
  });
});
