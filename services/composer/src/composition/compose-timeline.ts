import { writeFile } from 'node:fs/promises';
import { join, resolve } from 'node:path';
import { runFfmpeg } from '@reelay/media';
import {
  assScriptText,
  burnedCaptionFilters,
  type CaptionsRequest,
  subtitleLanguageTag,
  webvttText,
} from './captions';
import { checkClipsCopyable } from './clip-packets';
import {
  CONCAT_TIMESTAMPS_AS_READ,
  type ConcatEntry,
  concatListText,
  inpointUs,
  outpointUs,
} from './concat-list';
import { intermediateAudioArgs, intermediateVideoArgs } from './encoding';
import {
  assertOutputFormat,
  framesFor,
  InvalidOutputFormatError,
  isHardCut,
  type OutputFormat,
  secondsFor,
  transitionFrames,
} from './output-format';
import { type RenderedSoundtrack, renderSoundtrack, type VoiceTrack } from './soundtrack';
import { planTimeline, timelineFrames } from './timeline-plan';
import { planTransitions } from './transition-places';

export interface ComposeTimelineRequest {
  /** Clips made by normalizeClip for this format, in timeline order; `silent` as normalizeClip said. */
  clips: ReadonlyArray<{ file: string; durationSec: number; silent?: boolean }>;
  format: OutputFormat;
  /** A directory of the caller's for intermediates; the output goes here unless `output` is set. */
  workDir: string;
  output?: string;
  signal?: AbortSignal;
  /** How many ffmpeg processes run at once for the transitions and the audio. */
  concurrency?: number;
  /** Narration placed on the timeline, mixed over the scenes' sound. */
  narration?: readonly VoiceTrack[];
  /** Music beds under everything, ducked under the narration. */
  music?: readonly string[];
  /** Captions (no cues means none): a soft mov_text track + WebVTT file, or burned in. */
  captions?: CaptionsRequest;
  /**
   * Transitions rendered already (prepare renders one as soon as both its scenes are ready), by
   * the outgoing clip's position in `clips`: files of exactly the overlap's frames (renderTransitions,
   * the intermediate encoding), starting on a keyframe. The others are rendered here.
   */
  transitions?: ReadonlyMap<number, string>;
}

export interface ComposedTimeline {
  file: string;
  /** Exactly frames / fps; the audio track has the same length. */
  durationSec: number;
  frames: number;
  composeMs: number;
  /**
   * `copy` for hard cuts (video packets copied as they are); `smart` when transitions were
   * rendered; `burned` when burned-in captions forced the one full video re-encode.
   */
  mode: 'copy' | 'smart' | 'burned';
  /** The WebVTT sidecar, when there were captions. */
  captionsFile?: string;
  /**
   * Loudness of the mix before normalization (LUFS), and whether the soundtrack pass normalized
   * it; `per-clip` when the sound was copied from clips normalized as they were prepared.
   */
  measuredLufs?: number;
  loudnessNormalized: boolean | 'per-clip';
  /** The largest peak RSS among the ffmpeg runs, when it could be read. */
  peakRssKb?: number;
}

