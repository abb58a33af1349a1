import { accessSync, constants } from 'node:fs';

/** Debian's DejaVu Sans (fonts-dejavu-core): the font outside Lambda, where the bootstrap installs it. */
export const DEBIAN_CAPTION_FONT = '/usr/share/fonts/truetype/dejavu/DejaVuSans.ttf';

/** No font to draw burned-in captions with: a deployment or machine setup mistake, not the job's. */
export class CaptionFontMissingError extends Error {
  readonly retryable = false;
  constructor(reason: string) {
    super(
      `no font for burned-in captions: ${reason}. The Lambda zips carry one (CAPTION_FONT_FILE, set by ` +
        'deploy/ffmpeg-binaries.cjs); elsewhere install it: apt-get install -y fonts-dejavu-core',
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
