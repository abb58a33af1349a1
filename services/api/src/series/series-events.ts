import { GetCommand } from '@aws-sdk/lib-dynamodb';
import type { JobFailed, PublishFailed, SeriesRunDue, VideoComposed, VideoPublished } from '@reelay/events';
import type { ApiJob } from '../jobs/api-job';
import { API_JOB_SK, apiJobPk } from '../table/api-table';
import { dayInZone } from './series-day';
import { destinationCount, onEpisodePublication } from './series-publishing';
import { advanceSeries, onEpisodeJobEnded, readSeries, type SeriesRunDeps } from './series-run';

export type SeriesEvent =
  | { type: 'SeriesRunDue'; detail: SeriesRunDue }
  | { type: 'VideoComposed'; detail: VideoComposed }
  | { type: 'JobFailed'; detail: JobFailed }
  | { type: 'VideoPublished'; detail: VideoPublished }
  | { type: 'PublishFailed'; detail: PublishFailed };

/** What the series-run consumer does with each event it receives. */
export async function handleSeriesEvent(event: SeriesEvent, deps: SeriesRunDeps): Promise<string> {
  switch (event.type) {
    case 'SeriesRunDue': {
      const { userId, seriesId, scheduledTime } = event.detail;
      const series = await readSeries({ userId, seriesId }, deps);
      if (!series) return 'gone';
      // The run's day is its scheduled time's day in the series' zone: a replay counts in the same day.
      const day = dayInZone(new Date(scheduledTime), series.schedule.timeZone);
      return advanceSeries({ userId, seriesId }, day, deps);
    }
    case 'VideoComposed': {
      // An episode with destinations ends when its last destination reports (VideoPublished, PublishFailed).
      const { Item } = await deps.doc.send(
        new GetCommand({ TableName: deps.table, Key: { pk: apiJobPk(event.detail.jobId), sk: API_JOB_SK } }),
      );
      if (Item && destinationCount(Item as ApiJob) > 0) return 'awaiting-publication';
      return onEpisodeJobEnded(event.detail.jobId, { status: 'COMPLETED' }, deps);
    }
    case 'VideoPublished':
      return onEpisodePublication({ kind: 'published', detail: event.detail }, deps);
    case 'PublishFailed':
      return onEpisodePublication({ kind: 'failed', detail: event.detail }, deps);
    case 'JobFailed':
      return onEpisodeJobEnded(
        event.detail.jobId,
        { status: 'FAILED', failure: `${event.detail.stage}: ${event.detail.code}: ${event.detail.reason}` },
        deps,
      );
  }
}
