import { runFfmpeg } from '@reelay/media';
import { forcedKeyframesExpr, frameTimeBase, intermediateVideoArgs } from './encoding';
import {
  framesFor,
  type OutputFormat,
  secondsFor,
  type TransitionStyle,
  transitionFrames,
} from './output-format';

/** One overlap between two normalized clips. */
export interface TransitionSource {
  from: string;
  to: string;
  /** First frame of the outgoing clip's tail (a keyframe, so the seek is cheap and exact). */
  fromStartFrame: number;
}

export interface TransitionsRenderRequest {
  /** Rendered one after the other into `output`: transition k is frames [k * frames, (k + 1) * frames). */
  transitions: readonly TransitionSource[];
  /** Length of every transition, in frames. */
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
 * Encodes only the overlaps between normalized clips, several in one ffmpeg run: each is the
 * outgoing tail and the incoming head, both exactly `frames` long, blended; the blends are
 * concatenated into one file with a keyframe at the start of each, so the final join copies each
 * one out by its in- and outpoint. One run instead of one a transition saves, per transition,
 * ffmpeg's start-up (~0.1 s of CPU for Debian's 200-odd shared libraries) and x264's set-up,
 * which cost more than the 15 frames themselves.
 *
 * The crossfade (the default) fades the head in over the tail through its alpha channel, in
 * 4:2:0 as the clips are: frame i is i/frames of the head, as xfade's fade makes it, at half
 * xfade's cost (xfade works in 4:4:4 only, so ffmpeg would resample both sides' chroma up and the
 * result's down). The other styles use xfade. Timestamps are rewritten with settb/setpts (inputs
 * are already constant-rate): an fps filter before xfade drops a frame at the transition
 * (docs/architecture.md, ffmpeg 5.1 trap 2).
 */
export async function renderTransitions(
  request: TransitionsRenderRequest,
): Promise<{ ms: number; peakRssKb?: number }> {
  const { transitions, frames, format, output, signal } = request;
  const style = format.transition;
  if (style === 'cut') throw new Error('renderTransitions called for hard cuts');
  if (transitions.length === 0) throw new Error('renderTransitions called without transitions');
  const seconds = secondsFor(frames, format);
  // Read a little past each side; trim decides the exact frames.
  const readSec = (seconds + 2 / format.fps).toFixed(6);
  const graph = [
    ...transitions.map((_, k) => blendGraph(2 * k, 2 * k + 1, `t${k}`, frames, style, format)),
    transitions.length === 1
      ? '[t0]null[v]'
      : `${transitions.map((_, k) => `[t${k}]`).join('')}concat=n=${transitions.length}:v=1:a=0[v]`,
  ].join(';');
  const keyframes = forcedKeyframesExpr(transitions.map((_, k) => k * frames));
  // biome-ignore format: ffmpeg flags and their values read as pairs, one pair a line
  const args = [
    ...transitions.flatMap(({ from, to, fromStartFrame }) => [
      // One decoding thread a side: frame threads cost more than they save on a few frames.
      '-threads', '1',
      '-ss', secondsFor(fromStartFrame, format).toFixed(6),
      '-t', readSec,
      '-i', from,
      '-threads', '1',
      '-t', readSec,
      '-i', to,
    ]),
    '-filter_complex', graph,
    '-map', '[v]',
    ...intermediateVideoArgs(format),
    ...(keyframes ? ['-force_key_frames', keyframes] : []),
    '-an',
    '-map_metadata', '-1',
    '-f', 'mp4',
    output,
  ];
  const run = await runFfmpeg(args, signal ? { signal } : {});
  return { ms: run.durationMs, ...(run.peakRssKb === undefined ? {} : { peakRssKb: run.peakRssKb }) };
}

/**
 * One transition alone in its file: the last frames of `from` (a normalized clip `durationSec`
 * long, its tail starting on the keyframe prepare put there) into the first frames of `to`, as long
 * as the format's transition. What prepare renders as both scenes become ready (early-transitions.ts).
 */
export function renderTransitionBetween(request: {
  from: { file: string; durationSec: number };
  to: string;
  format: OutputFormat;
  output: string;
  signal?: AbortSignal;
}): Promise<{ ms: number; peakRssKb?: number }> {
  const { from, to, format, output, signal } = request;
  const frames = transitionFrames(format);
  return renderTransitions({
    transitions: [{ from: from.file, to, fromStartFrame: framesFor(from.durationSec, format) - frames }],
    frames,
    format,
    output,
    ...(signal ? { signal } : {}),
  });
}

/** The graph blending input `tail`'s first frames with input `head`'s into `[label]`. */
function blendGraph(
  tail: number,
  head: number,
  label: string,
  frames: number,
  style: Exclude<TransitionStyle, 'cut'>,
  format: Pick<OutputFormat, 'fps'>,
): string {
  const retime = `trim=end_frame=${frames},settb=${frameTimeBase(format)},setpts=N`;
  if (style === 'crossfade') {
    return [
      `[${tail}:v:0]${retime}[${label}tail]`,
      `[${head}:v:0]${retime},format=yuva420p,fade=t=in:s=0:n=${frames}:alpha=1[${label}head]`,
      `[${label}tail][${label}head]overlay=format=yuv420:eof_action=pass,format=yuv420p[${label}]`,
    ].join(';');
  }
  const duration = secondsFor(frames, format).toFixed(6);
  return [
    `[${tail}:v:0]${retime}[${label}tail]`,
    `[${head}:v:0]${retime}[${label}head]`,
    `[${label}tail][${label}head]xfade=transition=${XFADE_TRANSITION[style]}:duration=${duration}:offset=0,format=yuv420p[${label}]`,
  ].join(';');
}
