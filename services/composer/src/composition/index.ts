export { ClipNotNormalizedError } from './clip-packets';
export type { ComposedTimeline, ComposeTimelineRequest } from './compose-timeline';
export { composeTimeline } from './compose-timeline';
export type { NormalizeClipRequest, NormalizedClip } from './normalize-clip';
export { normalizeClip } from './normalize-clip';
export type { OutputFormat, TransitionStyle } from './output-format';
export {
  assertOutputFormat,
  InvalidOutputFormatError,
  isHardCut,
  transitionKeyframeTimes,
} from './output-format';
export type { ThumbnailRequest } from './thumbnail';
export { makeThumbnail, thumbnailTimeSec } from './thumbnail';
export type { TimelineSegment } from './timeline-plan';
export { planTimeline, timelineFrames } from './timeline-plan';
