import { hexColor, type Rgb, seededPalette } from './palette';
import { type SeededRandom, seededRandom } from './seeded-random';

/**
 * The procedural looks a local scene can have. Each is an ffmpeg source chain rendered below the
 * output size (sources cost more than the encode) that the caller scales up. Only numbers chosen
 * here go into the filtergraph; no user text ever does.
 */
export interface LookContext {
  outWidth: number;
  outHeight: number;
  fps: number;
  frames: number;
  random: SeededRandom;
  palette: Rgb[];
}

interface Look {
  name: string;
  /** The longest side the source is rendered at, before scaling up. */
  maxSourceSide: number;
  chain(ctx: LookContext, width: number, height: number): string;
}

function color(palette: Rgb[], index: number): Rgb {
  return palette[index % palette.length] ?? { r: 128, g: 128, b: 128 };
}

/**
 * A grey field from one geq expression (value in [0,1]), coloured by a lookup table. Computing the
 * field once in grey and colouring it with lutrgb is three times cheaper than geq per channel.
 */
function colouredField(
  width: number,
  height: number,
  fps: number,
  value: string,
  from: Rgb,
  to: Rgb,
): string {
  const ramp = (a: number, b: number): string => `'${a}+val*${((b - a) / 255).toFixed(4)}'`;
  return (
    `nullsrc=s=${width}x${height}:r=${fps},format=gray,geq=lum='255*clip(${value},0,1)'` +
    `,format=rgb24,lutrgb=r=${ramp(from.r, to.r)}:g=${ramp(from.g, to.g)}:b=${ramp(from.b, to.b)}`
  );
}

const f3 = (value: number): string => value.toFixed(3);

const gradientsLook: Look = {
  name: 'gradients',
  maxSourceSide: 480,
  chain: ({ fps, random, palette }, width, height) =>
    `gradients=s=${width}x${height}:r=${fps}:n=4:c0=${hexColor(color(palette, 0))}:c1=${hexColor(color(palette, 1))}` +
    `:c2=${hexColor(color(palette, 3))}:c3=${hexColor(color(palette, 2))}:speed=${f3(random.between(0.012, 0.04))}` +
    `:seed=${random.int(0, 2 ** 31)},vignette=angle=PI/4.5`,
};

/** Boundary points of the Mandelbrot set where a zoom stays busy. */
const MANDELBROT_POINTS: readonly (readonly [number, number])[] = [
  [-0.743643887037151, 0.13182590420533],
  [-0.7453, 0.1127],
  [-0.16070135, 1.0375665],
  [-1.25066, 0.02012],
  [0.001643721971153, -0.822467633298876],
  [-0.235125, 0.827215],
];

const mandelbrotLook: Look = {
  name: 'mandelbrot',
  maxSourceSide: 256,
  chain: ({ fps, frames, random }, width, height) => {
    const [x, y] = random.pick(MANDELBROT_POINTS);
    return (
      `mandelbrot=s=${width}x${height}:r=${fps}:start_x=${x}:start_y=${y}:start_scale=${f3(random.between(1.5, 3))}` +
      `:end_scale=${f3(random.between(0.01, 0.08))}:end_pts=${Math.round(frames * random.between(1.3, 2.5))}` +
      `:maxiter=${random.int(48, 96)}:outer=normalized_iteration_count:inner=period` +
      `,hue=h=${random.int(0, 359)}+t*${random.int(5, 25)}:s=${f3(random.between(0.7, 1.1))},vignette=angle=PI/5`
    );
  },
};

const lifeLook: Look = {
  name: 'life',
  maxSourceSide: 240,
  chain: ({ fps, random, palette }, width, height) =>
    // Life at 30 generations a second is a blur; 10 to 15 reads as growth.
    `life=s=${width}x${height}:r=${random.int(10, 15)}:ratio=${f3(random.between(0.15, 0.4))}` +
    `:mold=${random.int(8, 30)}:life_color=${hexColor(color(palette, 3))}:death_color=${hexColor(color(palette, 0))}` +
    `:mold_color=${hexColor(color(palette, 1))}:seed=${random.int(0, 2 ** 31)},fps=${fps},gblur=sigma=0.7,vignette=angle=PI/4`,
};

const CELLULAR_RULES = [30, 45, 73, 90, 105, 110, 150] as const;

