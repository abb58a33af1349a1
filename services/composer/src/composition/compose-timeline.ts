import { writeFile } from 'node:fs/promises';
import { join, resolve } from 'node:path';
import { runFfmpeg } from '@reelay/media';
import { checkClipCopyable } from './clip-packets';
import { type ConcatEntry, concatListText, inpointUs, outpointUs } from './concat-list';
import {
  assertOutputFormat,
  framesFor,
  InvalidOutputFormatError,
  isHardCut,
  type OutputFormat,
  secondsFor,
  transitionFrames,
} from './output-format';
import { renderTimelineAudio } from './timeline-audio';
import { planTimeline, type TimelineSegment, timelineFrames } from './timeline-plan';
import { renderTransition } from './transition-render';

export interface ComposeTimelineRequest {
  /** Clips made by normalizeClip for this format, in timeline order. */
  clips: ReadonlyArray<{ file: string; durationSec: number }>;
  format: OutputFormat;
  /** A directory of the caller's for intermediates; the output goes here unless `output` is set. */
  workDir: string;
  output?: string;
  signal?: AbortSignal;
  /** How many ffmpeg processes run at once for the transitions and the audio. */
  concurrency?: number;
}

export interface ComposedTimeline {
  file: string;
  /** Exactly frames / fps; the audio track has the same length. */
  durationSec: number;
  frames: number;
  composeMs: number;
  /** `copy` for hard cuts (packets copied as they are); `smart` when transitions were rendered. */
  mode: 'copy' | 'smart';
  /** The largest peak RSS among the ffmpeg runs, when it could be read. */
  peakRssKb?: number;
}

/**
 * Joins normalized clips into the final MP4 (+faststart). Hard cuts are a pure stream copy.
 * Transitions use the smart render: only the overlaps are re-encoded, the middles of the clips
 * are copied packet for packet (they start and end on keyframes), the soundtrack is built in
 * its own pass, and one concat -c copy joins it all. Output length =
 * sum(durations) - (clips - 1) * transitionSec, in whole frames.
 */
export async function composeTimeline(request: ComposeTimelineRequest): Promise<ComposedTimeline> {
  const { clips, format, signal, concurrency = 2 } = request;
  assertOutputFormat(format);
  if (clips.length === 0) throw new InvalidOutputFormatError('a timeline needs at least one clip');
  const started = performance.now();
  const workDir = resolve(request.workDir);
  const output = resolve(request.output ?? join(workDir, 'final.mp4'));
  const timeline = clips.map((clip) => ({
    file: resolve(clip.file),
    frames: framesFor(clip.durationSec, format),
  }));
  const overlap = isHardCut(format) || clips.length === 1 ? 0 : transitionFrames(format);

  const runs =
    overlap === 0
      ? await joinWithCuts(timeline, format, workDir, output, signal)
      : await joinWithTransitions(timeline, overlap, format, workDir, output, concurrency, signal);

  const frames = timelineFrames(
    timeline.map((clip) => clip.frames),
    overlap,
  );
  const peaks = runs.map((run) => run.peakRssKb).filter((kb): kb is number => kb !== undefined);
  return {
    file: output,
    durationSec: secondsFor(frames, format),
    frames,
    composeMs: Math.round(performance.now() - started),
    mode: overlap === 0 ? 'copy' : 'smart',
    ...(peaks.length > 0 ? { peakRssKb: Math.max(...peaks) } : {}),
  };
}

interface TimelineClip {
  file: string;
  frames: number;
}

interface RunStats {
  peakRssKb?: number;
}

async function joinWithCuts(
  clips: readonly TimelineClip[],
  format: OutputFormat,
  workDir: string,
  output: string,
  signal: AbortSignal | undefined,
): Promise<RunStats[]> {
  const list = join(workDir, 'timeline-cut.ffconcat');
  const entries = clips.map(({ file, frames }) => ({
    file,
    outpointUs: outpointUs(secondsFor(frames, format)),
    durationUs: durationUs(frames, format),
  }));
  await writeFile(list, concatListText(entries));
  return [await joinStreams(list, undefined, output, signal)];
}