/**
 * Joins normalized clips into the final MP4 (+faststart). Hard cuts copy every video packet.
 * Transitions use the smart render: only the overlaps are re-encoded, the middles of the clips
 * are copied packet for packet (they start and end on keyframes). Either way the soundtrack
 * (crossfades, narration, ducked music, two-pass loudness) is built in its own pass, and one
 * concat -c copy joins it all with the captions. Burned-in captions are the one path that
 * re-encodes the whole picture. Output length = sum(durations) - (clips - 1) * transitionSec,
 * in whole frames; the sound is exactly as long. Use a fresh workDir per call.
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
    ...(clip.silent ? { silent: true } : {}),
  }));
  const overlap = isHardCut(format) || clips.length === 1 ? 0 : transitionFrames(format);

  const cues = request.captions?.cues ?? [];
  const captionsFile = cues.length > 0 ? join(workDir, 'captions.vtt') : undefined;
  if (captionsFile) await writeFile(captionsFile, webvttText(cues));
  const softCaptions =
    cues.length > 0 && request.captions?.mode === 'soft' ? join(workDir, 'captions.ass') : undefined;
  if (softCaptions) await writeFile(softCaptions, assScriptText(cues));
  // A hard-cut timeline without music or narration copies the clips' sound too (each clip was
  // loudness-normalized when prepared): a pure stream copy.
  const pureCopy = overlap === 0 && !request.narration?.length && !request.music?.length;
  const mux: MuxOptions = {
    ...(pureCopy ? {} : { audio: join(workDir, 'timeline-audio.m4a') }),
    ...(softCaptions
      ? { softCaptions, captionsLanguage: subtitleLanguageTag(request.captions?.language) }
      : {}),
    ...(cues.length > 0 && request.captions?.mode === 'burned'
      ? { burnFilters: await burnedCaptionFilters(cues, workDir, format.height), format }
      : {}),
  };
  const soundtrack = async (): Promise<RenderedSoundtrack | undefined> => {
    if (!mux.audio) return undefined;
    return renderSoundtrack({
      clips: timeline,
      overlapFrames: overlap,
      format,
      ...(request.narration ? { narration: request.narration } : {}),
      ...(request.music ? { music: request.music } : {}),
      workDir,
      output: mux.audio,
      ...(signal ? { signal } : {}),
    });
  };

  const { runs, sound } =
    overlap === 0
      ? await joinWithCuts(timeline, format, workDir, output, soundtrack, mux, signal)
      : await joinWithTransitions(
          timeline,
          overlap,
          format,
          workDir,
          output,
          concurrency,
          soundtrack,
          mux,
          signal,
          request.transitions,
        );

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
    mode: mux.burnFilters ? 'burned' : overlap === 0 ? 'copy' : 'smart',
    ...(captionsFile ? { captionsFile } : {}),
    ...(sound ? { measuredLufs: sound.measuredLufs } : {}),
    loudnessNormalized: sound ? sound.normalized : 'per-clip',
    ...(peaks.length > 0 ? { peakRssKb: Math.max(...peaks) } : {}),
  };
}

interface TimelineClip {
  file: string;
  frames: number;
}

export interface RunStats {
  peakRssKb?: number;
}

type SoundtrackRender = () => Promise<RenderedSoundtrack | undefined>;

export interface MuxOptions {
  /** The soundtrack file (renderSoundtrack's output); the clips' own sound when absent. */
  audio?: string;
  /** An ASS script (assScriptText) muxed as a mov_text subtitle track. */
  softCaptions?: string;
  /** The subtitle track's ISO 639-2 language (subtitleLanguageTag); `eng` when absent. */
  captionsLanguage?: string;
  /** drawtext filters: the video is re-encoded with them (the opt-in slow path). */
  burnFilters?: string[];
  format?: OutputFormat;
}

interface JoinResult {
  runs: RunStats[];
  sound: RenderedSoundtrack | undefined;
}

async function joinWithCuts(
  clips: readonly TimelineClip[],
  format: OutputFormat,
  workDir: string,
  output: string,
  soundtrack: SoundtrackRender,
  mux: MuxOptions,
  signal: AbortSignal | undefined,
): Promise<JoinResult> {
  const list = join(workDir, 'timeline-cut.ffconcat');
  const entries = clips.map(({ file, frames }) => ({
    file,
    outpointUs: outpointUs(secondsFor(frames, format)),
    durationUs: durationUs(frames, format),
  }));
  await writeFile(list, concatListText(entries));
  const sound = await soundtrack();
  return { runs: [...(sound ? [sound] : []), await joinStreams(list, mux, output, signal)], sound };
}

async function joinWithTransitions(
  clips: readonly TimelineClip[],
  overlap: number,
  format: OutputFormat,
  workDir: string,
  output: string,
  concurrency: number,
  soundtrack: SoundtrackRender,
  mux: MuxOptions,
  signal: AbortSignal | undefined,
  rendered: ReadonlyMap<number, string> | undefined,
): Promise<JoinResult> {
  const last = clips.length - 1;
  // The packet checks guard the transitions and the copy, not the soundtrack: it starts meanwhile.
  const checked = checkClipsCopyable(
    clips.map(({ file, frames }, i) => ({
      file,
      expectedFrames: frames,
      cutFrames: [i > 0 ? overlap : 0, i < last ? frames - overlap : 0].filter((frame) => frame > 0),
    })),
    format,
    signal,
  );
  checked.catch(() => {}); // awaited below; this only keeps an early failure from going unhandled
  const segments = planTimeline(
    clips.map((clip) => clip.frames),
    overlap,
  );
  const plan = planTransitions({
    transitions: segments.filter((segment) => segment.kind === 'transition'),
    ...(rendered ? { rendered } : {}),
    fileOf: (clip) => clipAt(clips, clip).file,
    overlapFrames: overlap,
    format,
    filePrefix: join(workDir, 'transitions'),
    ...(signal ? { signal } : {}),
  });
  // Transitions rendered already are checked as the clips are, before anything relies on them.
  const givenChecked = checkClipsCopyable(plan.givenChecks, format, signal);
  givenChecked.catch(() => {});

  let sound: RenderedSoundtrack | undefined;
  const jobs: Array<() => Promise<RunStats>> = [
    async () => {
      sound = await soundtrack();
      return sound ?? {};
    },
    ...plan.renders.map((render) => async () => {
      await checked;
      return render();
    }),
  ];
  const renders = await runLimited(jobs, concurrency);
  await Promise.all([checked, givenChecked]); // every transition job awaited the clips'; this keeps the guard plain to see

  const entries = segments.map((segment): ConcatEntry => {
    const { file, startFrame, endFrame } =
      segment.kind === 'transition'
        ? plan.placeOf(segment)
        : { ...segment, file: clipAt(clips, segment.clipIndex).file };
    return {
      file,
      ...(startFrame > 0 ? { inpointUs: inpointUs(secondsFor(startFrame, format)) } : {}),
      // Set even at a file's end: a clip longer than declared must not push the rest late.
      outpointUs: outpointUs(secondsFor(endFrame, format)),
      durationUs: durationUs(endFrame - startFrame, format),
    };
  });
  const list = join(workDir, 'timeline-video.ffconcat');
  await writeFile(list, concatListText(entries));
  const joined = await joinStreams(list, mux, output, signal);
  if (!sound) throw new Error('the soundtrack job did not run');
  return { runs: [...renders, joined], sound };
}

