import { createHash } from 'node:crypto';
import {
  BatchWriteCommand,
  DeleteCommand,
  GetCommand,
  PutCommand,
  QueryCommand,
  TransactWriteCommand,
  UpdateCommand,
} from '@aws-sdk/lib-dynamodb';
import {
  type HttpRequestParts,
  type HttpResponse,
  idempotencyKey,
  json,
  readJsonObject,
  validate,
} from '@reelay/lambda';
import { ulid } from 'ulid';
import { checkS3Destinations } from '../publishing/s3-destination';
import { idempotencySk, userPk } from '../table/api-table';
import { dayInZone } from './series-day';
import {
  SeriesFullError,
  SeriesIdempotencyKeyReusedError,
  SeriesItemsContendedError,
  SeriesNotFoundError,
} from './series-errors';
import {
  daySk,
  ITEM_PREFIX,
  itemIdOf,
  itemSk,
  SERIES_PREFIX,
  type SeriesItemRecord,
  type SeriesRecord,
  seriesPk,
  seriesSk,
} from './series-records';
import { advanceSeries, readSeries, type SeriesRunDeps } from './series-run';
import {
  createSeriesSchedule,
  deleteSeriesSchedule,
  nextRunOf,
  type SeriesScheduleDeps,
  scheduleNameOf,
  updateSeriesSchedule,
} from './series-schedule';
import {
  appendItemsSchema,
  createSeriesSchema,
  SERIES_LIMITS,
  type SeriesItem,
  updateSeriesSchema,
} from './series-spec';
import { episodeSpec } from './series-template';

export interface SeriesApiDeps extends SeriesRunDeps {
  schedules: SeriesScheduleDeps;
  /** The buckets an S3 destination may name (PUBLISH_BUCKETS); none when absent. */
  publishBuckets?: readonly string[];
}

/** POST /series: validates the template against every item, creates the schedule, then the series. */
export async function createSeries(
  userId: string,
  req: HttpRequestParts,
  deps: SeriesApiDeps,
): Promise<HttpResponse> {
  const key = idempotencyKey(req);
  const request = validate(createSeriesSchema, readJsonObject(req), 'Invalid series');
  const template =
    request.destinations.length > 0
      ? { ...request.template, publish: request.destinations }
      : request.template;
  for (const [index, item] of request.items.entries()) {
    const spec = episodeSpec(template, item, `items[${index}]`);
    // An S3 destination must name a bucket the deployment may write: a 400 now, not a PublishFailed per episode.
    checkS3Destinations(spec, deps.publishBuckets ?? [], 'destinations', 'Invalid series');
  }
  const requestHash = createHash('sha256').update(JSON.stringify(request)).digest('hex');
  if (key) {
    const replay = await replayOf(userId, key, requestHash, deps);
    if (replay) return seriesAnswer(202, replay, deps, { 'idempotent-replayed': 'true' });
  }
  const now = deps.now?.() ?? new Date();
  const seriesId = ulid(now.getTime());
  const series: SeriesRecord = {
    seriesId,
    userId,
    name: request.name,
    template,
    schedule: request.schedule,
    dailyQuota: request.dailyQuota,
    ...(request.callbackUrl ? { callbackUrl: request.callbackUrl } : {}),
    state: 'active',
    scheduleName: scheduleNameOf(deps.schedules, seriesId),
    itemCount: request.items.length,
    cursor: 0,
    createdAt: now.toISOString(),
    requestHash,
  };
  try {
    await deps.doc.send(
      new TransactWriteCommand({
        TransactItems: [
          { Put: { TableName: deps.table, Item: { pk: userPk(userId), sk: seriesSk(seriesId), ...series } } },
          ...(key
            ? [
                {
                  Put: {
                    TableName: deps.table,
                    Item: {
                      pk: userPk(userId),
                      sk: idempotencySk(`series:${key}`),
                      seriesId,
                      requestHash,
                      expiresAt: Math.floor(now.getTime() / 1000) + 86_400,
                    },
                    ConditionExpression: 'attribute_not_exists(pk)',
                  },
                },
              ]
            : []),
        ],
      }),
    );
  } catch (error) {
    // A concurrent request with the same key won: answer with that series.
    const replay = key ? await replayOf(userId, key, requestHash, deps) : undefined;
    if (replay) return seriesAnswer(202, replay, deps, { 'idempotent-replayed': 'true' });
    throw error;
  }
  await writeItems(seriesId, 0, request.items, deps);
  // The schedule last: a rate schedule runs at once, and its first SeriesRunDue must find the series
  // and its items. The Scheduler's refusal of the expression is the client's 400; nothing stays then.
  try {
    await createSeriesSchedule(series, deps.schedules);
  } catch (error) {
    await forgetSeries(userId, seriesId, key, deps);
    throw error;
  }
  return seriesAnswer(201, series, deps, { location: `/series/${seriesId}` });
}

