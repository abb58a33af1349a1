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
import type { TimelineChunk } from './chunk-plan';
import { planChunks } from './chunk-plan';
import { checkClipsCopyable } from './clip-packets';
import {
  type ComposedTimeline,
  type ComposeTimelineRequest,
  durationUs,
  joinStreams,
  type MuxOptions,
  type RunStats,
  runLimited,
} from './compose-timeline';
import {
  CONCAT_TIMESTAMPS_AS_READ,
  type ConcatEntry,
  concatListText,
  inpointUs,
  outpointUs,
} from './concat-list';
import {
  assertOutputFormat,
  framesFor,
  InvalidOutputFormatError,
  isHardCut,
  type OutputFormat,
  secondsFor,
  transitionFrames,
} from './output-format';
import { type RenderedSoundtrack, renderSoundtrack } from './soundtrack';
import { planTransitions } from './transition-places';

export interface ChunkRenderRequest {
  chunk: TimelineChunk;
  /** Every clip's length in frames, in timeline order (the whole timeline's, for the cut checks). */
  clipFrames: readonly number[];
  /** Local files of the clips the chunk reads (chunk.readsClips), by clip index. */
  clipFiles: ReadonlyMap<number, string>;
  overlapFrames: number;
  format: OutputFormat;
  workDir: string;
  /** The chunk: video only, H.264 packets of the intermediate configuration, starting on a keyframe. */
  output: string;
  /** ffmpeg runs at once for the chunk's transitions. */
  concurrency?: number;
  /** Transitions rendered already (by prepare), by the outgoing clip's index: see ComposeTimelineRequest. */
  transitions?: ReadonlyMap<number, string>;
  signal?: AbortSignal;
}

export interface RenderedChunk {
  file: string;
  frames: number;
  ms: number;
  peakRssKb?: number;
}

/**
 * Composes one chunk's picture: its transitions rendered (the smart render's batches), its
 * scenes' middles copied packet for packet, all joined by the concat demuxer into one video-only
 * MP4. No sound: the soundtrack is rendered once for the whole timeline and muxed at the join.
 */
export async function renderChunk(request: ChunkRenderRequest): Promise<RenderedChunk> {
  const { chunk, clipFrames, clipFiles, overlapFrames, format, signal, concurrency = 2 } = request;
  assertOutputFormat(format);
  const started = performance.now();
  const workDir = resolve(request.workDir);
  const output = resolve(request.output);
  const last = clipFrames.length - 1;
  const fileOf = (clip: number): string => {
    const file = clipFiles.get(clip);
    if (!file) throw new Error(`chunk ${chunk.index} reads clip ${clip}, which was not given`);
    return resolve(file);
  };
  const framesOf = (clip: number): number => {
    const frames = clipFrames[clip];
    if (frames === undefined)
      throw new Error(`chunk ${chunk.index} reads clip ${clip} of ${clipFrames.length}`);
    return frames;
  };
  // The same guard as the smart render: keyframes at every cut the chunk copies from.
  await checkClipsCopyable(
    chunk.readsClips.map((clip) => ({
      file: fileOf(clip),
      expectedFrames: framesOf(clip),
      cutFrames: [clip > 0 ? overlapFrames : 0, clip < last ? framesOf(clip) - overlapFrames : 0].filter(
        (frame) => frame > 0,
      ),
    })),
    format,
    signal,
  );

  const plan = planTransitions({
    transitions: chunk.segments.filter((segment) => segment.kind === 'transition'),
    ...(request.transitions ? { rendered: request.transitions } : {}),
    fileOf,
    overlapFrames,
    format,
    filePrefix: join(workDir, `chunk-${chunk.index}-transitions`),
    ...(signal ? { signal } : {}),
  });
  await checkClipsCopyable(plan.givenChecks, format, signal);
  const runs = await runLimited(plan.renders, concurrency);

  const entries = chunk.segments.map((segment): ConcatEntry => {
    const place =
      segment.kind === 'transition'
        ? plan.placeOf(segment)
        : { file: fileOf(segment.clipIndex), startFrame: segment.startFrame, endFrame: segment.endFrame };
    return {
      file: place.file,
      ...(place.startFrame > 0 ? { inpointUs: inpointUs(secondsFor(place.startFrame, format)) } : {}),
      outpointUs: outpointUs(secondsFor(place.endFrame, format)),
      durationUs: durationUs(place.endFrame - place.startFrame, format),
    };
  });
  const list = join(workDir, `chunk-${chunk.index}.ffconcat`);
  await writeFile(list, concatListText(entries));
  // biome-ignore format: ffmpeg flags and their values read as pairs, one pair a line
  const joined = await runFfmpeg(
    [
      ...CONCAT_TIMESTAMPS_AS_READ, // the chunk's picture starts at 0, not 21 ms late
      '-f', 'concat',
      '-safe', '0', // the list holds absolute paths we wrote; -protocol_whitelist file still applies
      '-i', list,
      '-map', '0:v:0',
      '-c', 'copy',
      '-an',
      '-map_metadata', '-1',
      '-f', 'mp4',
      output,
    ],
    signal ? { signal } : {},
  );
  const peaks = [...runs, joined].map((run) => run.peakRssKb).filter((kb): kb is number => kb !== undefined);
  return {
    file: output,
    frames: chunk.frames,
    ms: Math.round(performance.now() - started),
    ...(peaks.length > 0 ? { peakRssKb: Math.max(...peaks) } : {}),
  };
}

