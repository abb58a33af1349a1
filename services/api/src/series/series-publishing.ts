import { GetCommand, UpdateCommand } from '@aws-sdk/lib-dynamodb';
import { destinationKey, type PublishFailed, type VideoPublished } from '@reelay/events';
import type { ApiJob } from '../jobs/api-job';
import { API_JOB_SK, apiJobPk, userPk } from '../table/api-table';
import { itemSk, seriesPk, seriesSk } from './series-records';
import {
  advanceSeries,
  endEpisode,
  type RunOutcome,
  readItem,
  readSeries,
  resumeDiedStart,
  type SeriesRunDeps,
} from './series-run';

/** How many destinations an episode's job publishes to (its spec's `publish`). */
export function destinationCount(job: Pick<ApiJob, 'spec'>): number {
  return (job.spec as { publish?: unknown[] }).publish?.length ?? 0;
}

/**
 * One destination of an episode reported (VideoPublished or PublishFailed): recorded on the item once
 * per destination; when every destination has reported, the episode ends and the series goes on. A
 * PublishFailed `quota-exceeded` stops the series for the rest of the episode's day (and says why), and
 * records the job in the series' `deferredJobs` (to publish again on a later day once PublishRequested
 * exists in libs/events: not yet).
 */
export async function onEpisodePublication(
  event: { kind: 'published'; detail: VideoPublished } | { kind: 'failed'; detail: PublishFailed },
  deps: SeriesRunDeps,
): Promise<RunOutcome | 'not-an-episode' | 'already-recorded'> {
  const { detail } = event;
  if (!detail.series) return 'not-an-episode';
  const series = await readSeries({ userId: detail.userId, seriesId: detail.series.seriesId }, deps);
  if (!series) return 'gone';
  const item = await readItem(series.seriesId, detail.series.itemId, deps);
  if (!item?.day) return 'not-an-episode';
  const key = destinationKey(detail.destination);
  const entry = {
    destination: key,
    ...(event.kind === 'published'
      ? { url: event.detail.url }
      : { failure: `${event.detail.reason}: ${event.detail.message}` }),
    at: detail.meta.occurredAt,
  };
  let firstReport = true;
  try {
    // Once per destination: a redelivered or replayed report finds its destination recorded.
    await deps.doc.send(
      new UpdateCommand({
        TableName: deps.table,
        Key: { pk: seriesPk(series.seriesId), sk: itemSk(item.itemId) },
        UpdateExpression:
          'SET published = list_append(if_not_exists(published, :empty), :entry) ADD reported :key',
        ConditionExpression: 'NOT contains(reported, :keyString)',
        ExpressionAttributeValues: {
          ':empty': [],
          ':entry': [entry],
          ':key': new Set([key]),
          ':keyString': key,
        },
      }),
    );
  } catch (error) {
    if ((error as { name?: string }).name !== 'ConditionalCheckFailedException') throw error;
    firstReport = false;
  }
  // Stopping for the day belongs to the report that recorded the spent quota (a replay days later must
  // not stop today). What follows the record, ending the episode and starting the next, is done again
  // for a redelivered report, each step once by its own condition: the first delivery may have died
  // after the record.
  if (firstReport && event.kind === 'failed' && event.detail.reason === 'quota-exceeded')
    await stopForTheDay(
      series.userId,
      series.seriesId,
      item.day,
      `${key}: ${event.detail.message}`,
      detail.jobId,
      deps,
    );
  const { Item: job } = await deps.doc.send(
    new GetCommand({ TableName: deps.table, Key: { pk: apiJobPk(detail.jobId), sk: API_JOB_SK } }),
  );
  const reported = ((await readItem(series.seriesId, item.itemId, deps))?.published ?? []).length;
  if (!job || reported < destinationCount(job as ApiJob))
    return firstReport ? 'in-flight' : 'already-recorded';
  if (await endEpisode(series, item.itemId, 'COMPLETED', deps))
    return advanceSeries({ userId: series.userId, seriesId: series.seriesId }, item.day, deps);
  // Ended already: resume a next episode whose start died after its claim (onEpisodeJobEnded does the same).
  return (await resumeDiedStart(series, deps)) ? 'started' : 'already-recorded';
}

async function stopForTheDay(
  userId: string,
  seriesId: string,
  day: string,
  reason: string,
  deferredJobId: string,
  deps: SeriesRunDeps,
): Promise<void> {
  await deps.doc.send(
    new UpdateCommand({
      TableName: deps.table,
      Key: { pk: userPk(userId), sk: seriesSk(seriesId) },
      UpdateExpression: 'SET stoppedDay = :day, stoppedReason = :reason ADD deferredJobs :job',
      ConditionExpression: 'attribute_exists(pk)',
      ExpressionAttributeValues: {
        ':day': day,
        ':reason': `a destination's upload quota is spent (${reason}); the series goes on tomorrow`.slice(
          0,
          1000,
        ),
        ':job': new Set([deferredJobId]),
      },
    }),
  );
}