/** GET /series: the caller's series, oldest first. */
export async function listSeries(userId: string, deps: SeriesApiDeps): Promise<HttpResponse> {
  const { Items = [] } = await deps.doc.send(
    new QueryCommand({
      TableName: deps.table,
      KeyConditionExpression: 'pk = :pk AND begins_with(sk, :prefix)',
      ExpressionAttributeValues: { ':pk': userPk(userId), ':prefix': SERIES_PREFIX },
    }),
  );
  const series = await Promise.all((Items as SeriesRecord[]).map((s) => describeSeries(s, deps)));
  return json(200, { series });
}

export async function getSeries(
  userId: string,
  seriesId: string | undefined,
  deps: SeriesApiDeps,
): Promise<HttpResponse> {
  return json(200, await describeSeries(await ownSeries(userId, seriesId, deps), deps));
}

/** PATCH /series/{id}: pause/resume, quota, schedule; the schedule follows. */
export async function updateSeries(
  userId: string,
  seriesId: string | undefined,
  req: HttpRequestParts,
  deps: SeriesApiDeps,
): Promise<HttpResponse> {
  const patch = validate(updateSeriesSchema, readJsonObject(req), 'Invalid series update');
  const series = await ownSeries(userId, seriesId, deps);
  const updated: SeriesRecord = {
    ...series,
    ...(patch.state ? { state: patch.state } : {}),
    ...(patch.dailyQuota ? { dailyQuota: patch.dailyQuota } : {}),
    ...(patch.schedule ? { schedule: patch.schedule } : {}),
  };
  if (patch.state || patch.schedule) await updateSeriesSchedule(updated, deps.schedules);
  await deps.doc.send(
    new UpdateCommand({
      TableName: deps.table,
      Key: { pk: userPk(userId), sk: seriesSk(series.seriesId) },
      UpdateExpression: 'SET #state = :state, dailyQuota = :quota, schedule = :schedule',
      ConditionExpression: 'attribute_exists(pk)',
      ExpressionAttributeNames: { '#state': 'state' },
      ExpressionAttributeValues: {
        ':state': updated.state,
        ':quota': updated.dailyQuota,
        ':schedule': updated.schedule,
      },
    }),
  );
  return json(200, await describeSeries(updated, deps));
}

/** DELETE /series/{id}: the schedule, the series and its items and day counters. Jobs already made stay. */
export async function deleteSeries(
  userId: string,
  seriesId: string | undefined,
  deps: SeriesApiDeps,
): Promise<HttpResponse> {
  const series = await ownSeries(userId, seriesId, deps);
  await deleteSeriesSchedule(series.scheduleName, deps.schedules);
  await deleteSeriesData(userId, series.seriesId, deps);
  return { statusCode: 204 };
}

/**
 * POST /series/{id}/items: appends items (each validated against the template); a series waiting for
 * items starts again at once if today's quota (its zone) allows.
 */
