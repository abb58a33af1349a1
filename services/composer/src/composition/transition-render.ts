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

/** xfade's name for each transition style; our "crossfade" is its "fade". */
const XFADE_TRANSITION = {
  crossfade: 'fade',
  fade: 'fadeblack',
  wipeleft: 'wipeleft',
  slideleft: 'slideleft',
  circleopen: 'circleopen',
  dissolve: 'dissolve',
} as const;

/**
 * Encodes only the overlap between two normalized clips: the outgoing tail and the incoming
 * head, each exactly `frames` long, blended by xfade. Timestamps are rewritten with
 * settb/setpts (inputs are already constant-rate): an fps filter before xfade drops a frame
 * at the transition (PERFORMANCE.md trap 2).
 */
export async function renderTransition(
  request: TransitionRenderRequest,
): Promise<{ ms: number; peakRssKb?: number }> {
  const { from, to, fromStartFrame, frames, format, output, signal } = request;
  if (format.transition === 'cut') throw new Error('renderTransition called for a hard cut');
  const seconds = secondsFor(frames, format);
  const timeBase = frameTimeBase(format);
  const retime = `trim=end_frame=${frames},settb=${timeBase},setpts=N`;
  const graph = [
    `[0:v:0]${retime}[tail]`,
    `[1:v:0]${retime}[head]`,
    `[tail][head]xfade=transition=${XFADE_TRANSITION[format.transition]}:duration=${seconds.toFixed(6)}:offset=0,format=yuv420p[v]`,
  ].join(';');
  const margin = 2 / format.fps; // read a little past the head; trim decides the exact frames
  // biome-ignore format: ffmpeg flags and their values read as pairs, one pair a line
  const args = [
    '-ss', secondsFor(fromStartFrame, format).toFixed(6),
    '-i', from,
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
