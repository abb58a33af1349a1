export { intermediateX264Args } from './clip-encoding';
export * from './errors';
export type { InputPolicy } from './ffmpeg-args';
export { enforceInputPolicy, fileInput, GLOBAL_FFMPEG_ARGS, UnsafeFfmpegArgsError } from './ffmpeg-args';
export type { FfmpegBinaries, FfmpegLookup } from './find-ffmpeg';
export {
  defaultFfmpegBinaries,
  defaultFfprobe,
  ffmpegInstallCommand,
  findFfmpeg,
  findFfprobe,
  systemLookup,
} from './find-ffmpeg';
export { extractLastFrame } from './last-frame';
export type { MediaCaps } from './media-caps';
export {
  ALLOWED_DEMUXERS,
  checkMediaAllowed,
  DEFAULT_MEDIA_CAPS,
  demuxerNames,
  isStillDemuxer,
} from './media-caps';
export type { AudioStreamProbe, MediaProbe, VideoStreamProbe } from './media-probe';
export { displaySize } from './media-probe';
export type { ProbeOptions } from './probe-media';
export { probeMedia } from './probe-media';
export type { FfmpegRun, RunFfmpegOptions } from './run-ffmpeg';
export { runFfmpeg } from './run-ffmpeg';
export type { RunToolOptions, ToolRun } from './run-tool';
export { runTool } from './run-tool';
export { sniffRefusedContainer } from './sniff-container';