export async function appendItems(
  userId: string,
  seriesId: string | undefined,
  req: HttpRequestParts,
  deps: SeriesApiDeps,
): Promise<HttpResponse> {
  const { items } = validate(appendItemsSchema, readJsonObject(req), 'Invalid series items');
  const series = await ownSeries(userId, seriesId, deps);
  for (const [index, item] of items.entries()) episodeSpec(series.template, item, `items[${index}]`);
  if (series.itemCount + items.length > SERIES_LIMITS.itemsPerSeries)
    throw new SeriesFullError(SERIES_LIMITS.itemsPerSeries);
  try {
    await writeItems(series.seriesId, series.itemCount, items, deps);
    await deps.doc.send(
      new UpdateCommand({
        TableName: deps.table,
        Key: { pk: userPk(userId), sk: seriesSk(series.seriesId) },
        UpdateExpression: 'SET itemCount = :count',
        ConditionExpression: 'itemCount = :was',
        ExpressionAttributeValues: { ':count': series.itemCount + items.length, ':was': series.itemCount },
      }),
    );
  } catch (error) {
    if ((error as { name?: string }).name === 'ConditionalCheckFailedException')
      throw new SeriesItemsContendedError();
    throw error;
  }
  const today = dayInZone(deps.now?.() ?? new Date(), series.schedule.timeZone);
  const run = await advanceSeries({ userId, seriesId: series.seriesId }, today, deps);
  return json(202, {
    seriesId: series.seriesId,
    appended: items.length,
    itemIds: items.map((_, i) => itemIdOf(series.itemCount + i)),
    run,
  });
}

/** GET /series/{id}/episodes: every item with its episode (job, status, failure, where published). */
export async function listEpisodes(
  userId: string,
  seriesId: string | undefined,
  deps: SeriesApiDeps,
): Promise<HttpResponse> {
  const series = await ownSeries(userId, seriesId, deps);
  const items: SeriesItemRecord[] = [];
  let start: Record<string, unknown> | undefined;
  do {
    const page = await deps.doc.send(
      new QueryCommand({
        TableName: deps.table,
        KeyConditionExpression: 'pk = :pk AND begins_with(sk, :prefix)',
        ExpressionAttributeValues: { ':pk': seriesPk(series.seriesId), ':prefix': ITEM_PREFIX },
        ...(start ? { ExclusiveStartKey: start } : {}),
      }),
    );
    items.push(...((page.Items ?? []) as SeriesItemRecord[]));
    start = page.LastEvaluatedKey;
  } while (start);
  return json(200, {
    seriesId: series.seriesId,
    episodes: items.map((item) => ({
      itemId: item.itemId,
      item: item.source,
      status: item.status,
      ...(item.day ? { day: item.day } : {}),
      ...(item.jobId ? { jobId: item.jobId, statusUrl: `/jobs/${item.jobId}` } : {}),
      ...(item.failure ? { failure: item.failure } : {}),
      published: item.published ?? [],
    })),
  });
}

async function ownSeries(
  userId: string,
  seriesId: string | undefined,
  deps: SeriesApiDeps,
): Promise<SeriesRecord> {
  const series =
    seriesId && /^[0-9A-HJKMNP-TV-Z]{26}$/.test(seriesId)
      ? await readSeries({ userId, seriesId }, deps)
      : undefined;
  if (!series) throw new SeriesNotFoundError(seriesId);
  return series;
}

async function replayOf(
  userId: string,
  key: string,
  requestHash: string,
  deps: SeriesApiDeps,
): Promise<SeriesRecord | undefined> {
  const { Item } = await deps.doc.send(
    new GetCommand({
      TableName: deps.table,
      Key: { pk: userPk(userId), sk: idempotencySk(`series:${key}`) },
      ConsistentRead: true,
    }),
  );
  if (!Item) return undefined;
  if (Item.requestHash !== requestHash) throw new SeriesIdempotencyKeyReusedError();
  return readSeries({ userId, seriesId: String(Item.seriesId) }, deps);
}

