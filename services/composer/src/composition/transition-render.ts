import { runFfmpeg } from '@reelay/media';
import { frameTimeBase, intermediateVideoArgs } from './encoding';
import { type OutputFormat, secondsFor } from './output-format';

export interface TransitionRenderRequest {
  from: string;
  to: string;
  /** First frame of the outgoing clip's tail (a keyframe, so the seek is cheap and exact). */
  fromStartFrame: number;
  frames: number;
  format: OutputFormat;
  output: string;
  signal?: AbortSignal;
}

/** xfade's name for each transition style but the crossfade (see blendGraph). */
const XFADE_TRANSITION = {
  fade: 'fadeblack',
  wipeleft: 'wipeleft',
  slideleft: 'slideleft',
  circleopen: 'circleopen',
  dissolve: 'dissolve',
} as const;

/**
 * Encodes only the overlap between two normalized clips: the outgoing tail and the incoming
 * head, each exactly `frames` long, blended. The crossfade (the default) fades the head in over
 * the tail through its alpha channel, in 4:2:0 as the clips are: frame i is i/frames of the
 * head, as xfade's fade makes it, at half xfade's cost (xfade works in 4:4:4 only, so ffmpeg
 * would resample both sides' chroma up and the result's down). The other styles use xfade.
 * Timestamps are rewritten with settb/setpts (inputs are already constant-rate): an fps filter
 * before xfade drops a frame at the transition (PERFORMANCE.md trap 2).
 */
export async function renderTransition(
  request: TransitionRenderRequest,
): Promise<{ ms: number; peakRssKb?: number }> {
  const { from, to, fromStartFrame, frames, format, output, signal } = request;
  if (format.transition === 'cut') throw new Error('renderTransition called for a hard cut');
  const seconds = secondsFor(frames, format);
  const timeBase = frameTimeBase(format);
  const retime = `trim=end_frame=${frames},settb=${timeBase},setpts=N`;
  const graph =
    format.transition === 'crossfade'
      ? [
          `[0:v:0]${retime}[tail]`,
          `[1:v:0]${retime},format=yuva420p,fade=t=in:s=0:n=${frames}:alpha=1[head]`,
          '[tail][head]overlay=format=yuv420:eof_action=pass,format=yuv420p[v]',
        ].join(';')
      : [
          `[0:v:0]${retime}[tail]`,
          `[1:v:0]${retime}[head]`,
          `[tail][head]xfade=transition=${XFADE_TRANSITION[format.transition]}:duration=${seconds.toFixed(6)}:offset=0,format=yuv420p[v]`,
        ].join(';');
  const margin = 2 / format.fps; // read a little past the head; trim decides the exact frames
  // biome-ignore format: ffmpeg flags and their values read as pairs, one pair a line
  const args = [
    // One decoding thread per side: frame threads cost more than they save on a few frames.
    '-threads', '1',
    '-ss', secondsFor(fromStartFrame, format).toFixed(6),
    '-i', from,
    '-threads', '1',
    '-t', (seconds + margin).toFixed(6),
    '-i', to,
    '-filter_complex', graph,
    '-map', '[v]',
    ...intermediateVideoArgs(format),
    '-an',
    '-map_metadata', '-1',
    '-f', 'mp4',
    output,
  ];
  const run = await runFfmpeg(args, signal ? { signal } : {});
  return { ms: run.durationMs, ...(run.peakRssKb === undefined ? {} : { peakRssKb: run.peakRssKb }) };
}