export interface JoinChunksRequest {
  /** The rendered chunks, in order. */
  chunks: ReadonlyArray<{ file: string; frames: number }>;
  /** The whole timeline's soundtrack (renderSoundtrack), exactly as long as the chunks together. */
  audio: string;
  captions?: CaptionsRequest;
  format: OutputFormat;
  workDir: string;
  output: string;
  signal?: AbortSignal;
}

export interface JoinedChunks {
  file: string;
  frames: number;
  durationSec: number;
  captionsFile?: string;
  mode: 'smart' | 'burned';
  peakRssKb?: number;
}

/**
 * The join: the chunks' pictures concatenated by stream copy (each chunk cut to exactly its
 * frames by outpoint and duration), the soundtrack and captions muxed, +faststart. Burned-in
 * captions re-encode the picture here, once, as the single composition does.
 */
export async function joinChunks(request: JoinChunksRequest): Promise<JoinedChunks> {
  const { chunks, format, signal } = request;
  if (chunks.length === 0) throw new InvalidOutputFormatError('a join needs at least one chunk');
  const workDir = resolve(request.workDir);
  const cues = request.captions?.cues ?? [];
  const captionsFile = cues.length > 0 ? join(workDir, 'captions.vtt') : undefined;
  if (captionsFile) await writeFile(captionsFile, webvttText(cues));
  const softCaptions =
    cues.length > 0 && request.captions?.mode === 'soft' ? join(workDir, 'captions.ass') : undefined;
  if (softCaptions) await writeFile(softCaptions, assScriptText(cues));
  const burned = cues.length > 0 && request.captions?.mode === 'burned';
  const mux: MuxOptions = {
    audio: resolve(request.audio),
    ...(softCaptions
      ? { softCaptions, captionsLanguage: subtitleLanguageTag(request.captions?.language) }
      : {}),
    ...(burned ? { burnFilters: await burnedCaptionFilters(cues, workDir, format.height), format } : {}),
  };
  const list = join(workDir, 'chunks.ffconcat');
  await writeFile(
    list,
    concatListText(
      chunks.map(({ file, frames }) => ({
        file: resolve(file),
        outpointUs: outpointUs(secondsFor(frames, format)),
        durationUs: durationUs(frames, format),
      })),
    ),
  );
  const output = resolve(request.output);
  const run = await joinStreams(list, mux, output, signal);
  const frames = chunks.reduce((sum, chunk) => sum + chunk.frames, 0);
  return {
    file: output,
    frames,
    durationSec: secondsFor(frames, format),
    ...(captionsFile ? { captionsFile } : {}),
    mode: burned ? 'burned' : 'smart',
    ...(run.peakRssKb === undefined ? {} : { peakRssKb: run.peakRssKb }),
  };
}

