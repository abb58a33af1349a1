import { TransactionCanceledException } from '@aws-sdk/client-dynamodb';
import { GetCommand, TransactWriteCommand, UpdateCommand } from '@aws-sdk/lib-dynamodb';
import { HttpProblemError } from '@reelay/lambda';
import { type AcceptJobDeps, acceptJob } from '../jobs/accept-job';
import type { ApiJob } from '../jobs/api-job';
import { styleReferencesOf, type UploadResolver } from '../jobs/submit-job';
import { API_JOB_SK, apiJobPk, userPk } from '../table/api-table';
import {
  daySk,
  type EpisodeStatus,
  itemIdOf,
  itemSk,
  type SeriesDeps,
  type SeriesItemRecord,
  type SeriesRecord,
  seriesPk,
  seriesSk,
} from './series-records';
import { episodeSpec } from './series-template';

export interface SeriesRunDeps extends SeriesDeps, AcceptJobDeps {
  resolveUploads: UploadResolver;
}

export type RunOutcome =
  | 'started'
  | 'in-flight'
  | 'paused'
  | 'stopped-for-the-day'
  | 'waiting-for-items'
  | 'quota-reached'
  | 'contended'
  | 'gone';

/** Episodes one run may start in a row when each fails at once (a spec that no longer validates). */
const MAX_IMMEDIATE_FAILURES = 25;

/**
 * Moves a series on by one episode, counted in `day` (the series' zone): if no episode is being made,
 * the series is active, not stopped for the day, has an unclaimed item and `day` is under its quota,
 * it claims the next item and starts its job. Claiming is one transaction with conditions (the
 * cursor still where it was read, nothing in flight, the day's count under the quota, the item not
 * claimed), so concurrent and duplicated runs never start more than the quota nor an item twice;
 * the job's Idempotency-Key is the series and item, so a retried start makes the same job.
 */
export async function advanceSeries(
  ref: { userId: string; seriesId: string },
  day: string,
  deps: SeriesRunDeps,
): Promise<RunOutcome> {
  for (let failures = 0; failures < MAX_IMMEDIATE_FAILURES; failures++) {
    const series = await readSeries(ref, deps);
    if (!series) return 'gone';
    if (series.inFlight) {
      const resumed = await resumeDiedStart(series, deps);
      if (resumed === undefined) return 'in-flight';
      if (resumed) return 'started';
      continue;
    }
    if (series.state !== 'active') return 'paused';
    if (series.stoppedDay === day) return 'stopped-for-the-day';
    if (series.cursor >= series.itemCount) return 'waiting-for-items';
    const claimed = await claimNextItem(series, day, deps);
    if (claimed !== 'claimed') return claimed;
    const item = await readItem(series.seriesId, itemIdOf(series.cursor), deps);
    if (!item) return 'gone';
    if (await startEpisode(series, item, deps)) return 'started';
  }
  return 'started';
}

