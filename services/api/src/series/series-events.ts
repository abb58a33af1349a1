import type { JobFailed, SeriesRunDue, VideoComposed } from '@reelay/events';
import { dayInZone } from './series-day';
import { advanceSeries, onEpisodeJobEnded, readSeries, type SeriesRunDeps } from './series-run';

export type SeriesEvent =
  | { type: 'SeriesRunDue'; detail: SeriesRunDue }
  | { type: 'VideoComposed'; detail: VideoComposed }
  | { type: 'JobFailed'; detail: JobFailed };

/** What the series-run consumer does with each event it receives. */
export async function handleSeriesEvent(event: SeriesEvent, deps: SeriesRunDeps): Promise<string> {
  switch (event.type) {
    case 'SeriesRunDue': {
      const { userId, seriesId, scheduledTime } = event.detail;
      const series = await readSeries({ userId, seriesId }, deps);
      if (!series) return 'gone';
      // The run's day is its scheduled time's day in the series' zone: a replay counts in the same day.
      return advanceSeries(
        { userId, seriesId },
        dayInZone(new Date(scheduledTime), series.schedule.timeZone),
        deps,
      );
    }
    case 'VideoComposed': {
      // An episode with destinations ends when publishing reports its last destination (not yet wired:
      // until then every episode ends with its video).
      return onEpisodeJobEnded(event.detail.jobId, { status: 'COMPLETED' }, deps);
    }
    case 'JobFailed':
      return onEpisodeJobEnded(
        event.detail.jobId,
        { status: 'FAILED', failure: `${event.detail.stage}: ${event.detail.code}: ${event.detail.reason}` },
        deps,
      );
  }
}