async function writeItems(
  seriesId: string,
  from: number,
  items: readonly SeriesItem[],
  deps: SeriesApiDeps,
): Promise<void> {
  const createdAt = (deps.now?.() ?? new Date()).toISOString();
  for (const [offset, source] of items.entries()) {
    const itemId = itemIdOf(from + offset);
    const record: SeriesItemRecord = { seriesId, itemId, source, status: 'PENDING', createdAt };
    await deps.doc.send(
      new PutCommand({
        TableName: deps.table,
        Item: { pk: seriesPk(seriesId), sk: itemSk(itemId), ...record },
        ConditionExpression: 'attribute_not_exists(pk)',
      }),
    );
  }
}

/** What a client sees of a series: today's count against the quota (its zone), the next run, its state in words. */
async function describeSeries(series: SeriesRecord, deps: SeriesApiDeps) {
  const now = deps.now?.() ?? new Date();
  const today = dayInZone(now, series.schedule.timeZone);
  const { Item } = await deps.doc.send(
    new GetCommand({ TableName: deps.table, Key: { pk: seriesPk(series.seriesId), sk: daySk(today) } }),
  );
  const todayCount = Number(Item?.count ?? 0);
  const state =
    series.state === 'paused'
      ? { state: 'paused' }
      : series.stoppedDay === today
        ? { state: 'stopped-for-the-day', reason: series.stoppedReason ?? 'stopped for the day' }
        : series.inFlight
          ? { state: 'making-episode', itemId: series.inFlight }
          : series.cursor >= series.itemCount
            ? { state: 'waiting-for-items', reason: 'every item has its episode; append items to go on' }
            : todayCount >= series.dailyQuota
              ? { state: 'quota-reached', reason: `made ${todayCount} of ${series.dailyQuota} today` }
              : { state: 'active' };
  const nextRun = nextRunOf(series, now);
  return {
    seriesId: series.seriesId,
    name: series.name,
    schedule: series.schedule,
    dailyQuota: series.dailyQuota,
    today: { day: today, count: todayCount, quota: series.dailyQuota },
    ...(nextRun ? { nextRun } : {}),
    ...state,
    items: { total: series.itemCount, started: series.cursor, remaining: series.itemCount - series.cursor },
    template: series.template,
    ...(series.callbackUrl ? { callbackUrl: series.callbackUrl } : {}),
    createdAt: series.createdAt,
  };
}

async function seriesAnswer(
  status: number,
  series: SeriesRecord,
  deps: SeriesApiDeps,
  headers: Record<string, string>,
) {
  return json(status, await describeSeries(series, deps), {
    location: `/series/${series.seriesId}`,
    ...headers,
  });
}

/** Deletes a series' items and day counters, then the series record. */
async function deleteSeriesData(userId: string, seriesId: string, deps: SeriesApiDeps): Promise<void> {
  let start: Record<string, unknown> | undefined;
  do {
    const page = await deps.doc.send(
      new QueryCommand({
        TableName: deps.table,
        KeyConditionExpression: 'pk = :pk',
        ExpressionAttributeValues: { ':pk': seriesPk(seriesId) },
        ProjectionExpression: 'pk, sk',
        ...(start ? { ExclusiveStartKey: start } : {}),
      }),
    );
    const keys = (page.Items ?? []).map((item) => ({ pk: item.pk, sk: item.sk }));
    for (let i = 0; i < keys.length; i += 25) {
      await deps.doc.send(
        new BatchWriteCommand({
          RequestItems: { [deps.table]: keys.slice(i, i + 25).map((Key) => ({ DeleteRequest: { Key } })) },
        }),
      );
    }
    start = page.LastEvaluatedKey;
  } while (start);
  await deps.doc.send(
    new DeleteCommand({ TableName: deps.table, Key: { pk: userPk(userId), sk: seriesSk(seriesId) } }),
  );
}

/** A series whose schedule the Scheduler refused: nothing of it stays (record, items, Idempotency-Key). */
async function forgetSeries(userId: string, seriesId: string, key: string | undefined, deps: SeriesApiDeps) {
  await deleteSeriesData(userId, seriesId, deps);
  if (key)
    await deps.doc.send(
      new DeleteCommand({
        TableName: deps.table,
        Key: { pk: userPk(userId), sk: idempotencySk(`series:${key}`) },
      }),
    );
}