const cellularLook: Look = {
  name: 'cellauto',
  maxSourceSide: 320,
  chain: ({ fps, random, palette }, width, height) => {
    const dark = color(palette, 0);
    const bright = color(palette, random.pick([2, 3]));
    const ramp = (a: number, b: number): string => `'${a}+val*${f3((b - a) / 255)}'`;
    return (
      `cellauto=s=${width}x${height}:r=${fps}:rule=${random.pick(CELLULAR_RULES)}` +
      `:random_fill_ratio=${f3(random.between(0.3, 0.6))}:scroll=1:seed=${random.int(0, 2 ** 31)}` +
      `,format=rgb24,lutrgb=r=${ramp(dark.r, bright.r)}:g=${ramp(dark.g, bright.g)}:b=${ramp(dark.b, bright.b)}` +
      `,gblur=sigma=0.9,vignette=angle=PI/4.5`
    );
  },
};

const plasmaLook: Look = {
  name: 'plasma',
  maxSourceSide: 128,
  chain: ({ fps, random, palette }, width, height) => {
    const scale = width / 160;
    const k = (min: number, max: number): string => f3(random.between(min, max) * scale);
    const s = (): string => f3(random.between(0.6, 2.2));
    const value =
      `(2+sin(X/${k(6, 14)}+T*${s()})+sin(Y/${k(5, 12)}-T*${s()})+sin((X+Y)/${k(8, 18)}+T*${s()})` +
      `+sin(hypot(X-W/2,Y-H/2)/${k(4, 9)}-T*${s()}))/4`;
    const from = color(palette, 0);
    const to = color(palette, random.pick([2, 3]));
    return `${colouredField(width, height, fps, value, from, to)},vignette=angle=PI/5`;
  },
};

const ripplesLook: Look = {
  name: 'ripples',
  maxSourceSide: 128,
  chain: ({ fps, random, palette }, width, height) => {
    const scale = width / 160;
    const wave = f3(random.between(3, 6) * scale);
    const speed = f3(random.between(1.5, 4));
    const orbit = f3(random.between(0.2, 0.6));
    // Two sources on slow orbits make interference patterns that keep moving.
    const value =
      `(2+sin(hypot(X-W*(0.5+0.3*cos(T*${orbit})),Y-H*(0.5+0.3*sin(T*${orbit})))/${wave}-T*${speed})` +
      `+sin(hypot(X-W*(0.5-0.3*sin(T*${orbit})),Y-H*(0.5-0.25*cos(T*${orbit})))/${wave}-T*${speed}))/4`;
    const from = color(palette, 0);
    const to = color(palette, 3);
    return `${colouredField(width, height, fps, value, from, to)},vignette=angle=PI/5`;
  },
};

export const LOOKS: readonly Look[] = [
  gradientsLook,
  mandelbrotLook,
  lifeLook,
  cellularLook,
  plasmaLook,
  ripplesLook,
];

function even(value: number): number {
  return Math.max(2, Math.round(value / 2) * 2);
}

/** The source size: the output's aspect with its longest side capped for this look. */
export function sourceSize(
  look: Look,
  outWidth: number,
  outHeight: number,
): { width: number; height: number } {
  const factor = Math.min(1, look.maxSourceSide / Math.max(outWidth, outHeight));
  return { width: even(outWidth * factor), height: even(outHeight * factor) };
}

export interface ChosenLook {
  name: string;
  /** A filtergraph that starts with a source and ends at the output size. */
  sourceGraph: string;
}

export interface LookRequest {
  seed: number;
  /**
   * Converted before scaling up: for video, yuv420p at source size costs a fraction of rgb at
   * output size (2.3 s -> 1.0 s for 4 s of 720p); stills stay rgb24 for full chroma.
   */
  pixelFormat: 'yuv420p' | 'rgb24';
  width: number;
  height: number;
  fps: number;
  frames: number;
}

function buildLook(look: Look, { seed, width, height, fps, frames, pixelFormat }: LookRequest): ChosenLook {
  const random = seededRandom(seed);
  const palette = seededPalette(random);
  const source = sourceSize(look, width, height);
  const ctx: LookContext = { outWidth: width, outHeight: height, fps, frames, random, palette };
  return {
    name: look.name,
    sourceGraph: `${look.chain(ctx, source.width, source.height)},format=${pixelFormat},scale=${width}:${height}:flags=bicubic,setsar=1`,
  };
}

/** One look per scene, seeded by hash(prompt, seed): the same scene renders the same way twice. */
export function chooseLook(request: LookRequest): ChosenLook {
  return buildLook(seededRandom(request.seed ^ 0x9e3779b9).pick(LOOKS), request);
}

/** A named look, for the bench and for tests that want each one rendered. */
export function lookByName(name: string, request: LookRequest): ChosenLook {
  const look = LOOKS.find((candidate) => candidate.name === name);
  if (!look) throw new RangeError(`unknown look ${name}`);
  return buildLook(look, request);
}
