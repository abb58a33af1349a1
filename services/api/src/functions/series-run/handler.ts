import { jobFailed, publishFailed, seriesRunDue, videoComposed, videoPublished } from '@reelay/events';
import { eventConsumer, readConfig } from '@reelay/lambda';
import { powertools } from '../../powertools';
import { handleSeriesEvent } from '../../series/series-events';
import { seriesRunConfig, seriesRunDeps } from '../../series/series-run-deps';

const deps = seriesRunDeps(readConfig(seriesRunConfig));

/**
 * A series advances by events: SeriesRunDue (its schedule) starts the next episode if the day's quota
 * allows; an episode's end (VideoComposed, JobFailed) starts the one after. Failures are retried, then
 * dead-lettered (SeriesRunDlq): no job is failed from here, an episode's job has its own outcome.
 */
export const handler = eventConsumer(
  powertools,
  [seriesRunDue, videoComposed, jobFailed, videoPublished, publishFailed],
  {},
  async (event, { logger }) => {
    const outcome = await handleSeriesEvent(event, deps);
    logger.info('series event handled', { detailType: event.type, outcome });
  },
);
