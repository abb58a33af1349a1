export type { CaptionCue, CaptionsRequest } from './captions';
export {
  assScriptText,
  captionCues,
  cleanCaption,
  UnsafeCaptionPathError,
  webvttText,
  wrapCaption,
} from './captions';
export type { TimelineChunk } from './chunk-plan';
export { isChunked, planChunks } from './chunk-plan';
export type {
  ChunkedComposition,
  ChunkRenderRequest,
  JoinChunksRequest,
  RenderedChunk,
} from './chunked-compose';
export { composeChunked, joinChunks, renderChunk } from './chunked-compose';
export { ClipNotNormalizedError } from './clip-packets';
export type { ComposedTimeline, ComposeTimelineRequest } from './compose-timeline';
export { composeTimeline } from './compose-timeline';
export { copyIfNormalized } from './copy-clip';
export type { LoudnessMeasurement } from './loudness';
export { LOUDNESS_TARGET, parseLoudnessReport } from './loudness';
export type { NormalizeAudioRequest, NormalizedAudio } from './normalize-audio';
export { normalizeAudio } from './normalize-audio';
export type { NormalizeClipRequest, NormalizedClip } from './normalize-clip';
export { normalizeClip } from './normalize-clip';
export type { OutputFormat, TransitionStyle } from './output-format';
export {
  assertOutputFormat,
  InvalidOutputFormatError,
  isHardCut,
  transitionKeyframeTimes,
} from './output-format';
export type { RenderedSoundtrack, SoundtrackRequest, VoiceTrack } from './soundtrack';
export { renderSoundtrack, soundtrackMixArgs } from './soundtrack';
export type { ThumbnailRequest } from './thumbnail';
export { makeThumbnail, thumbnailSource, thumbnailTimeSec } from './thumbnail';
export type { TimelineSegment } from './timeline-plan';
export { planTimeline, timelineFrames } from './timeline-plan';
