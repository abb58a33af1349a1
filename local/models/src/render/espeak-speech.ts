import { spawn } from 'node:child_process';
import { writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import type { RenderContext, RenderedOutput } from './render-context';
import { RenderAbortedError, runFfmpeg } from './run-ffmpeg';
import { tempoFilters } from './speech';

/**
 * Speech in languages flite cannot speak (flite is English only): espeak-ng, Debian's package
 * `espeak-ng` (installed by scripts/bootstrap.mjs as ffmpeg is). It writes a WAV that ffmpeg turns
 * into what the real model returns (48 kHz mono WAV for kokoro, MP3 for MiniMax).
 */
export class SpeechEngineMissingError extends Error {
  readonly retryable = false;
  constructor(detail: string) {
    super(
      `espeak-ng is needed to speak languages other than English locally (${detail}); ` +
        'install it with: apt-get install -y espeak-ng',
    );
    this.name = 'SpeechEngineMissingError';
  }
}

/** BCP-47 primary language -> espeak-ng voice (its names differ for Chinese: Mandarin is `cmn`). */
const ESPEAK_VOICE: Readonly<Record<string, string>> = {
  zh: 'cmn',
  yue: 'yue',
  en: 'en-us',
};

export function espeakVoiceFor(language: string): string {
  const primary = (language.split('-')[0] ?? language).toLowerCase();
  return ESPEAK_VOICE[primary] ?? primary;
}

export interface SpokenTextInput {
  text: string;
  /** BCP-47. */
  language: string;
  speed?: number;
  format: 'wav' | 'mp3';
}

const TEXT_FILE = 'speech.txt';
const RAW_FILE = 'espeak.wav';

function runEspeak(args: readonly string[], ctx: RenderContext): Promise<void> {
  return new Promise((resolve, reject) => {
    const child = spawn(process.env.ESPEAK_NG_PATH ?? 'espeak-ng', args, {
      cwd: ctx.dir,
      stdio: ['ignore', 'ignore', 'pipe'],
      signal: ctx.signal,
    });
    if (child.pid !== undefined) ctx.onSpawn(child.pid);
    let stderr = '';
    child.stderr?.on('data', (chunk: Buffer) => {
      stderr += chunk.toString('utf8');
    });
    child.on('error', (error: NodeJS.ErrnoException) => {
      if (error.name === 'AbortError') reject(new RenderAbortedError());
      else if (error.code === 'ENOENT') reject(new SpeechEngineMissingError('not found on PATH'));
      else reject(error);
    });
    child.on('close', (code) => {
      if (code === 0) resolve();
      else if (ctx.signal.aborted) reject(new RenderAbortedError());
      else reject(new Error(`espeak-ng exited with ${code}: ${stderr.trim().slice(0, 500)}`));
    });
  });
}

/** The text spoken by espeak-ng in the language, as the model's output format. */
export async function renderSpokenText(input: SpokenTextInput, ctx: RenderContext): Promise<RenderedOutput> {
  // A file, not an argument: any text (quotes, leading dashes) is read as text, never as options.
  await writeFile(join(ctx.dir, TEXT_FILE), input.text, 'utf8');
  const voice = espeakVoiceFor(input.language);
  ctx.log(`espeak-ng voice: ${voice}, ${[...input.text].length} characters`);
  await runEspeak(['-v', voice, '-b', '1', '-f', TEXT_FILE, '-w', RAW_FILE], ctx);
  const mp3 = input.format === 'mp3';
  const output = mp3 ? 'output.mp3' : 'output.wav';
  await runFfmpeg({
    ffmpegPath: ctx.ffmpegPath,
    cwd: ctx.dir,
    signal: ctx.signal,
    onSpawn: ctx.onSpawn,
    args: [
      '-i',
      RAW_FILE,
      '-af',
      [...tempoFilters(input.speed ?? 1), mp3 ? 'aresample=32000' : 'aresample=48000'].join(','),
      '-ac',
      '1',
      ...(mp3 ? ['-c:a', 'libmp3lame', '-b:a', '128k'] : ['-c:a', 'pcm_s16le']),
      '-y',
      output,
    ],
  });
  return { fileName: output, contentType: mp3 ? 'audio/mpeg' : 'audio/wav' };
}
