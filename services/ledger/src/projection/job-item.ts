import { ConditionalCheckFailedException } from '@aws-sdk/client-dynamodb';
import { type DynamoDBDocumentClient, UpdateCommand } from '@aws-sdk/lib-dynamodb';
import {
  FINISHED_RANK,
  JOB_SK,
  type JobStatus,
  jobPk,
  OPEN_JOBS_SHARD,
  STATUS_RANK,
} from '@reelay/job-records';

export interface TableDeps {
  doc: DynamoDBDocumentClient;
  table: string;
}

const isConditionFailure = (error: unknown) => error instanceof ConditionalCheckFailedException;

/** Sets plain fields on the job item; whichever event creates it gives it the first status. */
export async function updateJob(
  deps: TableDeps,
  jobId: string,
  userId: string,
  recordedAt: string,
  fields: Record<string, unknown>,
  { onlyIfAbsent = false }: { onlyIfAbsent?: boolean } = {},
): Promise<void> {
  const names: Record<string, string> = {
    '#userId': 'userId',
    '#updatedAt': 'updatedAt',
    '#status': 'status',
  };
  const values: Record<string, unknown> = {
    ':userId': userId,
    ':updatedAt': recordedAt,
    ':firstStatus': 'REQUESTED',
    ':firstRank': STATUS_RANK.REQUESTED,
  };
  // A dead letter of a service-internal message names no user: the owner the ledger knows wins.
  const sets = [
    userId === 'unknown' ? '#userId = if_not_exists(#userId, :userId)' : '#userId = :userId',
    '#updatedAt = :updatedAt',
    '#status = if_not_exists(#status, :firstStatus)',
    'statusRank = if_not_exists(statusRank, :firstRank)',
  ];
  for (const [k, v] of Object.entries(fields)) {
    names[`#${k}`] = k;
    values[`:${k}`] = v;
    sets.push(onlyIfAbsent ? `#${k} = if_not_exists(#${k}, :${k})` : `#${k} = :${k}`);
  }
  await deps.doc.send(
    new UpdateCommand({
      TableName: deps.table,
      Key: { pk: jobPk(jobId), sk: JOB_SK },
      UpdateExpression: `SET ${sets.join(', ')}`,
      ExpressionAttributeNames: names,
      ExpressionAttributeValues: values,
    }),
  );
}

export interface Advanced {
  /** The job item before this event moved it. */
  before: Record<string, unknown>;
}

/**
 * Moves an unfinished job's status forward only; returns undefined when the job is already as far or
 * has ended. Terminal statuses do not come here: decide-outcome.ts picks between terminal events by the
 * shared rule.
 */
export async function advanceStatus(
  deps: TableDeps,
  jobId: string,
  status: Exclude<JobStatus, 'COMPLETED' | 'FAILED' | 'CANCELLED'>,
): Promise<Advanced | undefined> {
  try {
    const { Attributes } = await deps.doc.send(
      new UpdateCommand({
        TableName: deps.table,
        Key: { pk: jobPk(jobId), sk: JOB_SK },
        UpdateExpression: 'SET #status = :status, statusRank = :rank',
        ConditionExpression: 'attribute_not_exists(statusRank) OR statusRank < :rank',
        ExpressionAttributeNames: { '#status': 'status' },
        ExpressionAttributeValues: { ':status': status, ':rank': STATUS_RANK[status] },
        ReturnValues: 'ALL_OLD',
      }),
    );
    return { before: Attributes ?? {} };
  } catch (error) {
    if (isConditionFailure(error)) return undefined;
    throw error;
  }
}

/** Puts an unfinished job in the sparse open-jobs index (by deadline) that the sweeper queries. */
export async function openJob(deps: TableDeps, jobId: string, deadlineAt: string): Promise<void> {
  try {
    await deps.doc.send(
      new UpdateCommand({
        TableName: deps.table,
        Key: { pk: jobPk(jobId), sk: JOB_SK },
        UpdateExpression: 'SET openShard = :shard, openDeadlineAt = :deadline',
        ConditionExpression: 'statusRank < :finished',
        ExpressionAttributeValues: {
          ':shard': OPEN_JOBS_SHARD,
          ':deadline': deadlineAt,
          ':finished': FINISHED_RANK,
        },
      }),
    );
  } catch (error) {
    if (!isConditionFailure(error)) throw error; // already finished: it never enters the index
  }
}
