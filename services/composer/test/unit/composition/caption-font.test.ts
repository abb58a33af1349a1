import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import {
  CaptionFontMissingError,
  captionFontFile,
  DEBIAN_CAPTION_FONT,
} from '../../../src/composition/caption-font';
import { burnedCaptionFilters, UnsafeCaptionPathError } from '../../../src/composition/captions';

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
