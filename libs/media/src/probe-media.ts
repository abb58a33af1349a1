import { stat } from 'node:fs/promises';
import { z } from 'zod';
import { FfmpegFailedError, MediaProbeError, MediaRejectedError } from './errors';
import { defaultFfprobe, type FfmpegBinaries } from './find-ffmpeg';
import { ALLOWED_DEMUXERS, isStillDemuxer } from './media-caps';
import type { AudioStreamProbe, MediaProbe, VideoStreamProbe } from './media-probe';
import { runTool } from './run-tool';
import { sniffRefusedContainer } from './sniff-container';

// ffprobe prints most numbers as strings and leaves out what it does not know.
const numeric = z.union([z.string(), z.number()]).optional();

const ffprobeStreamSchema = z.object({
  codec_type: z.string().optional(),
  codec_name: z.string().optional(),
  width: z.number().int().optional(),
  height: z.number().int().optional(),
  pix_fmt: z.string().optional(),
  avg_frame_rate: z.string().optional(),
  r_frame_rate: z.string().optional(),
  duration: numeric,
  sample_rate: numeric,
  channels: z.number().int().optional(),
  disposition: z.object({ attached_pic: z.number().optional() }).optional(),
  tags: z.record(z.string(), z.string()).optional(),
  side_data_list: z.array(z.object({ rotation: z.number().optional() })).optional(),
});

const ffprobeOutputSchema = z.object({
  streams: z.array(ffprobeStreamSchema).default([]),
  format: z.object({
    format_name: z.string(),
    duration: numeric,
    size: numeric,
    bit_rate: numeric,
    nb_streams: z.number().int().optional(),
  }),
});

type FfprobeStream = z.infer<typeof ffprobeStreamSchema>;

export interface ProbeOptions {
  /** Demuxers ffprobe may use; anything else is refused before its header is read. */
  allowedDemuxers?: readonly string[];
  signal?: AbortSignal;
  timeoutMs?: number;
  binaries?: FfmpegBinaries;
}

/**
 * Reads a local file's container and first video/audio streams with ffprobe (header only:
 * -show_format -show_streams, never -count_frames). Playlists are refused by their first bytes
 * and other containers by ffprobe's -format_whitelist, both before anything they list is opened.
 * Throws MediaRejectedError for media ffprobe refuses or cannot read.
 */
export async function probeMedia(file: string, opts: ProbeOptions = {}): Promise<MediaProbe> {
  const { allowedDemuxers = ALLOWED_DEMUXERS, signal, timeoutMs = 30_000, binaries } = opts;
  await sniffRefusedContainer(file);
  const { size } = await stat(file);
  // biome-ignore format: ffmpeg flags and their values read as pairs, one pair a line
  const args = [
    '-hide_banner',
    '-v', 'error',
    '-protocol_whitelist', 'file',
    '-format_whitelist', allowedDemuxers.join(','),
    '-show_format',
    '-show_streams',
    '-of', 'json',
    file,
  ];
  // Only ffprobe: a bundle that probes (the api's) carries no ffmpeg.
  const ffprobe = binaries?.ffprobe ?? defaultFfprobe();
  let stdout: string;
  try {
    ({ stdout } = await runTool('ffprobe', ffprobe, args, {
      captureStdout: true,
      timeoutMs,
      ...(signal ? { signal } : {}),
    }));
  } catch (error) {
    throw error instanceof FfmpegFailedError ? refusalFrom(error.stderrTail) : error;
  }
  return toMediaProbe(file, parseFfprobeJson(file, stdout), size);
}

function parseFfprobeJson(file: string, stdout: string): z.infer<typeof ffprobeOutputSchema> {
  let json: unknown;
  try {
    json = JSON.parse(stdout);
  } catch {
    throw new MediaProbeError(file, 'not JSON');
  }
  const parsed = ffprobeOutputSchema.safeParse(json);
  if (!parsed.success) {
    // ffprobe prints `{}` for files it opened but could not describe.
    throw new MediaRejectedError('the file is not a readable video, image or audio file');
  }
  return parsed.data;
}

