import {
  EventPublisher,
  jobFailed,
  publishFailed,
  SOURCES,
  seriesRunDue,
  videoComposed,
  videoPublished,
} from '@reelay/events';
import { dynamoDocumentClient, eventBridgeClient, eventConsumer, readConfig, s3Client } from '@reelay/lambda';
import { admissionConfig, apiTableConfig, busConfig, mediaConfig, quotaConfig } from '../../config';
import { powertools } from '../../powertools';
import { handleSeriesEvent } from '../../series/series-events';
import type { SeriesRunDeps } from '../../series/series-run';
import { uploadResolver } from '../../uploads/resolve-uploads';

const config = readConfig({
  ...busConfig,
  ...apiTableConfig,
  ...mediaConfig,
  ...quotaConfig,
  ...admissionConfig,
});
const doc = dynamoDocumentClient();
const deps: SeriesRunDeps = {
  doc,
  table: config.API_TABLE,
  publisher: new EventPublisher({
    client: eventBridgeClient(),
    busName: config.EVENT_BUS_NAME,
    source: SOURCES.api,
  }),
  quota: { unit: config.QUOTA_UNIT, perDay: config.QUOTA_PER_DAY },
  admission: { maxConcurrentJobs: config.MAX_CONCURRENT_JOBS },
  resolveUploads: uploadResolver({
    doc,
    table: config.API_TABLE,
    s3: s3Client(),
    mediaBucket: config.MEDIA_BUCKET,
  }),
};

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
