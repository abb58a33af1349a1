/**
 * Reading which page (or clip) is on screen, frame by frame, from a video whose pages are each one
 * solid colour: the long-form suite and the soak's long job both check page order and length so.
 */
import { execFileSync } from 'node:child_process';
import { findFfmpeg } from '@reelay/media';

export type Rgb = [number, number, number];

/** Far-apart colours: hues stepped by the golden angle, two brightnesses alternating. */
export function pagePalette(n: number): Rgb[] {
  return Array.from({ length: n }, (_, i) => {
    const h = (i * 137.508) % 360;
    const c = i % 2 === 0 ? 1 : 0.6;
    const x = c * (1 - Math.abs(((h / 60) % 2) - 1));
    const sector: Rgb[] = [
      [c, x, 0],
      [x, c, 0],
      [0, c, x],
      [0, x, c],
      [x, 0, c],
      [c, 0, x],
    ];
    const [r, g, b] = sector[Math.floor(h / 60)] ?? [c, 0, x];
    return [Math.round(r * 255), Math.round(g * 255), Math.round(b * 255)];
  });
}

/** The colour of every frame, each frame averaged to one pixel (a few KB per minute of video). */
export function frameColours(file: string): Rgb[] {
  // biome-ignore format: ffmpeg flags and their values read as pairs
  const raw = execFileSync(
    findFfmpeg().ffmpeg,
    ['-v', 'error', '-i', file, '-vf', 'scale=1:1:flags=area', '-f', 'rawvideo', '-pix_fmt', 'rgb24', 'pipe:1'],
    { maxBuffer: 1 << 28 },
  );
  return Array.from(
    { length: Math.floor(raw.length / 3) },
    (_, i): Rgb => [raw[i * 3] ?? 0, raw[i * 3 + 1] ?? 0, raw[i * 3 + 2] ?? 0],
  );
}

/** Runs of consecutive frames nearest the same palette colour, in order: the colour's index, its first frame, its length. */
export function colourRuns(
  frames: readonly Rgb[],
  colours: readonly Rgb[],
): Array<{ colour: number; start: number; frames: number }> {
  const nearest = (p: Rgb) => {
    let best = -1;
    let bestDist = Number.POSITIVE_INFINITY;
    for (const [i, c] of colours.entries()) {
      const d = (c[0] - p[0]) ** 2 + (c[1] - p[1]) ** 2 + (c[2] - p[2]) ** 2;
      if (d < bestDist) [best, bestDist] = [i, d];
    }
    return best;
  };
  const runs: Array<{ colour: number; start: number; frames: number }> = [];
  for (const [n, frame] of frames.entries()) {
    const colour = nearest(frame);
    const last = runs.at(-1);
    if (last && last.colour === colour) last.frames++;
    else runs.push({ colour, start: n, frames: 1 });
  }
  return runs;
}
