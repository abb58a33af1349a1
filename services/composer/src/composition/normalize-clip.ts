import { ALLOWED_DEMUXERS, fileInput, type MediaProbe, runFfmpeg } from '@reelay/media';
import {
  clipAudioFilter,
  clipVideoFilter,
  type PictureFit,
  silentAudioSource,
  stillMotionFor,
  stillVideoFilter,
} from './clip-filters';
import {
  forcedKeyframesExpr,
  intermediateAudioArgs,
  intermediateVideoArgs,
  samplesForFrames,
} from './encoding';
import { loudnessApplyFilter, loudnessMeasureFilter, parseLoudnessReport } from './loudness';
import {
  assertOutputFormat,
  framesFor,
  InvalidOutputFormatError,
  type OutputFormat,
  secondsFor,
} from './output-format';

export interface NormalizeClipRequest {
  input: string;
  output: string;
  format: OutputFormat;
  /** The input's probe (probeMedia), already checked with checkMediaAllowed. */
  probe: MediaProbe;
  /** How long the clip lasts on the timeline: longer inputs are cut, shorter ones held. */
  durationSec: number;
  /** Where keyframes must be (transitionKeyframeTimes), rounded to the nearest frame. */
  keyframeTimesSec: readonly number[];
  /** How a picture of another aspect fills the frame (default letterbox; generated scenes cover). */
  fit?: PictureFit;
  signal?: AbortSignal;
  timeoutMs?: number;
}

export interface NormalizedClip {
  file: string;
  /** Exactly frames / fps. */
  durationSec: number;
  frames: number;
  normalizeMs: number;
  peakRssKb?: number;
  /** True when the picture was stream-copied (copyIfNormalized), not re-encoded. */
  copied?: boolean;
  /** True when its sound is the silence normalization added (a still, a video without sound). */
  silent: boolean;
}

/**
 * Re-encodes one scene (video, upload or still) into the job's format so that composeTimeline
 * can stream-copy it: letterboxed to the frame, constant fps, yuv420p, SAR 1, H.264 veryfast
 * CRF 23 with a GOP of one second and keyframes at the cut points, 48 kHz stereo AAC (silence
 * when the input has none), video and audio both exactly durationSec long.
 */
export async function normalizeClip(request: NormalizeClipRequest): Promise<NormalizedClip> {
  const { input, output, format, probe, durationSec, keyframeTimesSec, signal, timeoutMs } = request;
  assertOutputFormat(format);
  const frames = framesFor(durationSec, format);
  if (frames < 1) throw new InvalidOutputFormatError(`durationSec ${durationSec} is shorter than one frame`);
  if (!probe.video)
    throw new InvalidOutputFormatError('the input has no picture; audio-only scenes are not clips');
  const samples = samplesForFrames(frames, format);

  const keyframes = [...new Set(keyframeTimesSec.map((t) => framesFor(t, format)))].filter(
    (n) => n > 0 && n < frames,
  );
  const forced = forcedKeyframesExpr(keyframes.sort((a, b) => a - b));

  const fit = request.fit ?? 'letterbox';
  const video = probe.still
    ? stillVideoFilter(format, frames, fit, stillMotionFor(probe.video, format))
    : clipVideoFilter(format, probe, frames, fit);
  // Decode no more of a long upload than the clip needs (plus slack for late-starting streams).
  const readLimit = probe.still ? [] : ['-t', (durationSec + 1).toFixed(3)];
  const hasSound = probe.audio !== undefined && !probe.still;
  // Each clip's sound at -14 LUFS (measured first, applied linearly), so a hard-cut timeline
  // without music or narration is a pure stream copy that is already at the target loudness.
  const loudness = hasSound ? await clipLoudnessFilter(input, readLimit, signal) : undefined;
  const audio = hasSound
    ? `[0:a:0]${clipAudioFilter(samples, loudness)}[a]`
    : `${silentAudioSource(samples)}[a]`;

  // biome-ignore format: ffmpeg flags and their values read as pairs, one pair a line
  const args = [
    ...fileInput(input, { formats: ALLOWED_DEMUXERS, before: readLimit }),
    '-filter_complex', `[0:v:0]${video}[v];${audio}`,
    '-map', '[v]',
    '-map', '[a]',
    ...intermediateVideoArgs(format),
    ...(forced ? ['-force_key_frames', forced] : []),
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
    durationSec: secondsFor(frames, format),
    frames,
    normalizeMs: run.durationMs,
    silent: !hasSound,
    ...(run.peakRssKb === undefined ? {} : { peakRssKb: run.peakRssKb }),
  };
}

/** The loudness correction for a clip's sound, from a first pass over its audio only (cheap). */
async function clipLoudnessFilter(
  input: string,
  readLimit: readonly string[],
  signal: AbortSignal | undefined,
): Promise<string | undefined> {
  // biome-ignore format: ffmpeg flags and their values read as pairs, one pair a line
  const run = await runFfmpeg(
    [
      ...fileInput(input, { formats: ALLOWED_DEMUXERS, before: readLimit }),
      '-map', '0:a:0',
      '-af', loudnessMeasureFilter(),
      '-f', 'null', '-',
    ],
    { logLevel: 'info', ...(signal ? { signal } : {}) },
  );
  return loudnessApplyFilter(parseLoudnessReport(run.stderrTail));
}
