import { accessSync, constants } from 'node:fs';

/** Debian's DejaVu Sans (fonts-dejavu-core): the font outside Lambda, where the bootstrap installs it. */
export const DEBIAN_CAPTION_FONT = '/usr/share/fonts/truetype/dejavu/DejaVuSans.ttf';
/**
 * Debian's WenQuanYi Micro Hei (fonts-wqy-microhei, 5 MB): Chinese, Japanese kana and Korean with
 * Latin and Cyrillic in the same font, so a CJK caption that quotes a Latin name draws whole.
 * DejaVu has no CJK glyphs (they draw as boxes); Droid Sans Fallback (fonts-droid-fallback) has
 * CJK but no Latin at all.
 */
export const DEBIAN_CJK_CAPTION_FONT = '/usr/share/fonts/truetype/wqy/wqy-microhei.ttc';

/** No font to draw burned-in captions with: a deployment or machine setup mistake, not the job's. */
export class CaptionFontMissingError extends Error {
  readonly retryable = false;
  constructor(reason: string, debianPackage = 'fonts-dejavu-core') {
    super(
      `no font for burned-in captions: ${reason}. The Lambda zips carry one (CAPTION_FONT_FILE, set by ` +
        `deploy/ffmpeg-binaries.cjs); elsewhere install it: apt-get install -y ${debianPackage}`,
    );
    this.name = 'CaptionFontMissingError';
  }
}

const readable = (file: string): boolean => {
  try {
    accessSync(file, constants.R_OK);
    return true;
  } catch {
    return false;
  }
};

/**
 * The font file drawtext gets as `fontfile=`. Always explicit: the Lambda runtime has no fonts and
 * the static ffmpeg has no fontconfig to find one. CAPTION_FONT_FILE (the font shipped in the zip)
 * when set, else Debian's DejaVu Sans.
 */
export function captionFontFile(
  env: NodeJS.ProcessEnv = process.env,
  isReadable: (file: string) => boolean = readable,
): string {
  const configured = env.CAPTION_FONT_FILE;
  if (configured) {
    if (!isReadable(configured))
      throw new CaptionFontMissingError(`CAPTION_FONT_FILE=${configured} is not readable`);
    return configured;
  }
  if (isReadable(DEBIAN_CAPTION_FONT)) return DEBIAN_CAPTION_FONT;
  throw new CaptionFontMissingError(`CAPTION_FONT_FILE is unset and ${DEBIAN_CAPTION_FONT} is absent`);
}

/**
 * Han, kana, Hangul and their punctuation: the scripts DejaVu Sans cannot draw. Everything else a
 * caption is likely to hold (Latin with Vietnamese diacritics, Cyrillic, Greek) DejaVu covers.
 */
const CJK =
  /[\p{Script=Han}\p{Script=Hiragana}\p{Script=Katakana}\p{Script=Hangul}\u3000-\u303f\uff00-\uffef]/u;

export function needsCjkFont(text: string): boolean {
  return CJK.test(text);
}

/** The caption fonts: DejaVu Sans for most scripts; a CJK font, found only when a caption needs it. */
export interface CaptionFonts {
  latin: string;
  cjk(): string;
}

/**
 * The CJK font: CAPTION_CJK_FONT_FILE (shipped in the zip by deploy/ffmpeg-binaries.cjs) when set,
 * else Debian's WenQuanYi Micro Hei.
 */
export function cjkCaptionFontFile(
  env: NodeJS.ProcessEnv = process.env,
  isReadable: (file: string) => boolean = readable,
): string {
  const configured = env.CAPTION_CJK_FONT_FILE;
  if (configured) {
    if (!isReadable(configured))
      throw new CaptionFontMissingError(
        `CAPTION_CJK_FONT_FILE=${configured} is not readable`,
        'fonts-wqy-microhei',
      );
    return configured;
  }
  if (isReadable(DEBIAN_CJK_CAPTION_FONT)) return DEBIAN_CJK_CAPTION_FONT;
  throw new CaptionFontMissingError(
    `a caption is in Chinese, Japanese or Korean, CAPTION_CJK_FONT_FILE is unset and ${DEBIAN_CJK_CAPTION_FONT} is absent`,
    'fonts-wqy-microhei',
  );
}

export function captionFonts(env: NodeJS.ProcessEnv = process.env): CaptionFonts {
  return { latin: captionFontFile(env), cjk: () => cjkCaptionFontFile(env) };
}

/** The font that draws this caption's script. */
export function fontForCaption(text: string, fonts: CaptionFonts): string {
  return needsCjkFont(text) ? fonts.cjk() : fonts.latin;
}
