import type { SeededRandom } from './seeded-random';

export interface Rgb {
  r: number;
  g: number;
  b: number;
}

/** Colour harmonies that read as deliberate rather than random: analogous, complementary, triadic. */
const HARMONIES: readonly (readonly number[])[] = [
  [0, 30, 60, 200],
  [0, 180, 20, 200],
  [0, 120, 240, 30],
  [0, 150, 210, 40],
];

export function hslToRgb(hueDeg: number, saturation: number, lightness: number): Rgb {
  const h = (((hueDeg % 360) + 360) % 360) / 60;
  const chroma = (1 - Math.abs(2 * lightness - 1)) * saturation;
  const x = chroma * (1 - Math.abs((h % 2) - 1));
  const m = lightness - chroma / 2;
  const [r, g, b] =
    h < 1
      ? [chroma, x, 0]
      : h < 2
        ? [x, chroma, 0]
        : h < 3
          ? [0, chroma, x]
          : h < 4
            ? [0, x, chroma]
            : h < 5
              ? [x, 0, chroma]
              : [chroma, 0, x];
  const to255 = (v: number): number => Math.round((v + m) * 255);
  return { r: to255(r), g: to255(g), b: to255(b) };
}

/** ffmpeg colour syntax, e.g. 0x1b2a49. */
export function hexColor({ r, g, b }: Rgb): string {
  return `0x${[r, g, b].map((v) => v.toString(16).padStart(2, '0')).join('')}`;
}

/** Four colours: a dark ground, two mid tones and a bright accent, around one seeded hue. */
export function seededPalette(random: SeededRandom): Rgb[] {
  const baseHue = random.between(0, 360);
  const harmony = random.pick(HARMONIES);
  const lightness = [0.16, 0.42, 0.55, 0.7];
  return harmony.map((offset, i) =>
    hslToRgb(baseHue + offset, random.between(0.55, 0.9), lightness[i] ?? 0.5),
  );
}
