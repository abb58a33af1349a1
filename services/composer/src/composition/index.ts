export { normalizeClip } from './normalize-clip';
export type { NormalizeClipRequest, NormalizedClip } from './normalize-clip';
export { composeTimeline } from './compose-timeline';
export type { ComposeTimelineRequest, ComposedTimeline } from './compose-timeline';
export { makeThumbnail, thumbnailTimeSec } from './thumbnail';
export type { ThumbnailRequest } from './thumbnail';
export { ClipNotNormalizedError } from './clip-packets';
export {
  assertOutputFormat,
  InvalidOutputFormatError,
  isHardCut,
  transitionKeyframeTimes,
} from './output-format';
export type { OutputFormat, TransitionStyle } from './output-format';
export { planTimeline, timelineFrames } from './timeline-plan';
export type { TimelineSegment } from './timeline-plan';
