import { writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { printableText } from './prompt-text';
import type { RenderContext, RenderedOutput } from './render-context';
import { runFfmpeg } from './run-ffmpeg';

export const FLITE_VOICES = ['slt', 'kal16', 'kal', 'awb', 'rms'] as const;
export type FliteVoice = (typeof FLITE_VOICES)[number];

export interface SpeechRenderInput {
  text: string;
  voice: FliteVoice;
  /** Speed multiplier (kokoro's `speed`): ffmpeg atempo, chained past its 0.5–2 range. Default 1. */
  speed?: number;
  /** wav (48 kHz, kokoro's) by default; mp3 as MiniMax speech returns. */
  format?: 'wav' | 'mp3';
}

/** atempo filters whose product is the speed (each within atempo's 0.5–2). */
export function tempoFilters(speed: number): string[] {
  const filters: string[] = [];
  let rest = speed;
  while (rest > 2) {
    filters.push('atempo=2');
    rest /= 2;
  }
  while (rest < 0.5) {
    filters.push('atempo=0.5');
    rest /= 0.5;
  }
  if (Math.abs(rest - 1) > 1e-6) filters.push(`atempo=${rest.toFixed(4)}`);
  return filters;
}

export const SPEECH_FILE = 'output.wav';
const TEXT_FILE = 'speech.txt';

/** The text spoken by flite, as a 48 kHz mono WAV (the rate the composer mixes at). */
export async function renderSpeech(input: SpeechRenderInput, ctx: RenderContext): Promise<RenderedOutput> {
  await writeFile(join(ctx.dir, TEXT_FILE), printableText(input.text), 'utf8');
  ctx.log(`voice: ${input.voice}, ${input.text.length} characters`);
  const mp3 = input.format === 'mp3';
  await runFfmpeg({
    ffmpegPath: ctx.ffmpegPath,
    cwd: ctx.dir,
    signal: ctx.signal,
    onSpawn: ctx.onSpawn,
    args: [
      '-f',
      'lavfi',
      '-i',
      `flite=textfile=${TEXT_FILE}:voice=${input.voice}`,
      '-af',
      [...tempoFilters(input.speed ?? 1), mp3 ? 'aresample=32000' : 'aresample=48000'].join(','),
      '-ac',
      '1',
      ...(mp3 ? ['-c:a', 'libmp3lame', '-b:a', '128k'] : ['-c:a', 'pcm_s16le']),
      '-y',
      mp3 ? 'output.mp3' : SPEECH_FILE,
    ],
  });
  return mp3
    ? { fileName: 'output.mp3', contentType: 'audio/mpeg' }
    : { fileName: SPEECH_FILE, contentType: 'audio/wav' };
}
