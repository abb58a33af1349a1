/** What we know about a media file after ffprobe has read its header. */
export interface MediaProbe {
  /** ffprobe's demuxer name, e.g. "mov,mp4,m4a,3gp,3g2,mj2" or "png_pipe". */
  formatName: string;
  /** Container duration; 0 when the container has none (a still image). */
  durationSec: number;
  bytes: number;
  bitRate?: number;
  /** True for single-image containers (PNG, JPEG, WebP): placed as a still, not a clip. */
  still: boolean;
  video?: VideoStreamProbe;
  audio?: AudioStreamProbe;
  streamCount: number;
}

export interface VideoStreamProbe {
  codec: string;
  /** Coded size; see `rotation` for how it is displayed. */
  width: number;
  height: number;
  fps: number;
  pixFmt: string;
  durationSec?: number;
  /** Clockwise display rotation in degrees: 0, 90, 180 or 270. */
  rotation: number;
}

export interface AudioStreamProbe {
  codec: string;
  sampleRate: number;
  channels: number;
  durationSec?: number;
}

/** The size a player shows (ffmpeg auto-rotates the same way when decoding). */
export function displaySize(video: VideoStreamProbe): { width: number; height: number } {
  const quarterTurn = video.rotation === 90 || video.rotation === 270;
  return quarterTurn
    ? { width: video.height, height: video.width }
    : { width: video.width, height: video.height };
}
