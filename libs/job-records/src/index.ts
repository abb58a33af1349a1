import { type DynamoDBDocumentClient, QueryCommand } from '@aws-sdk/lib-dynamodb';

/**
 * The job record the ledger projects from events (jobs table, one partition per job) and the api
 * reads. Items: JOB (status and summary), SCENE#nn (one per scene), EVENT#<type>#<scene> (timeline).
 */
export const JOB_STATUSES = [
  'REQUESTED',
  'PLANNED',
  'RENDERING',
  'COMPOSING',
  'COMPLETED',
  'FAILED',
] as const;
export type JobStatus = (typeof JOB_STATUSES)[number];
/** Status only moves forward: a late or replayed event never moves a finished job back. */
export const STATUS_RANK: Record<JobStatus, number> = {
  REQUESTED: 1,
  PLANNED: 2,
  RENDERING: 3,
  COMPOSING: 4,
  COMPLETED: 9,
  FAILED: 9,
};

export const jobPk = (jobId: string) => `JOB#${jobId}`;
export const JOB_SK = 'JOB';
export const sceneSk = (index: number) => `SCENE#${String(index).padStart(2, '0')}`;
export const timelineSk = (detailType: string, sceneIndex?: number) =>
  `EVENT#${detailType}#${sceneIndex === undefined ? '-' : String(sceneIndex).padStart(2, '0')}`;

export interface SceneRecord {
  sceneIndex: number;
  kind: string;
  status: 'planned' | 'ready';
  prompt?: string;
  durationSec?: number;
  costUsd?: number;
  key?: string;
}
export interface TimelineEntry {
  detailType: string;
  sceneIndex?: number;
  occurredAt: string;
  recordedAt: string;
  source: string;
}
export interface JobRecord {
  jobId: string;
  userId: string;
  status: JobStatus;
  createdAt?: string;
  updatedAt?: string;
  spec?: Record<string, unknown>;
  parentJobId?: string;
  sceneCount?: number;
  costUsd: number;
  output?: {
    key: string;
    thumbnailKey: string;
    captionsKey?: string;
    durationSec: number;
    width: number;
    height: number;
    bytes: number;
    sha256: string;
    composeMs: number;
  };
  failure?: { stage: string; code: string; reason: string; retryable: boolean; sceneIndex?: number };
  scenes: SceneRecord[];
  timeline: TimelineEntry[];
}

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
  const scenes = items
    .filter((i) => String(i.sk).startsWith('SCENE#'))
    .map((i) => strip(i) as unknown as SceneRecord)
    .sort((a, b) => a.sceneIndex - b.sceneIndex);
  const timeline = items
    .filter((i) => String(i.sk).startsWith('EVENT#'))
    .map((i) => strip(i) as unknown as TimelineEntry)
    .sort((a, b) => a.occurredAt.localeCompare(b.occurredAt));
  const { statusRank: _rank, ...rest } = strip(job);
  const summary = rest as Omit<JobRecord, 'scenes' | 'timeline' | 'costUsd'>;
  return {
    ...summary,
    costUsd: scenes.reduce((sum, s) => sum + (s.costUsd ?? 0), 0),
    jobId,
    scenes,
    timeline,
  };
}

function strip(item: Record<string, unknown>): Record<string, unknown> {
  const { pk: _pk, sk: _sk, ...rest } = item;
  return rest;
}
