import type { RenderContext, RenderedOutput } from './render-context';
import { runFfmpeg } from './run-ffmpeg';
import { type SeededRandom, seededRandom, seedFrom } from './seeded-random';

export interface MusicRenderInput {
  prompt: string;
  durationSec: number;
  seed: number;
  /** wav (default) or mp3, as musicgen's output_format. */
  format?: 'wav' | 'mp3';
}

export const MUSIC_FILE = 'output.wav';
const SAMPLE_RATE = 44100;

const MAJOR = [0, 2, 4, 5, 7, 9, 11] as const;
const MINOR = [0, 2, 3, 5, 7, 8, 10] as const;
/** Four-chord loops (scale degrees, 0-based) that sound settled rather than random. */
const PROGRESSIONS: readonly (readonly number[])[] = [
  [0, 4, 5, 3],
  [5, 3, 0, 4],
  [0, 5, 3, 4],
  [0, 3, 4, 3],
  [1, 4, 0, 5],
  [0, 2, 3, 4],
];

/** A triad on a scale degree, as frequencies around the root. */
function triad(rootHz: number, scale: readonly number[], degree: number): number[] {
  return [0, 2, 4].map((step) => {
    const index = degree + step;
    const semitone = (scale[index % scale.length] ?? 0) + 12 * Math.floor(index / scale.length);
    return rootHz * 2 ** (semitone / 12);
  });
}

const hz = (value: number): string => value.toFixed(3);
const sine = (freq: number, gain: number): string => `${gain}*sin(2*PI*${hz(freq)}*t)`;

/**
 * One aevalsrc expression: a pad (triad, slightly detuned for warmth), a bass on the root and a
 * plucked arpeggio, over a four-chord loop. if() evaluates lazily, so only the sounding chord costs.
 */
export function musicExpression(random: SeededRandom): { expression: string; describe: string } {
  const minor = random.next() < 0.4;
  const scale = minor ? MINOR : MAJOR;
  const rootHz = 130.81 * 2 ** (random.int(0, 11) / 12);
  const progression = random.pick(PROGRESSIONS);
  const chordSec = random.between(1.8, 2.8);
  const loopSec = chordSec * progression.length;
  const stepSec = chordSec / 4;
  const arpPattern = random.pick([
    [0, 1, 2, 1],
    [0, 2, 1, 2],
    [2, 1, 0, 1],
    [0, 1, 2, 3],
  ]);
  const chordTerms = progression.map((degree, i) => {
    const notes = triad(rootHz, scale, degree);
    const [root = rootHz] = notes;
    const pad = notes.flatMap((f) => [sine(f, 0.11), sine(f * 1.003, 0.07)]).join('+');
    const bass = `${sine(root / 2, 0.2)}+${sine(root, 0.04)}`;
    const arpTerms = arpPattern.map((tone, j) => {
      const freq = (notes[tone % 3] ?? root) * 2 * (tone === 3 ? 2 : 1);
      return `if(between(ld(1),${hz(j * stepSec)},${hz((j + 1) * stepSec)}),${sine(freq, 0.09)},0)`;
    });
    const padEnvelope = `min(1,ld(1)/0.35)*min(1,(${hz(chordSec)}-ld(1))/0.7)`;
    const pluck = `exp(-6*mod(ld(1),${hz(stepSec)}))*min(1,mod(ld(1),${hz(stepSec)})/0.015)*min(1,(${hz(stepSec)}-mod(ld(1),${hz(stepSec)}))/0.04)`;
    const body = `${padEnvelope}*(${pad}+${bass})+${pluck}*(${arpTerms.join('+')})`;
    return `if(between(ld(0),${hz(i * chordSec)},${hz((i + 1) * chordSec)}),${body},0)`;
  });
  // Register 0: time within the loop; register 1: time within the chord.
  const expression = `st(0,mod(t,${hz(loopSec)}));st(1,mod(ld(0),${hz(chordSec)}));${chordTerms.join('+')}`;
  return {
    expression,
    describe: `${minor ? 'minor' : 'major'} key on ${hz(rootHz)} Hz, progression ${progression.join('-')}, ${chordSec.toFixed(2)} s per chord`,
  };
}

/** A pleasant synthesized bed of exactly durationSec seconds, stereo WAV. */
export async function renderMusic(input: MusicRenderInput, ctx: RenderContext): Promise<RenderedOutput> {
  const { expression, describe } = musicExpression(seededRandom(seedFrom(input.prompt, input.seed)));
  ctx.log(describe);
  const duration = input.durationSec;
  const fade = Math.min(2, duration / 4);
  await runFfmpeg({
    ffmpegPath: ctx.ffmpegPath,
    cwd: ctx.dir,
    signal: ctx.signal,
    onSpawn: ctx.onSpawn,
    args: [
      '-f',
      'lavfi',
      '-i',
      `aevalsrc=exprs='${expression}':s=${SAMPLE_RATE}:c=mono`,
      '-af',
      [
        'lowpass=f=3200',
        'aecho=0.8:0.55:83|149:0.22|0.14',
        'haas',
        `afade=t=in:d=${fade.toFixed(3)}`,
        `afade=t=out:st=${(duration - fade).toFixed(3)}:d=${fade.toFixed(3)}`,
        'volume=0.9',
      ].join(','),
      '-t',
      duration.toFixed(6),
      '-ac',
      '2',
      ...(input.format === 'mp3' ? ['-c:a', 'libmp3lame', '-b:a', '192k'] : ['-c:a', 'pcm_s16le']),
      '-y',
      input.format === 'mp3' ? 'output.mp3' : MUSIC_FILE,
    ],
  });
  return input.format === 'mp3'
    ? { fileName: 'output.mp3', contentType: 'audio/mpeg' }
    : { fileName: MUSIC_FILE, contentType: 'audio/wav' };
}