async function joinWithTransitions(
  clips: readonly TimelineClip[],
  overlap: number,
  format: OutputFormat,
  workDir: string,
  output: string,
  concurrency: number,
  signal: AbortSignal | undefined,
): Promise<RunStats[]> {
  const last = clips.length - 1;
  await Promise.all(
    clips.map(({ file, frames }, i) => {
      const cuts = [i > 0 ? overlap : 0, i < last ? frames - overlap : 0].filter((frame) => frame > 0);
      return checkClipCopyable(file, frames, cuts, format, signal);
    }),
  );
  const segments = planTimeline(
    clips.map((clip) => clip.frames),
    overlap,
  );
  const audio = join(workDir, 'timeline-audio.m4a');
  const transitionFile = (segment: TimelineSegment) =>
    join(workDir, `transition-${segment.kind === 'transition' ? segment.fromClip : 'x'}.mp4`);

  const jobs: Array<() => Promise<RunStats>> = [
    () =>
      renderTimelineAudio({
        clips,
        overlapFrames: overlap,
        format,
        output: audio,
        ...(signal ? { signal } : {}),
      }),
    ...segments.flatMap((segment) =>
      segment.kind === 'transition'
        ? [
            () =>
              renderTransition({
                from: clipAt(clips, segment.fromClip).file,
                to: clipAt(clips, segment.toClip).file,
                fromStartFrame: segment.fromStartFrame,
                frames: segment.frames,
                format,
                output: transitionFile(segment),
                ...(signal ? { signal } : {}),
              }),
          ]
        : [],
    ),
  ];
  const renders = await runLimited(jobs, concurrency);

  const entries = segments.map((segment): ConcatEntry => {
    if (segment.kind === 'transition') {
      return { file: transitionFile(segment), durationUs: durationUs(segment.frames, format) };
    }
    const clip = clipAt(clips, segment.clipIndex);
    return {
      file: clip.file,
      ...(segment.startFrame > 0 ? { inpointUs: inpointUs(secondsFor(segment.startFrame, format)) } : {}),
      // Set even at the clip's end: a clip longer than declared must not push the rest late.
      outpointUs: outpointUs(secondsFor(segment.endFrame, format)),
      durationUs: durationUs(segment.endFrame - segment.startFrame, format),
    };
  });
  const list = join(workDir, 'timeline-video.ffconcat');
  await writeFile(list, concatListText(entries));
  return [...renders, await joinStreams(list, audio, output, signal)];
}

/** One concat -c copy: the video (and, for cuts, the audio) from the list, else the audio file. */
async function joinStreams(
  list: string,
  audio: string | undefined,
  output: string,
  signal: AbortSignal | undefined,
): Promise<RunStats> {
  // biome-ignore format: ffmpeg flags and their values read as pairs, one pair a line
  const args = [
    '-f', 'concat',
    '-safe', '0', // the list holds absolute paths we wrote; -protocol_whitelist file still applies
    '-i', list,
    ...(audio ? ['-i', audio, '-map', '0:v:0', '-map', '1:a:0'] : ['-map', '0:v:0', '-map', '0:a:0']),
    '-c', 'copy',
    '-map_metadata', '-1',
    '-movflags', '+faststart',
    '-f', 'mp4',
    output,
  ];
  const run = await runFfmpeg(args, signal ? { signal } : {});
  return run.peakRssKb === undefined ? {} : { peakRssKb: run.peakRssKb };
}

function durationUs(frames: number, format: OutputFormat): number {
  return Math.round(secondsFor(frames, format) * 1e6);
}

function clipAt(clips: readonly TimelineClip[], index: number): TimelineClip {
  const clip = clips[index];
  if (!clip) throw new Error(`timeline plan refers to clip ${index} of ${clips.length}`);
  return clip;
}

/** Runs jobs with at most `limit` in flight; the first failure rejects (the rest still settle). */
async function runLimited<T>(jobs: ReadonlyArray<() => Promise<T>>, limit: number): Promise<T[]> {
  const results: T[] = new Array(jobs.length);
  let next = 0;
  const worker = async () => {
    while (next < jobs.length) {
      const index = next++;
      const job = jobs[index];
      if (job) results[index] = await job();
    }
  };
  await Promise.all(Array.from({ length: Math.max(1, Math.min(limit, jobs.length)) }, worker));
  return results;
}
