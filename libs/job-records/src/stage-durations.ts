import type { StageDurations, TimelineEntry } from './job-record';

const seconds = (from: string | undefined, to: string | undefined) =>
  from && to ? Math.max(0, (Date.parse(to) - Date.parse(from)) / 1000) : undefined;

const first = (times: string[]) => [...times].sort()[0];
const last = (times: string[]) => [...times].sort().at(-1);

/**
 * queued -> planned (first ScenePlanned), planned -> rendered (last SceneReady), rendered -> composed
 * (VideoComposed), derived from the timeline, so any arrival order gives the same durations.
 */
export function stageDurations(timeline: readonly TimelineEntry[]): StageDurations {
  const times = (type: string) => timeline.filter((t) => t.detailType === type).map((t) => t.occurredAt);
  const requested = first(times('JobRequested'));
  const planned = first(times('ScenePlanned'));
  const rendered = last(times('SceneReady'));
  const composed = first(times('VideoComposed'));
  const durations: StageDurations = {};
  const set = (key: keyof StageDurations, value: number | undefined) => {
    if (value !== undefined) durations[key] = value;
  };
  set('queuedToPlannedSec', seconds(requested, planned));
  set('plannedToRenderedSec', seconds(planned, rendered));
  set('renderedToComposedSec', seconds(rendered, composed));
  set('totalSec', seconds(requested, composed));
  return durations;
}
