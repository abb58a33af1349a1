import { readFile } from 'node:fs/promises';
import { join } from 'node:path';
import type { InlineOutput, RenderContext } from './render-context';
import { runFfmpeg } from './run-ffmpeg';

/**
 * The local stand-in for a vision model (llava-13b) asked to describe a picture's style: it answers
 * from the picture itself, deterministically, with what ffmpeg can measure: its average colour (the
 * picture scaled to one pixel by area), that colour's hue and saturation, and its brightness. The
 * same picture always gets the same words, so tests can follow a reference's look into the prompts.
 */
export interface PictureStyle {
  /** 0..255 each. */
  red: number;
  green: number;
  blue: number;
  /** Relative luminance, 0..1 (Rec. 709 weights). */
  brightness: number;
}

const AVERAGE_FILE = 'average.rgb';

export async function measurePicture(imageFile: string, ctx: RenderContext): Promise<PictureStyle> {
  await runFfmpeg({
    ffmpegPath: ctx.ffmpegPath,
    cwd: ctx.dir,
    signal: ctx.signal,
    onSpawn: ctx.onSpawn,
    args: [
      '-i',
      imageFile,
      '-vf',
      'scale=1:1:flags=area,format=rgb24',
      '-frames:v',
      '1',
      '-f',
      'rawvideo',
      '-y',
      AVERAGE_FILE,
    ],
  });
  const [red = 0, green = 0, blue = 0] = await readFile(join(ctx.dir, AVERAGE_FILE));
  const brightness = (0.2126 * red + 0.7152 * green + 0.0722 * blue) / 255;
  return { red, green, blue, brightness };
}

function hueAndSaturation({ red, green, blue }: PictureStyle): { hue: number; saturation: number } {
  const [r, g, b] = [red / 255, green / 255, blue / 255];
  const max = Math.max(r, g, b);
  const min = Math.min(r, g, b);
  const saturation = max === 0 ? 0 : (max - min) / max;
  if (max === min) return { hue: 0, saturation };
  const d = max - min;
  const hue = max === r ? ((g - b) / d + 6) % 6 : max === g ? (b - r) / d + 2 : (r - g) / d + 4;
  return { hue: hue * 60, saturation };
}

const HUES: ReadonlyArray<[number, string]> = [
  [15, 'red'],
  [45, 'orange'],
  [70, 'yellow'],
  [160, 'green'],
  [200, 'teal'],
  [255, 'blue'],
  [290, 'purple'],
  [335, 'magenta'],
  [360, 'red'],
];

export function colourName(style: PictureStyle): string {
  const { hue, saturation } = hueAndSaturation(style);
  if (saturation < 0.15) return style.brightness < 0.2 ? 'black' : style.brightness > 0.8 ? 'white' : 'grey';
  return HUES.find(([limit]) => hue < limit)?.[1] ?? 'red';
}

const hex = (n: number) => n.toString(16).padStart(2, '0');

/** The words the twin's vision model says about a picture's look. */
export function styleWords(style: PictureStyle): string {
  const colour = colourName(style);
  const { hue, saturation } = hueAndSaturation(style);
  const warmth =
    saturation < 0.15
      ? 'neutral'
      : hue < 70 || hue >= 300
        ? 'warm'
        : hue >= 160 && hue < 290
          ? 'cool'
          : 'natural';
  const light =
    style.brightness < 0.2
      ? 'dark, low-key lighting'
      : style.brightness < 0.4
        ? 'dim lighting'
        : style.brightness < 0.7
          ? 'balanced lighting'
          : 'bright, high-key lighting';
  const mood =
    style.brightness < 0.4
      ? warmth === 'warm'
        ? 'moody and dramatic'
        : 'mysterious and cold'
      : warmth === 'warm'
        ? 'cheerful and sunny'
        : warmth === 'cool'
          ? 'clean and airy'
          : 'calm';
  const average = `#${hex(style.red)}${hex(style.green)}${hex(style.blue)}`;
  return (
    `${light} (brightness ${Math.round(style.brightness * 100)}%), ` +
    `a ${warmth} colour grade dominated by ${colour} tones (average ${average}), ${mood} mood`
  );
}

/** An LLM streams tokens; Replicate's language models return them as a list of strings. */
function asTokens(text: string): string[] {
  return text.match(/[\s\S]{1,12}/g) ?? [];
}

export async function describePictureStyle(
  imageFile: string,
  maxTokens: number,
  ctx: RenderContext,
): Promise<InlineOutput> {
  const style = await measurePicture(imageFile, ctx);
  const words = styleWords(style);
  ctx.log(`described ${imageFile}: ${words}`);
  return { inline: asTokens(words).slice(0, Math.max(1, maxTokens)) };
}