/**
 * A hard cut without narration or music joins the clips' own sound. Copied, each clip's AAC
 * priming packet (1024 samples) stayed in the middle of the track and its skip mark was lost, so
 * the sound fell 21 ms behind the picture at every cut (1.3 s by the end of a 60-clip merge).
 * Decoded, each clip's priming is skipped, and aresample places every clip's samples at its
 * timestamp (the clip's start on the picture's timeline), trimming the encoder padding at its end
 * and filling any gap: the sound stays with the picture to the sample. Encoding sound is cheap
 * next to video; the picture is still copied.
 */
const CLIP_SOUND_JOINED_BY_TIMESTAMPS = [
  '-af',
  'aresample=async=1:min_hard_comp=0.001:first_pts=0',
  ...intermediateAudioArgs(),
];

/**
 * The final join: the video from the concat list, the soundtrack, the captions, +faststart.
 * Video packets are copied unless captions are burned in (then the one full re-encode).
 */
export async function joinStreams(
  list: string,
  mux: MuxOptions,
  output: string,
  signal: AbortSignal | undefined,
): Promise<RunStats> {
  const burn = mux.burnFilters && mux.format ? { filters: mux.burnFilters, format: mux.format } : undefined;
  // biome-ignore format: ffmpeg flags and their values read as pairs, one pair a line
  const args = [
    // The picture starts at 0, not 21 ms after the sound (CONCAT_TIMESTAMPS_AS_READ).
    ...CONCAT_TIMESTAMPS_AS_READ,
    '-f', 'concat',
    '-safe', '0', // the list holds absolute paths we wrote; -protocol_whitelist file still applies
    '-i', list,
    ...(mux.audio ? ['-i', mux.audio] : []),
    ...(mux.softCaptions ? ['-f', 'ass', '-i', mux.softCaptions] : []),
    '-map', '0:v:0',
    '-map', mux.audio ? '1:a:0' : '0:a:0',
    ...(mux.softCaptions ? ['-map', `${mux.audio ? 2 : 1}:s:0`] : []),
    '-c', 'copy',
    // The clips' own sound (no soundtrack pass) is decoded and encoded once, not copied (see below).
    ...(mux.audio ? [] : CLIP_SOUND_JOINED_BY_TIMESTAMPS),
    ...(burn ? ['-vf', burn.filters.join(','), ...intermediateVideoArgs(burn.format)] : []),
    ...(mux.softCaptions
      ? ['-c:s', 'mov_text', '-metadata:s:s:0', `language=${mux.captionsLanguage ?? 'eng'}`]
      : []),
    '-map_metadata', '-1',
    '-movflags', '+faststart',
    '-f', 'mp4',
    output,
  ];
  const run = await runFfmpeg(args, signal ? { signal } : {});
  return run.peakRssKb === undefined ? {} : { peakRssKb: run.peakRssKb };
}

export function durationUs(frames: number, format: OutputFormat): number {
  return Math.round(secondsFor(frames, format) * 1e6);
}

function clipAt(clips: readonly TimelineClip[], index: number): TimelineClip {
  const clip = clips[index];
  if (!clip) throw new Error(`timeline plan refers to clip ${index} of ${clips.length}`);
  return clip;
}

/**
 * Runs jobs with at most `limit` in flight. After a failure no new job starts; the call rejects
 * with the first failure once the jobs in flight have settled, so no ffmpeg outlives it.
 */
export async function runLimited<T>(jobs: ReadonlyArray<() => Promise<T>>, limit: number): Promise<T[]> {
  const results: T[] = new Array(jobs.length);
  let next = 0;
  let failed = false;
  const worker = async () => {
    while (!failed && next < jobs.length) {
      const index = next++;
      const job = jobs[index];
      if (!job) continue;
      try {
        results[index] = await job();
      } catch (error) {
        failed = true;
        throw error;
      }
    }
  };
  const workers = Array.from({ length: Math.max(1, Math.min(limit, jobs.length)) }, worker);
  const failure = (await Promise.allSettled(workers)).find((w) => w.status === 'rejected');
  if (failure) throw failure.reason;
  return results;
}