/** What a chunked composition measured: the whole, and each part (the cloud estimate's inputs). */
export interface ChunkedComposition extends ComposedTimeline {
  chunks: Array<{ index: number; scenes: number; frames: number; ms: number; peakRssKb?: number }>;
  soundtrackMs: number;
  joinMs: number;
}

/**
 * A chunked composition in one process: the chunks and the soundtrack run `concurrency` at a
 * time, then the join. The composer's functions do the same across invocations (compose-chunk
 * per chunk, the soundtrack and the join in compose); this is the bench's and the tests' way to
 * measure and check the parts together. Transitions only (hard cuts are a plain copy already).
 */
export async function composeChunked(
  request: ComposeTimelineRequest & { scenesPerChunk: number },
): Promise<ChunkedComposition> {
  const { clips, format, signal, concurrency = 2 } = request;
  assertOutputFormat(format);
  if (isHardCut(format))
    throw new InvalidOutputFormatError('chunked composition is for timelines with transitions');
  const started = performance.now();
  const workDir = resolve(request.workDir);
  const clipFrames = clips.map((clip) => framesFor(clip.durationSec, format));
  const overlap = clips.length > 1 ? transitionFrames(format) : 0;
  const chunks = planChunks(clipFrames, overlap, request.scenesPerChunk);
  const clipFiles = new Map(clips.map((clip, i) => [i, resolve(clip.file)]));
  const audio = join(workDir, 'timeline-audio.m4a');

  let sound: RenderedSoundtrack | undefined;
  const soundtrackJob = async (): Promise<RunStats> => {
    sound = await renderSoundtrack({
      clips: clips.map((clip, i) => ({
        file: resolve(clip.file),
        frames: clipFrames[i] ?? 0,
        ...(clip.silent ? { silent: true } : {}),
      })),
      overlapFrames: overlap,
      format,
      ...(request.narration ? { narration: request.narration } : {}),
      ...(request.music ? { music: request.music } : {}),
      workDir,
      output: audio,
      ...(signal ? { signal } : {}),
    });
    return sound;
  };
  const rendered = await runLimited<RunStats | RenderedChunk>(
    [
      soundtrackJob,
      ...chunks.map(
        (chunk) => () =>
          renderChunk({
            chunk,
            clipFrames,
            clipFiles,
            overlapFrames: overlap,
            format,
            workDir,
            output: join(workDir, `chunk-${chunk.index}.mp4`),
            concurrency: 1,
            ...(request.transitions ? { transitions: request.transitions } : {}),
            ...(signal ? { signal } : {}),
          }),
      ),
    ],
    concurrency,
  );
  const renderedChunks = rendered.slice(1) as RenderedChunk[];
  if (!sound) throw new Error('the soundtrack job did not run');
  const joinStarted = performance.now();
  const joined = await joinChunks({
    chunks: renderedChunks,
    audio,
    ...(request.captions ? { captions: request.captions } : {}),
    format,
    workDir,
    output: resolve(request.output ?? join(workDir, 'final.mp4')),
    ...(signal ? { signal } : {}),
  });
  const joinMs = performance.now() - joinStarted;
  const peaks = [sound.peakRssKb, joined.peakRssKb, ...renderedChunks.map((c) => c.peakRssKb)].filter(
    (kb): kb is number => kb !== undefined,
  );
  return {
    file: joined.file,
    durationSec: joined.durationSec,
    frames: joined.frames,
    composeMs: Math.round(performance.now() - started),
    mode: joined.mode,
    ...(joined.captionsFile ? { captionsFile: joined.captionsFile } : {}),
    measuredLufs: sound.measuredLufs,
    loudnessNormalized: sound.normalized,
    ...(peaks.length > 0 ? { peakRssKb: Math.max(...peaks) } : {}),
    chunks: renderedChunks.map((c, i) => ({
      index: i,
      scenes: (chunks[i]?.lastClip ?? 0) - (chunks[i]?.firstClip ?? 0) + 1,
      frames: c.frames,
      ms: c.ms,
      ...(c.peakRssKb === undefined ? {} : { peakRssKb: c.peakRssKb }),
    })),
    soundtrackMs: sound.ms,
    joinMs: Math.round(joinMs),
  };
}
