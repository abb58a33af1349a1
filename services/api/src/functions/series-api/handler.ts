import { SchedulerClient } from '@aws-sdk/client-scheduler';
import { EventPublisher, SOURCES } from '@reelay/events';
import { dynamoDocumentClient, eventBridgeClient, httpHandler, readConfig, s3Client } from '@reelay/lambda';
import {
  admissionConfig,
  apiTableConfig,
  busConfig,
  mediaConfig,
  quotaConfig,
  seriesScheduleConfig,
} from '../../config';
import { powertools } from '../../powertools';
import {
  appendItems,
  createSeries,
  deleteSeries,
  getSeries,
  listEpisodes,
  listSeries,
  type SeriesApiDeps,
  updateSeries,
} from '../../series/series-api';
import { uploadResolver } from '../../uploads/resolve-uploads';

const config = readConfig({
  ...busConfig,
  ...apiTableConfig,
  ...mediaConfig,
  ...quotaConfig,
  ...admissionConfig,
  ...seriesScheduleConfig,
});
const doc = dynamoDocumentClient();
const deps: SeriesApiDeps = {
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
  schedules: {
    scheduler: new SchedulerClient({}),
    busArn: config.EVENT_BUS_ARN,
    roleArn: config.SERIES_SCHEDULER_ROLE_ARN,
    namePrefix: config.SERIES_SCHEDULE_PREFIX,
  },
};

/** The series routes: a series makes its episodes on its schedule, within its daily quota (src/series). */
export const handler = httpHandler(powertools, {
  'POST /series': (userId, event) => createSeries(userId, event, deps),
  'GET /series': (userId) => listSeries(userId, deps),
  'GET /series/{seriesId}': (userId, event) => getSeries(userId, event.pathParameters?.seriesId, deps),
  'PATCH /series/{seriesId}': (userId, event) =>
    updateSeries(userId, event.pathParameters?.seriesId, event, deps),
  'DELETE /series/{seriesId}': (userId, event) => deleteSeries(userId, event.pathParameters?.seriesId, deps),
  'POST /series/{seriesId}/items': (userId, event) =>
    appendItems(userId, event.pathParameters?.seriesId, event, deps),
  'GET /series/{seriesId}/episodes': (userId, event) =>
    listEpisodes(userId, event.pathParameters?.seriesId, deps),
});
