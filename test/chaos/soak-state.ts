/**
 * What the soak's invariants are checked against, read from the embedded cloud at one moment: the
 * ledger's job records, every object of the media bucket, each user's charged usage, the local model
 * server's predictions and the callbacks received. Taken before and after a replay, two snapshots
 * must be equal.
 */
import { ListObjectsV2Command } from '@aws-sdk/client-s3';
import { type DynamoDBDocumentClient, GetCommand, QueryCommand } from '@aws-sdk/lib-dynamodb';
import {
  type JobRecord,
  readJobRecord,
  readUserDailyUsage,
  type UserDailyUsage,
  usageDay,
} from '@reelay/job-records';
import type { EmbeddedCloud } from '../../local/cloud/src/embedded-cloud';
import {
  ADMISSION_SK,
  API_JOB_SK,
  apiJobPk,
  QUEUE_PREFIX,
  quotaSk,
  userPk,
} from '../../services/api/src/table/api-table';
import type { ReceivedCallback } from './callback-receiver';

export interface StoredObject {
  key: string;
  etag: string;
  size: number;
}

/** A scene attempt a prediction was created for, read from its webhook URL (the generator puts it there). */
export interface ScenePrediction {
  id: string;
  jobId: string;
  sceneIndex: number;
  attempt: number;
  status: string;
}

export interface SoakSnapshot {
  records: Map<string, JobRecord | undefined>;
  objects: StoredObject[];
  usage: UserDailyUsage[];
  predictions: ScenePrediction[];
  /** Every prediction of the model server, planner's included. */
  predictionCount: number;
  /** Model and webhook of every prediction, to name one that a charge points at. */
  predictionInfo: Map<string, string>;
  /** Predictions that name no scene (no webhook): the planning model's, charged to its job's plan. */
  unattributedPredictions: Set<string>;
  callbacks: ReceivedCallback[];
  /** Events of each detail-type the bus archived (replayed events are not archived). */
  archived: Record<string, number>;
  /** The api's side of each user: quota used per day, slots held, places in the queue. */
  quotas: UserQuota[];
  /** The quota day and units each job took (the api's job record). */
  jobUnits: Map<string, { quotaDay: string; quotaUnits: number } | undefined>;
}

export interface UserQuota {
  userId: string;
  /** The api's daily quota counter (`used`) per quota day of the user's jobs. */
  usedByDay: Record<string, number>;
  /** The admission counters (slots held, jobs waiting) and the QUEUE# entries. */
  running: number;
  queued: number;
  queueEntries: number;
}

export async function takeSnapshot(
  cloud: EmbeddedCloud,
  deps: {
    doc: DynamoDBDocumentClient;
    jobIds: readonly string[];
    users: readonly string[];
    callbacks: readonly ReceivedCallback[];
  },
): Promise<SoakSnapshot> {
  const records = new Map<string, JobRecord | undefined>();
  for (const jobId of deps.jobIds)
    records.set(jobId, await readJobRecord(deps.doc, cloud.names.jobsTable, jobId));
  const days = new Set([...records.values()].map((r) => usageDay(r?.createdAt ?? new Date().toISOString())));
  const usage: UserDailyUsage[] = [];
  for (const user of deps.users)
    for (const day of days) usage.push(await readUserDailyUsage(deps.doc, cloud.names.jobsTable, user, day));
  const all = cloud.models.predictions();
  const predictions = all.flatMap((p): ScenePrediction[] => {
    if (!p.webhook) return [];
    const url = new URL(p.webhook);
    const jobId = url.searchParams.get('jobId');
    if (!jobId) return [];
    return [
      {
        id: p.id,
        jobId,
        sceneIndex: Number(url.searchParams.get('sceneIndex')),
        attempt: Number(url.searchParams.get('attempt')),
        status: p.status,
      },
    ];
  });
  const apiTable = `reelay-api-${cloud.stage}`;
  const jobUnits = new Map<string, { quotaDay: string; quotaUnits: number } | undefined>();
  for (const jobId of deps.jobIds) {
    const { Item } = await deps.doc.send(
      new GetCommand({
        TableName: apiTable,
        Key: { pk: apiJobPk(jobId), sk: API_JOB_SK },
        ConsistentRead: true,
      }),
    );
    jobUnits.set(
      jobId,
      Item ? { quotaDay: String(Item.quotaDay), quotaUnits: Number(Item.quotaUnits) } : undefined,
    );
  }
  const quotas: UserQuota[] = [];
  const quotaDays = new Set([...jobUnits.values()].flatMap((u) => (u ? [u.quotaDay] : [])));
  for (const userId of deps.users) quotas.push(await readUserQuota(deps.doc, apiTable, userId, quotaDays));
  const archived: Record<string, number> = {};
  for (const archive of cloud.emulator.events.archives.listArchives())
    for (const { event } of archive.events)
      archived[event['detail-type']] = (archived[event['detail-type']] ?? 0) + 1;
  return {
    records,
    objects: await listObjects(cloud),
    usage,
    predictions,
    predictionCount: all.length,
    unattributedPredictions: new Set(all.filter((p) => !p.webhook).map((p) => p.id)),
    predictionInfo: new Map(all.map((p) => [p.id, `${p.model} ${p.status} webhook ${p.webhook ?? 'none'}`])),
    callbacks: [...deps.callbacks],
    archived,
    quotas,
    jobUnits,
  };
}

