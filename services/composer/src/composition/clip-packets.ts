import { open } from 'node:fs/promises';
import { createFile, type Movie, MP4BoxBuffer } from 'mp4box';
import { framesFor, type OutputFormat } from './output-format';

/** A clip composeTimeline cannot stream-copy: not made by normalizeClip for this format. */
export class ClipNotNormalizedError extends Error {
  readonly retryable = false;
  constructor(
    readonly file: string,
    reason: string,
  ) {
    super(
      `${file} is not normalized for this timeline: ${reason}; run normalizeClip with transitionKeyframeTimes`,
    );
    this.name = 'ClipNotNormalizedError';
  }
}

export interface ClipPackets {
  frames: number;
  keyframes: ReadonlySet<number>;
}

export interface ClipToCheck {
  file: string;
  expectedFrames: number;
  /** Frames the smart render cuts at: each must be a keyframe. */
  cutFrames: readonly number[];
}

/**
 * Checks what the smart render relies on, from each clip's MP4 sample tables (no decoding, no
 * ffmpeg run: a few milliseconds a clip, where starting ffmpeg alone costs ~0.1 s of CPU):
 * keyframes at the cut points, DTS = PTS (no B-frames), enough frames. Frames are counted on the
 * timeline ffmpeg's demuxer presents, i.e. after the edit list's start offset.
 */
export async function checkClipsCopyable(
  clips: readonly ClipToCheck[],
  format: OutputFormat,
  signal?: AbortSignal,
): Promise<ClipPackets[]> {
  return Promise.all(
    clips.map(({ file, expectedFrames, cutFrames }) =>
      checkClipCopyable(file, expectedFrames, cutFrames, format, signal),
    ),
  );
}

/** checkClipsCopyable for one clip. */
export async function checkClipCopyable(
  file: string,
  expectedFrames: number,
  cutFrames: readonly number[],
  format: OutputFormat,
  signal?: AbortSignal,
): Promise<ClipPackets> {
  const { samples, startTicks, timescale } = await readVideoSamples(file, signal);
  const skewed = samples.find((sample) => sample.cts !== sample.dts);
  if (skewed) {
    throw new ClipNotNormalizedError(
      file,
      `packet DTS ${skewed.dts} differs from PTS ${skewed.cts} (B-frames)`,
    );
  }
  if (samples.length < expectedFrames) {
    throw new ClipNotNormalizedError(
      file,
      `it has ${samples.length} frames where the timeline expects ${expectedFrames}`,
    );
  }
  const keyframes = new Set(
    samples
      .filter((sample) => sample.is_sync)
      .map((sample) => framesFor((sample.cts - startTicks) / timescale, format)),
  );
  const missing = cutFrames.filter((frame) => !keyframes.has(frame));
  if (missing.length > 0)
    throw new ClipNotNormalizedError(file, `no keyframe at frame ${missing.join(', ')}`);
  return { frames: samples.length, keyframes };
}

/** Reads past no more than this much of a file's boxes (the media data is skipped, not read). */
const MAX_INDEX_BYTES = 64 * 1024 * 1024;
const READ_BYTES = 64 * 1024;

/**
 * The first video track's samples, read with mp4box (GPAC's parser): the box headers and the
 * moov only, wherever it is in the file; mp4box tells where it wants to read next and skips mdat.
 */
async function readVideoSamples(file: string, signal: AbortSignal | undefined) {
  const mp4 = createFile();
  let movie: Movie | undefined;
  let failure: string | undefined;
  mp4.onReady = (info) => {
    movie = info;
  };
  mp4.onError = (_module, message) => {
    failure = message;
  };
  const handle = await open(file, 'r');
  try {
    const { size } = await handle.stat();
    let position = 0;
    let read = 0;
    while (!movie && !failure && position < size) {
      signal?.throwIfAborted();
      if (read > MAX_INDEX_BYTES) throw new ClipNotNormalizedError(file, 'its MP4 index is too large');
      const chunk = new Uint8Array(Math.min(READ_BYTES, size - position));
      const { bytesRead } = await handle.read(chunk, 0, chunk.length, position);
      if (bytesRead < chunk.length) throw new ClipNotNormalizedError(file, 'it changed while it was read');
      read += bytesRead;
      const end = position + bytesRead;
      const next = mp4.appendBuffer(MP4BoxBuffer.fromArrayBuffer(chunk.buffer, position), end >= size);
      // mp4box asks for what it needs next; anything else means it can make no more progress.
      position = next > position ? next : end;
    }
  } catch (error) {
    if (error instanceof ClipNotNormalizedError || signal?.aborted) throw error;
    failure = error instanceof Error ? error.message : String(error);
  } finally {
    await handle.close();
  }
  if (failure) throw new ClipNotNormalizedError(file, `it is not an MP4 we can read (${failure})`);
  const track = movie?.videoTracks[0];
  if (!movie || !track) throw new ClipNotNormalizedError(file, 'it has no MP4 video track');
  if (movie.isFragmented) throw new ClipNotNormalizedError(file, 'it is a fragmented MP4');
  const edits = track.edits ?? [];
  const [edit] = edits;
  if (edits.length > 1 || (edit && edit.media_time < 0)) {
    throw new ClipNotNormalizedError(file, 'its edit list does more than start the track');
  }
  return {
    samples: mp4.getTrackSamplesInfo(track.id),
    /** ffmpeg's demuxer starts the timeline at the edit's media time. */
    startTicks: edit?.media_time ?? 0,
    timescale: track.timescale,
  };
}
