import { type DynamoDBDocumentClient, GetCommand, QueryCommand } from '@aws-sdk/lib-dynamodb';
import type {
  DeadMessageRecord,
  JobRecord,
  PublicationRecord,
  SceneRecord,
  TimelineEntry,
  UsageEntry,
} from './job-record';
import { JOB_SK, jobPk, userUsagePk, userUsageSk } from './keys';
import { stageDurations } from './stage-durations';

/** Reads a whole job record (one Query), or undefined when the ledger has seen nothing of it. */
export async function readJobRecord(
  doc: DynamoDBDocumentClient,
  table: string,
  jobId: string,
): Promise<JobRecord | undefined> {
  const items: Record<string, unknown>[] = [];
  let start: Record<string, unknown> | undefined;
  do {
    const page = await doc.send(
      new QueryCommand({
        TableName: table,
        KeyConditionExpression: 'pk = :pk',
        ExpressionAttributeValues: { ':pk': jobPk(jobId) },
        ExclusiveStartKey: start,
        ConsistentRead: true,
      }),
    );
    items.push(...((page.Items ?? []) as Record<string, unknown>[]));
    start = page.LastEvaluatedKey;
  } while (start);
  const job = items.find((i) => i.sk === JOB_SK);
  if (!job || typeof job.userId !== 'string') return undefined;
  const withPrefix = (prefix: string) => items.filter((i) => String(i.sk).startsWith(prefix)).map(strip);
  const scenes = (withPrefix('SCENE#') as unknown as SceneRecord[]).sort(
    (a, b) => a.sceneIndex - b.sceneIndex,
  );
  const timeline = (withPrefix('EVENT#') as unknown as TimelineEntry[]).sort(
    (a, b) =>
      a.occurredAt.localeCompare(b.occurredAt) ||
      a.detailType.localeCompare(b.detailType) ||
      (a.sceneIndex ?? -1) - (b.sceneIndex ?? -1),
  );
  const usage = (withPrefix('USAGE#') as unknown as UsageEntry[]).sort((a, b) =>
    a.predictionId.localeCompare(b.predictionId),
  );
  const publications = withPrefix('PUBLICATION#') as unknown as PublicationRecord[];
  const deadMessages = (withPrefix('DEAD#') as unknown as DeadMessageRecord[])
    .map(({ body: _body, ...where }) => where)
    .sort((a, b) => a.deadAt.localeCompare(b.deadAt));
  // Internal bookkeeping (status rank, the open-jobs index keys, the sweeper's claim, the key of the
  // event that decided the outcome) stays inside.
  const {
    statusRank: _rank,
    openShard: _shard,
    openDeadlineAt: _open,
    failureRedrivable: _redrivable,
    outcomeKey: _outcomeKey,
    sweptAt: _swept,
    costUsd,
    ...rest
  } = strip(job);
  const summary = rest as Omit<
    JobRecord,
    'scenes' | 'timeline' | 'costUsd' | 'durations' | 'usage' | 'deadMessages' | 'publications'
  >;
  return {
    ...summary,
    costUsd: roundUsd(typeof costUsd === 'number' ? costUsd : 0),
    jobId,
    scenes,
    timeline,
    durations: stageDurations(timeline),
    usage,
    deadMessages,
    // Only a job with a destination has publications: other records read as before.
    ...(publications.length > 0 ? { publications } : {}),
  };
}

export interface UserDailyUsage {
  userId: string;
  day: string;
  costUsd: number;
  predictions: number;
}

/** A user's charged usage on one UTC day (yyyy-mm-dd): every prediction counted once. */
export async function readUserDailyUsage(
  doc: DynamoDBDocumentClient,
  table: string,
  userId: string,
  day: string,
): Promise<UserDailyUsage> {
  const { Item } = await doc.send(
    new GetCommand({
      TableName: table,
      Key: { pk: userUsagePk(userId), sk: userUsageSk(day) },
      ConsistentRead: true,
    }),
  );
  return {
    userId,
    day,
    costUsd: roundUsd(typeof Item?.costUsd === 'number' ? Item.costUsd : 0),
    predictions: typeof Item?.predictions === 'number' ? Item.predictions : 0,
  };
}

/** Sums of floats drift (0.1 + 0.2); costs are shown to the micro-dollar. */
export const roundUsd = (usd: number) => Math.round(usd * 1e6) / 1e6;

function strip(item: Record<string, unknown>): Record<string, unknown> {
  const { pk: _pk, sk: _sk, ...rest } = item;
  return rest;
}
