import { runFfmpeg } from '@reelay/media';
import { AUDIO_SAMPLE_RATE, intermediateAudioArgs, samplesForFrames } from './encoding';
import type { OutputFormat } from './output-format';

export interface TimelineAudioRequest {
  clips: ReadonlyArray<{ file: string; frames: number }>;
  overlapFrames: number;
  format: OutputFormat;
  output: string;
  signal?: AbortSignal;
}

/**
 * Builds the whole soundtrack in its own small pass (keeping audio out of the video graph keeps
 * ffmpeg from queueing decoded frames): each clip's audio padded and cut to exactly its video
 * length, since a decoded AAC clip runs ~16 ms long and the error adds up (trap 3), then an
 * acrossfade per transition lasting exactly the overlap.
 */
export async function renderTimelineAudio(
  request: TimelineAudioRequest,
): Promise<{ ms: number; peakRssKb?: number }> {
  const { clips, overlapFrames, format, output, signal } = request;
  const overlapSamples = samplesForFrames(overlapFrames, format);
  const parts = clips.map(
    ({ frames }, i) =>
      `[${i}:a:0]aformat=sample_fmts=fltp:sample_rates=${AUDIO_SAMPLE_RATE}:channel_layouts=stereo,apad,atrim=end_sample=${samplesForFrames(frames, format)}[a${i}]`,
  );
  let last = 'a0';
  for (let i = 1; i < clips.length; i++) {
    const next = `x${i}`;
    parts.push(
      overlapSamples > 0
        ? `[${last}][a${i}]acrossfade=ns=${overlapSamples}:c1=tri:c2=tri[${next}]`
        : `[${last}][a${i}]concat=n=2:v=0:a=1[${next}]`,
    );
    last = next;
  }
  // biome-ignore format: ffmpeg flags and their values read as pairs, one pair a line
  const args = [
    ...clips.flatMap(({ file }) => ['-i', file]),
    '-filter_complex', parts.join(';'),
    '-map', `[${last}]`,
    '-vn',
    ...intermediateAudioArgs(),
    '-map_metadata', '-1',
    '-f', 'mp4',
    output,
  ];
  const run = await runFfmpeg(args, signal ? { signal } : {});
  return { ms: run.durationMs, ...(run.peakRssKb === undefined ? {} : { peakRssKb: run.peakRssKb }) };
}