async function claimNextItem(
  series: SeriesRecord,
  day: string,
  deps: SeriesRunDeps,
): Promise<'claimed' | 'quota-reached' | 'contended'> {
  const itemId = itemIdOf(series.cursor);
  const now = (deps.now?.() ?? new Date()).toISOString();
  try {
    await deps.doc.send(
      new TransactWriteCommand({
        TransactItems: [
          {
            Update: {
              TableName: deps.table,
              Key: { pk: userPk(series.userId), sk: seriesSk(series.seriesId) },
              UpdateExpression: 'SET #cursor = :next, inFlight = :item',
              ConditionExpression:
                '#cursor = :cursor AND attribute_not_exists(inFlight) AND #state = :active AND (attribute_not_exists(stoppedDay) OR stoppedDay <> :day) AND itemCount > :cursor',
              ExpressionAttributeNames: { '#state': 'state', '#cursor': 'cursor' },
              ExpressionAttributeValues: {
                ':next': series.cursor + 1,
                ':cursor': series.cursor,
                ':item': itemId,
                ':active': 'active',
                ':day': day,
              },
            },
          },
          {
            Update: {
              TableName: deps.table,
              Key: { pk: seriesPk(series.seriesId), sk: daySk(day) },
              UpdateExpression: 'ADD #count :one',
              ConditionExpression: 'attribute_not_exists(#count) OR #count < :quota',
              ExpressionAttributeNames: { '#count': 'count' },
              ExpressionAttributeValues: { ':one': 1, ':quota': series.dailyQuota },
            },
          },
          {
            Update: {
              TableName: deps.table,
              Key: { pk: seriesPk(series.seriesId), sk: itemSk(itemId) },
              UpdateExpression: 'SET #status = :starting, #day = :day, startedAt = :now',
              ConditionExpression: 'attribute_exists(pk) AND #status = :pending',
              ExpressionAttributeNames: { '#status': 'status', '#day': 'day' },
              ExpressionAttributeValues: {
                ':starting': 'STARTING',
                ':pending': 'PENDING',
                ':day': day,
                ':now': now,
              },
            },
          },
        ],
      }),
    );
    return 'claimed';
  } catch (error) {
    if (!(error instanceof TransactionCanceledException)) throw error;
    const reasons = error.CancellationReasons ?? [];
    if (reasons[1]?.Code === 'ConditionalCheckFailed') return 'quota-reached';
    // Another run moved the series on (or paused it) since it was read: that run owns the next step.
    return 'contended';
  }
}

/**
 * Starts the item's episode as an ordinary job (quota, admission, ledger, callbacks: POST /jobs' own
 * path). A refusal for good (the filled spec or an upload no longer valid, the account's daily quota
 * spent) fails the episode, reported on it, and the series goes on; false then.
 */
async function startEpisode(
  series: SeriesRecord,
  item: SeriesItemRecord,
  deps: SeriesRunDeps,
): Promise<boolean> {
  let jobId: string;
  try {
    const spec = episodeSpec(series.template, item.source, `items[${Number(item.itemId)}]`);
    const answer = await acceptJob(
      {
        userId: series.userId,
        spec,
        uploadKeys: await deps.resolveUploads(series.userId, spec),
        ...(await styleReferencesOf(deps.resolveUploads, series.userId, spec)),
        idempotencyKey: `series:${series.seriesId}:${item.itemId}`,
        series: { seriesId: series.seriesId, itemId: item.itemId },
      },
      deps,
    );
    jobId = (JSON.parse(String(answer.body)) as { jobId: string }).jobId;
  } catch (error) {
    if (!(error instanceof HttpProblemError) || error.retryable) throw error;
    await endEpisode(series, item.itemId, 'FAILED', deps, `${error.title}: ${error.detail}`);
    return false;
  }
  await deps.doc
    .send(
      new UpdateCommand({
        TableName: deps.table,
        Key: { pk: seriesPk(series.seriesId), sk: itemSk(item.itemId) },
        UpdateExpression: 'SET #status = :running, jobId = :job',
        ConditionExpression: '#status = :starting',
        ExpressionAttributeNames: { '#status': 'status' },
        ExpressionAttributeValues: { ':running': 'RUNNING', ':starting': 'STARTING', ':job': jobId },
      }),
    )
    .catch((error: unknown) => {
      // Already RUNNING (a duplicate start) or already ended: the job is the same, nothing to record.
      if ((error as { name?: string }).name !== 'ConditionalCheckFailedException') throw error;
    });
  return true;
}

/**
 * Ends an episode once (its item leaves STARTING/RUNNING, the series' in-flight mark is cleared, in
 * one transaction); a duplicate or replayed end finds it ended and changes nothing: false then.
 */
