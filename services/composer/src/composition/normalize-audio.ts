import { ALLOWED_DEMUXERS, fileInput, type MediaProbe, runFfmpeg } from '@reelay/media';
import { AUDIO_SAMPLE_RATE, intermediateAudioArgs } from './encoding';
import { InvalidOutputFormatError } from './output-format';

export interface NormalizeAudioRequest {
  input: string;
  output: string;
  /** The input's probe (probeMedia), already checked with checkMediaAllowed. */
  probe: MediaProbe;
  /** How long the track may last at most (the scene's durationSec). */
  durationSec: number;
  signal?: AbortSignal;
  timeoutMs?: number;
}

export interface NormalizedAudio {
  file: string;
  normalizeMs: number;
  peakRssKb?: number;
}

/**
 * Prepares a narration or music scene (mp3, wav, m4a, ogg…): its first audio stream as 48 kHz
 * stereo AAC from t=0, cut at durationSec, any picture (cover art) dropped. Placing it on the
 * timeline (delay, loop, fades, ducking, loudness) is the soundtrack pass's job.
 */
export async function normalizeAudio(request: NormalizeAudioRequest): Promise<NormalizedAudio> {
  const { input, output, probe, durationSec, signal, timeoutMs } = request;
  if (!probe.audio) throw new InvalidOutputFormatError('an audio scene needs an audio stream');
  // biome-ignore format: ffmpeg flags and their values read as pairs, one pair a line
  const args = [
    ...fileInput(input, { formats: ALLOWED_DEMUXERS }),
    '-map', '0:a:0',
    '-t', durationSec.toFixed(3),
    '-af', `aresample=${AUDIO_SAMPLE_RATE}:async=1:first_pts=0,aformat=sample_fmts=fltp:channel_layouts=stereo`,
    '-vn',
    ...intermediateAudioArgs(),
    '-map_metadata', '-1',
    '-f', 'mp4',
    output,
  ];
  const run = await runFfmpeg(args, {
    ...(signal ? { signal } : {}),
    ...(timeoutMs === undefined ? {} : { timeoutMs }),
  });
  return {
    file: output,
    normalizeMs: run.durationMs,
    ...(run.peakRssKb === undefined ? {} : { peakRssKb: run.peakRssKb }),
  };
}
