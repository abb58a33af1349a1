import { jobFailed } from './events/job-failed';
import { jobRequested } from './events/job-requested';
import { publishFailed } from './events/publish-failed';
import { scenePlanned } from './events/scene-planned';
import { sceneReady } from './events/scene-ready';
import { seriesRunDue } from './events/series-run-due';
import { videoComposed } from './events/video-composed';
import { videoPublished } from './events/video-published';

/** Every event of the system, in the order a job emits them. */
export const ALL_EVENTS = [
  jobRequested,
  scenePlanned,
  sceneReady,
  videoComposed,
  jobFailed,
  videoPublished,
  publishFailed,
  seriesRunDue,
] as const;
export type AnyEventDefinition = (typeof ALL_EVENTS)[number];
export type EventName = AnyEventDefinition['detailType'];