export async function endEpisode(
  series: SeriesRecord,
  itemId: string,
  status: Extract<EpisodeStatus, 'COMPLETED' | 'FAILED'>,
  deps: SeriesDeps & { now?: () => Date },
  failure?: string,
): Promise<boolean> {
  const now = (deps.now?.() ?? new Date()).toISOString();
  try {
    await deps.doc.send(
      new TransactWriteCommand({
        TransactItems: [
          {
            Update: {
              TableName: deps.table,
              Key: { pk: seriesPk(series.seriesId), sk: itemSk(itemId) },
              UpdateExpression: `SET #status = :status, endedAt = :now${failure ? ', failure = :failure' : ''}`,
              ConditionExpression: '#status IN (:starting, :running)',
              ExpressionAttributeNames: { '#status': 'status' },
              ExpressionAttributeValues: {
                ':status': status,
                ':now': now,
                ':starting': 'STARTING',
                ':running': 'RUNNING',
                ...(failure ? { ':failure': failure.slice(0, 1000) } : {}),
              },
            },
          },
          {
            Update: {
              TableName: deps.table,
              Key: { pk: userPk(series.userId), sk: seriesSk(series.seriesId) },
              UpdateExpression: 'REMOVE inFlight',
              ConditionExpression: 'inFlight = :item',
              ExpressionAttributeValues: { ':item': itemId },
            },
          },
        ],
      }),
    );
    return true;
  } catch (error) {
    if (error instanceof TransactionCanceledException) return false;
    throw error;
  }
}

/**
 * A job ended (VideoComposed, JobFailed): if it is an episode, the episode ends and the series moves
 * on in the day the episode was counted in (so a chain started by a run stays in that run's day,
 * whatever the clock says when its jobs end).
 */
export async function onEpisodeJobEnded(
  jobId: string,
  ending: { status: 'COMPLETED' | 'FAILED'; failure?: string },
  deps: SeriesRunDeps,
): Promise<RunOutcome | 'not-an-episode' | 'already-ended'> {
  const { Item } = await deps.doc.send(
    new GetCommand({ TableName: deps.table, Key: { pk: apiJobPk(jobId), sk: API_JOB_SK } }),
  );
  const job = Item as ApiJob | undefined;
  if (!job?.series) return 'not-an-episode';
  const series = await readSeries({ userId: job.userId, seriesId: job.series.seriesId }, deps);
  if (!series) return 'gone';
  const item = await readItem(series.seriesId, job.series.itemId, deps);
  if (!item?.day) return 'already-ended';
  const ended = await endEpisode(series, item.itemId, ending.status, deps, ending.failure);
  // Already ended: this is a retry (or a duplicate, or a replay). If the first delivery ended the
  // episode and then died starting the next one, between its claim and its job, that start is
  // resumed here: the same job, by its Idempotency-Key. Otherwise the series would wait for its
  // next SeriesRunDue, a day later. Nothing new is claimed, so a replayed end starts nothing.
  if (!ended) return (await resumeDiedStart(series, deps)) ? 'started' : 'already-ended';
  return advanceSeries({ userId: series.userId, seriesId: series.seriesId }, item.day, deps);
}

/**
 * A start that died between its claim and its job (the in-flight item still STARTING), started
 * again: the same job, by its Idempotency-Key. True when it started, false when it failed for good
 * (the episode ended FAILED), undefined when no start died.
 */
export async function resumeDiedStart(
  series: SeriesRecord,
  deps: SeriesRunDeps,
): Promise<boolean | undefined> {
  if (!series.inFlight) return undefined;
  const item = await readItem(series.seriesId, series.inFlight, deps);
  if (item?.status !== 'STARTING') return undefined;
  return startEpisode(series, item, deps);
}

export async function readSeries(
  ref: { userId: string; seriesId: string },
  deps: SeriesDeps,
): Promise<SeriesRecord | undefined> {
  const { Item } = await deps.doc.send(
    new GetCommand({
      TableName: deps.table,
      Key: { pk: userPk(ref.userId), sk: seriesSk(ref.seriesId) },
      ConsistentRead: true,
    }),
  );
  return Item as SeriesRecord | undefined;
}

export async function readItem(
  seriesId: string,
  itemId: string,
  deps: SeriesDeps,
): Promise<SeriesItemRecord | undefined> {
  const { Item } = await deps.doc.send(
    new GetCommand({
      TableName: deps.table,
      Key: { pk: seriesPk(seriesId), sk: itemSk(itemId) },
      ConsistentRead: true,
    }),
  );
  return Item as SeriesItemRecord | undefined;
}