async function readUserQuota(
  doc: DynamoDBDocumentClient,
  table: string,
  userId: string,
  days: ReadonlySet<string>,
): Promise<UserQuota> {
  const item = async (sk: string) =>
    (
      await doc.send(
        new GetCommand({ TableName: table, Key: { pk: userPk(userId), sk }, ConsistentRead: true }),
      )
    ).Item;
  const usedByDay: Record<string, number> = {};
  for (const day of days) usedByDay[day] = Number((await item(quotaSk(day)))?.used ?? 0);
  const admission = await item(ADMISSION_SK);
  const entries = await doc.send(
    new QueryCommand({
      TableName: table,
      KeyConditionExpression: 'pk = :pk AND begins_with(sk, :prefix)',
      ExpressionAttributeValues: { ':pk': userPk(userId), ':prefix': QUEUE_PREFIX },
      ConsistentRead: true,
    }),
  );
  return {
    userId,
    usedByDay,
    running: Number(admission?.running ?? 0),
    queued: Number(admission?.queued ?? 0),
    queueEntries: entries.Items?.length ?? 0,
  };
}

async function listObjects(cloud: EmbeddedCloud): Promise<StoredObject[]> {
  const objects: StoredObject[] = [];
  let token: string | undefined;
  do {
    const page = await cloud.clients.s3.send(
      new ListObjectsV2Command({
        Bucket: cloud.names.mediaBucket,
        Prefix: 'jobs/',
        ContinuationToken: token,
      }),
    );
    for (const o of page.Contents ?? [])
      objects.push({ key: o.Key ?? '', etag: o.ETag ?? '', size: o.Size ?? 0 });
    token = page.IsTruncated ? page.NextContinuationToken : undefined;
  } while (token);
  return objects.sort((a, b) => a.key.localeCompare(b.key));
}

/** What differs between two snapshots (job records compared without updatedAt); empty when nothing changed. */
export function snapshotChanges(before: SoakSnapshot, after: SoakSnapshot): string[] {
  const changes: string[] = [];
  for (const [jobId, record] of before.records) {
    const a = JSON.stringify(withoutUpdatedAt(record));
    const b = JSON.stringify(withoutUpdatedAt(after.records.get(jobId)));
    if (a !== b) changes.push(`job ${jobId}: record changed\n  before ${a}\n  after  ${b}`);
  }
  const objects = (s: SoakSnapshot) => new Map(s.objects.map((o) => [o.key, `${o.etag} ${o.size}`]));
  const [was, is] = [objects(before), objects(after)];
  for (const [key, version] of is)
    if (was.get(key) !== version) changes.push(`s3 ${key}: ${was.has(key) ? 'rewritten' : 'new'}`);
  for (const key of was.keys()) if (!is.has(key)) changes.push(`s3 ${key}: deleted`);
  if (JSON.stringify(before.usage) !== JSON.stringify(after.usage))
    changes.push(`usage changed: ${JSON.stringify(before.usage)} → ${JSON.stringify(after.usage)}`);
  if (JSON.stringify(before.quotas) !== JSON.stringify(after.quotas))
    changes.push(
      `quota or slots changed: ${JSON.stringify(before.quotas)} → ${JSON.stringify(after.quotas)}`,
    );
  if (after.predictionCount !== before.predictionCount)
    changes.push(`${after.predictionCount - before.predictionCount} new predictions`);
  if (after.callbacks.length !== before.callbacks.length)
    changes.push(`${after.callbacks.length - before.callbacks.length} new callbacks`);
  return changes;
}

/**
 * Events published again while the archive was replayed (at-least-once: a replayed ScenePlanned of a
 * stored scene announces it again). Not a change of state, so reported apart from snapshotChanges.
 */
export function republishedEvents(before: SoakSnapshot, after: SoakSnapshot): string[] {
  return Object.entries(after.archived)
    .filter(([type, count]) => (before.archived[type] ?? 0) !== count)
    .map(([type, count]) => `${count - (before.archived[type] ?? 0)} ${type}`);
}

function withoutUpdatedAt(record: JobRecord | undefined): Omit<JobRecord, 'updatedAt'> | undefined {
  if (!record) return undefined;
  const { updatedAt: _updatedAt, ...rest } = record;
  return rest;
}
