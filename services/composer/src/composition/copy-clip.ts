import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { ALLOWED_DEMUXERS, defaultFfmpegBinaries, fileInput, runFfmpeg, runTool } from '@reelay/media';
import { silentAudioSource } from './clip-filters';
import { ClipNotNormalizedError, checkClipCopyable } from './clip-packets';
import { frameRate, intermediateAudioArgs, intermediateVideoArgs, samplesForFrames } from './encoding';
import type { NormalizeClipRequest, NormalizedClip } from './normalize-clip';
import { framesFor, type OutputFormat, secondsFor } from './output-format';

/**
 * The fast path of preparing a clip: when a scene already is what normalizeClip would make of it
 * (H.264 in the job's size and rate, no B-frames, keyframes at the cut points, exactly the frames
 * the timeline needs, and the same SPS/PPS as our own intermediates, so its packets can be
 * concatenated with the transition segments), its picture is stream-copied and only the silent
 * sound track is added. The local video model renders this way. Returns undefined whenever any
 * check fails; the caller then re-encodes with normalizeClip.
 */
export async function copyIfNormalized(request: NormalizeClipRequest): Promise<NormalizedClip | undefined> {
  const { input, output, format, probe, durationSec, keyframeTimesSec, signal, timeoutMs } = request;
  const video = probe.video;
  // The picture alone: sound of its own needs loudness normalization and other streams dropping,
  // which is normalizeClip's job.
  if (probe.still || !video || probe.streamCount !== 1) return undefined;
  if (!probe.formatName.split(',').includes('mp4')) return undefined;
  if (video.codec !== 'h264' || video.pixFmt !== 'yuv420p' || video.rotation !== 0) return undefined;
  if (video.width !== format.width || video.height !== format.height) return undefined;
  if (Math.abs(video.fps - format.fps) > 1e-6) return undefined;

  const frames = framesFor(durationSec, format);
  const cutFrames = keyframeTimesSec.map((t) => framesFor(t, format)).filter((n) => n > 0 && n < frames);
  try {
    const packets = await checkClipCopyable(input, frames, [0, ...cutFrames], format, signal);
    if (packets.frames !== frames) return undefined;
  } catch (error) {
    if (error instanceof ClipNotNormalizedError) return undefined;
    throw error;
  }
  // SPS/PPS carry the size, profile, level, VUI (SAR, colour) and frame numbering (from the GOP):
  // equal parameter sets are what lets the concat demuxer join these packets with our own.
  const [clipHeaders, ourHeaders] = await Promise.all([
    extradataOf(input, signal),
    intermediateExtradata(format, signal),
  ]);
  if (clipHeaders === undefined || clipHeaders !== ourHeaders) return undefined;

  // biome-ignore format: ffmpeg flags and their values read as pairs, one pair a line
  const run = await runFfmpeg(
    [
      ...fileInput(input, { formats: ALLOWED_DEMUXERS }),
      '-filter_complex', `${silentAudioSource(samplesForFrames(frames, format))}[a]`,
      '-map', '0:v:0',
      '-map', '[a]',
      '-c:v', 'copy',
      ...intermediateAudioArgs(),
      '-map_metadata', '-1',
      '-f', 'mp4',
      output,
    ],
    { ...(signal ? { signal } : {}), ...(timeoutMs === undefined ? {} : { timeoutMs }) },
  );
  return {
    file: output,
    durationSec: secondsFor(frames, format),
    frames,
    normalizeMs: run.durationMs,
    copied: true,
    // Only a clip without sound is copied: it gets a silent track.
    silent: true,
    ...(run.peakRssKb === undefined ? {} : { peakRssKb: run.peakRssKb }),
  };
}

/** The H.264 parameter sets (avcC) of a file's first video stream, as ffprobe's hex dump. */
async function extradataOf(file: string, signal: AbortSignal | undefined): Promise<string | undefined> {
  // biome-ignore format: ffmpeg flags and their values read as pairs, one pair a line
  const { stdout } = await runTool(
    'ffprobe',
    defaultFfmpegBinaries().ffprobe,
    [
      '-v', 'error',
      '-protocol_whitelist', 'file',
      '-select_streams', 'v:0',
      '-show_entries', 'stream=extradata',
      '-show_data',
      '-of', 'json',
      file,
    ],
    { captureStdout: true, timeoutMs: 30_000, ...(signal ? { signal } : {}) },
  );
  const parsed = JSON.parse(stdout) as { streams?: Array<{ extradata?: unknown }> };
  const extradata = parsed.streams?.[0]?.extradata;
  return typeof extradata === 'string' && extradata.length > 0 ? extradata : undefined;
}

/** Our intermediates' parameter sets for a format: two frames encoded once, then remembered. */
const intermediateHeaders = new Map<string, Promise<string | undefined>>();

function intermediateExtradata(
  format: OutputFormat,
  signal: AbortSignal | undefined,
): Promise<string | undefined> {
  const key = `${format.width}x${format.height}@${format.fps}`;
  const known = intermediateHeaders.get(key);
  if (known) return known;
  const made = encodeReference(format, signal);
  intermediateHeaders.set(key, made);
  // A failed or aborted reference is not remembered: the next clip tries again.
  made.catch(() => intermediateHeaders.delete(key));
  return made;
}

async function encodeReference(
  format: OutputFormat,
  signal: AbortSignal | undefined,
): Promise<string | undefined> {
  const dir = await mkdtemp(join(tmpdir(), 'intermediate-headers-'));
  try {
    const file = join(dir, 'reference.mp4');
    // biome-ignore format: ffmpeg flags and their values read as pairs, one pair a line
    await runFfmpeg(
      [
        '-f', 'lavfi',
        '-i', `color=c=black:s=${format.width}x${format.height}:r=${frameRate(format)},setsar=1,format=yuv420p,trim=end_frame=2`,
        ...intermediateVideoArgs(format),
        '-an',
        '-f', 'mp4',
        file,
      ],
      { allowLavfi: true, ...(signal ? { signal } : {}) },
    );
    return await extradataOf(file, signal);
  } finally {
    await rm(dir, { recursive: true, force: true });
  }
}