function refusalFrom(stderr: string): MediaRejectedError {
  const refusedDemuxer = /\[([\w,]+) @ [^\]]*\] Format not on whitelist/.exec(stderr)?.[1];
  if (refusedDemuxer) {
    return new MediaRejectedError(
      `the container ${refusedDemuxer} is not accepted; use MP4, MOV, WebM, MKV, PNG, JPEG, WebP, WAV, MP3, Ogg, FLAC or AAC`,
    );
  }
  return new MediaRejectedError('the file is not a readable video, image or audio file');
}

function toMediaProbe(
  file: string,
  output: z.infer<typeof ffprobeOutputSchema>,
  fileBytes: number,
): MediaProbe {
  const { format, streams } = output;
  // Cover art in MP3/M4A is a one-frame "video" stream; it is not the picture of the media.
  const videoStream = streams.find((s) => s.codec_type === 'video' && s.disposition?.attached_pic !== 1);
  const audioStream = streams.find((s) => s.codec_type === 'audio');
  const video = videoStream ? toVideo(file, videoStream) : undefined;
  const audio = audioStream ? toAudio(audioStream) : undefined;
  const bitRate = toNumber(format.bit_rate);
  return {
    formatName: format.format_name,
    durationSec: toNumber(format.duration) ?? 0,
    bytes: toNumber(format.size) ?? fileBytes,
    ...(bitRate === undefined ? {} : { bitRate }),
    still: isStillDemuxer(format.format_name),
    ...(video ? { video } : {}),
    ...(audio ? { audio } : {}),
    streamCount: format.nb_streams ?? streams.length,
  };
}

function toVideo(file: string, stream: FfprobeStream): VideoStreamProbe {
  if (stream.width === undefined || stream.height === undefined) {
    throw new MediaProbeError(file, 'video stream without a size');
  }
  const durationSec = toNumber(stream.duration);
  return {
    codec: stream.codec_name ?? 'unknown',
    width: stream.width,
    height: stream.height,
    fps: frameRate(stream.avg_frame_rate) ?? frameRate(stream.r_frame_rate) ?? 0,
    pixFmt: stream.pix_fmt ?? 'unknown',
    ...(durationSec === undefined ? {} : { durationSec }),
    rotation: rotationOf(stream),
  };
}

function toAudio(stream: FfprobeStream): AudioStreamProbe {
  const durationSec = toNumber(stream.duration);
  return {
    codec: stream.codec_name ?? 'unknown',
    sampleRate: toNumber(stream.sample_rate) ?? 0,
    channels: stream.channels ?? 0,
    ...(durationSec === undefined ? {} : { durationSec }),
  };
}

function rotationOf(stream: FfprobeStream): number {
  const fromMatrix = stream.side_data_list?.find((side) => side.rotation !== undefined)?.rotation;
  // A display matrix's rotation is counter-clockwise; the legacy `rotate` tag is clockwise.
  const clockwise = fromMatrix !== undefined ? -fromMatrix : (toNumber(stream.tags?.rotate) ?? 0);
  return (((Math.round(clockwise / 90) * 90) % 360) + 360) % 360;
}

function frameRate(ratio: string | undefined): number | undefined {
  const [num, den] = (ratio ?? '').split('/').map(Number);
  if (
    num === undefined ||
    den === undefined ||
    !Number.isFinite(num) ||
    !Number.isFinite(den) ||
    num <= 0 ||
    den <= 0
  ) {
    return undefined;
  }
  return num / den;
}

function toNumber(value: string | number | undefined): number | undefined {
  if (value === undefined || value === 'N/A') return undefined;
  const n = typeof value === 'number' ? value : Number(value);
  return Number.isFinite(n) ? n : undefined;
}
