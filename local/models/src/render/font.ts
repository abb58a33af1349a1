import { existsSync } from 'node:fs';

const CANDIDATES = [
  '/usr/share/fonts/truetype/dejavu/DejaVuSans-Bold.ttf',
  '/usr/share/fonts/TTF/DejaVuSans-Bold.ttf',
  '/usr/share/fonts/dejavu/DejaVuSans-Bold.ttf',
  '/usr/share/fonts/truetype/liberation/LiberationSans-Bold.ttf',
  '/usr/share/fonts/truetype/freefont/FreeSansBold.ttf',
];

/** Only plain paths: the font path is the one filename that goes into the filtergraph itself. */
const SAFE_PATH = /^[\w/.-]+$/;

let cached: string | null | undefined;

/** A bold sans font if one is installed; otherwise drawtext falls back to fontconfig's default. */
export function findFontFile(): string | undefined {
  if (cached === undefined)
    cached = CANDIDATES.find((path) => SAFE_PATH.test(path) && existsSync(path)) ?? null;
  return cached ?? undefined;
}
