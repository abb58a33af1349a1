import { SchedulerClient } from '@aws-sdk/client-scheduler';
import { httpHandler, readConfig } from '@reelay/lambda';
import { seriesScheduleConfig } from '../../config';
import { powertools } from '../../powertools';
import { publishBucketsConfig } from '../../publishing/s3-destination';
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
import { seriesRunConfig, seriesRunDeps } from '../../series/series-run-deps';

const config = readConfig({ ...seriesRunConfig, ...seriesScheduleConfig, ...publishBucketsConfig });
const deps: SeriesApiDeps = {
  ...seriesRunDeps(config),
  schedules: {
    scheduler: new SchedulerClient({}),
    busArn: config.EVENT_BUS_ARN,
    roleArn: config.SERIES_SCHEDULER_ROLE_ARN,
    namePrefix: config.SERIES_SCHEDULE_PREFIX,
  },
  publishBuckets: config.PUBLISH_BUCKETS,
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
