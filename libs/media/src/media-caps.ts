import { MediaRejectedError } from './errors';
import { displaySize, type MediaProbe } from './media-probe';

/**
 * Demuxers we accept, as ffmpeg names them (ffprobe's format_name is a comma list of these).
 * Video: MP4/MOV family, Matroska/WebM. Stills: PNG, JPEG, WebP (image2 is the demuxer ffmpeg
 * picks by extension for a single image). Audio: WAV, MP3, Ogg, FLAC, ADTS AAC (M4A is in the
 * MOV family). Anything else (playlists, concat lists, network formats, exotic demuxers with a
 * larger attack surface: AVI, MPEG-TS, GIF, …) is refused; widen deliberately.
 */
// biome-ignore format: demuxer families (as ffprobe names them) one a line
export const ALLOWED_DEMUXERS: readonly string[] = [
  'mov', 'mp4', 'm4a', '3gp', '3g2', 'mj2',
  'matroska', 'webm',
  'png_pipe', 'jpeg_pipe', 'webp_pipe', 'image2',
  'wav', 'mp3', 'ogg', 'flac', 'aac',
];

/** Demuxers that are lists of other files or URLs, named so the refusal can say so. */
const PLAYLIST_DEMUXERS: readonly string[] = [
  'hls',
  'applehttp',
  'dash',
  'concat',
  'ffmetadata',
  'tee',
  'smil',
];

const STILL_DEMUXERS: readonly string[] = ['png_pipe', 'jpeg_pipe', 'webp_pipe', 'image2'];

export interface MediaCaps {
  maxWidth: number;
  maxHeight: number;
  maxDurationSec: number;
  maxBytes: number;
  maxStreams: number;
  maxFps: number;
  allowedDemuxers: readonly string[];
}

export const DEFAULT_MEDIA_CAPS: MediaCaps = {
  maxWidth: 4096,
  maxHeight: 4096,
  maxDurationSec: 600,
  maxBytes: 1024 * 1024 * 1024,
  // Phones write video, audio and a few metadata tracks; more than this is not a clip.
  maxStreams: 8,
  maxFps: 240,
  allowedDemuxers: ALLOWED_DEMUXERS,
};

export function demuxerNames(formatName: string): string[] {
  return formatName
    .split(',')
    .map((name) => name.trim())
    .filter(Boolean);
}

export function isStillDemuxer(formatName: string): boolean {
  return demuxerNames(formatName).some((name) => STILL_DEMUXERS.includes(name));
}

/** Throws MediaRejectedError, with a reason a person can act on, unless the probe is within caps. */
export function checkMediaAllowed(probe: MediaProbe, caps: MediaCaps = DEFAULT_MEDIA_CAPS): void {
  const names = demuxerNames(probe.formatName);
  if (names.some((name) => PLAYLIST_DEMUXERS.includes(name))) {
    reject(`the file is a playlist or list of files (${probe.formatName}); upload the media file itself`);
  }
  if (!names.some((name) => caps.allowedDemuxers.includes(name))) {
    reject(
      `the container ${probe.formatName} is not accepted; use MP4, MOV, WebM, MKV, PNG, JPEG, WebP, WAV, MP3, Ogg, FLAC or AAC`,
    );
  }
  if (probe.streamCount > caps.maxStreams) {
    reject(`the file has ${probe.streamCount} streams; at most ${caps.maxStreams} are accepted`);
  }
  if (probe.bytes > caps.maxBytes) {
    reject(`the file is ${mib(probe.bytes)} MiB; at most ${mib(caps.maxBytes)} MiB is accepted`);
  }
  if (!probe.video && !probe.audio) reject('the file has neither a video nor an audio stream');
  if (probe.video) {
    const { width, height } = displaySize(probe.video);
    if (width <= 0 || height <= 0) {
      reject(
        `the picture size could not be read (a damaged file, or a picture too large to decode); at most ${caps.maxWidth}x${caps.maxHeight} is accepted`,
      );
    }
    if (width > caps.maxWidth || height > caps.maxHeight) {
      reject(
        `the picture is ${width}x${height}; at most ${caps.maxWidth}x${caps.maxHeight} is accepted, scale it down first`,
      );
    }
    if (!probe.still && probe.video.fps > caps.maxFps) {
      reject(`the video runs at ${probe.video.fps} fps; at most ${caps.maxFps} is accepted`);
    }
  }
  if (!probe.still) {
    if (!(probe.durationSec > 0)) reject('the file does not say how long it is; re-export it as MP4');
    if (probe.durationSec > caps.maxDurationSec) {
      reject(
        `the file lasts ${probe.durationSec.toFixed(1)} s; at most ${caps.maxDurationSec} s is accepted, trim it first`,
      );
    }
  }
}

function reject(reason: string): never {
  throw new MediaRejectedError(reason);
}

function mib(bytes: number): string {
  return (bytes / (1024 * 1024)).toFixed(1);
}
