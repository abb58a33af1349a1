/**
 * The one H.264 configuration of Reelay's intermediate clips. The composer's smart render joins
 * packets from clips it normalized and clips the local video model rendered, and its prepare step
 * stream-copies a clip only when the clip's SPS/PPS equal its own: both must encode with exactly
 * these settings, so they live here once. No B-frames: every packet's DTS equals its PTS, so the
 * concat demuxer's outpoint (which compares DTS) cuts exactly at the frame (docs/architecture.md, ffmpeg 5.1 trap 4).
 */
export function intermediateX264Args(fps: number): string[] {
  // biome-ignore format: ffmpeg flags and their values read as pairs, one pair a line
  return [
    '-c:v', 'libx264',
    '-preset', 'veryfast',
    '-crf', '23',
    '-profile:v', 'high',
    '-pix_fmt', 'yuv420p',
    '-bf', '0',
    '-g', String(Math.max(1, Math.round(fps))),
  ];
}
