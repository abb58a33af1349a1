import { ConditionalCheckFailedException } from '@aws-sdk/client-dynamodb';
import { type DynamoDBDocumentClient, QueryCommand, UpdateCommand } from '@aws-sdk/lib-dynamodb';
import { causedMeta, type EventPublisher, jobFailed } from '@reelay/events';
import { FINISHED_RANK, JOB_SK, jobPk, OPEN_JOBS_INDEX, OPEN_JOBS_SHARD } from '@reelay/job-records';

export interface SweeperDeps {
  doc: DynamoDBDocumentClient;
  table: string;
  publisher: Pick<EventPublisher, 'publish'>;
  now?: () => Date;
  /** Jobs looked at per run at most; the next run (a minute later) takes the rest. */
  maxJobs?: number;
}

interface OpenJob {
  jobId: string;
  userId: string;
  correlationId?: string;
  deadlineAt: string;
}

/**
 * Fails every job past its deadline with JobFailed(stage=timeout), exactly once: the open-jobs index
 * (sparse, by deadline) finds them without a scan, and a conditional claim on the job record makes
 * concurrent or repeated runs publish one failure per job.
 */
export async function sweepOverdueJobs(deps: SweeperDeps): Promise<{ failed: string[] }> {
  const now = deps.now?.() ?? new Date();
  const failed: string[] = [];
  for (const job of await overdueJobs(deps, now.toISOString(), deps.maxJobs ?? 500)) {
    if (!(await claimTimeout(deps, job.jobId, now.toISOString()))) continue;
    try {
      await deps.publisher.publish(jobFailed, {
        version: 1,
        jobId: job.jobId,
        meta: causedMeta({ userId: job.userId, correlationId: job.correlationId ?? job.jobId }, now),
        stage: 'timeout',
        code: 'DEADLINE_EXCEEDED',
        reason: `the job did not finish by its deadline ${job.deadlineAt}; submit it again, perhaps with fewer or shorter scenes or a longer deadlineSec`,
        retryable: false,
      });
    } catch (error) {
      await releaseClaim(deps, job.jobId); // the next run tries again
      throw error;
    }
    failed.push(job.jobId);
  }
  return { failed };
}

async function overdueJobs(deps: SweeperDeps, nowIso: string, maxJobs: number): Promise<OpenJob[]> {
  const jobs: OpenJob[] = [];
  let start: Record<string, unknown> | undefined;
  do {
    const page = await deps.doc.send(
      new QueryCommand({
        TableName: deps.table,
        IndexName: OPEN_JOBS_INDEX,
        KeyConditionExpression: 'openShard = :shard AND openDeadlineAt < :now',
        ExpressionAttributeValues: { ':shard': OPEN_JOBS_SHARD, ':now': nowIso },
        ExclusiveStartKey: start,
        Limit: Math.min(100, maxJobs),
      }),
    );
    for (const item of page.Items ?? []) {
      const jobId = String(item.pk).replace(/^JOB#/, '');
      if (typeof item.userId !== 'string' || typeof item.openDeadlineAt !== 'string') continue;
      jobs.push({
        jobId,
        userId: item.userId,
        deadlineAt: item.openDeadlineAt,
        ...(typeof item.correlationId === 'string' ? { correlationId: item.correlationId } : {}),
      });
    }
    start = page.LastEvaluatedKey;
  } while (start && jobs.length < maxJobs);
  return jobs.slice(0, maxJobs);
}

/** The one write that decides which run fails the job. */
async function claimTimeout(deps: SweeperDeps, jobId: string, nowIso: string): Promise<boolean> {
  try {
    await deps.doc.send(
      new UpdateCommand({
        TableName: deps.table,
        Key: { pk: jobPk(jobId), sk: JOB_SK },
        UpdateExpression: 'SET sweptAt = :now',
        ConditionExpression: 'attribute_not_exists(sweptAt) AND statusRank < :finished',
        ExpressionAttributeValues: { ':now': nowIso, ':finished': FINISHED_RANK },
      }),
    );
    return true;
  } catch (error) {
    if (error instanceof ConditionalCheckFailedException) return false;
    throw error;
  }
}

async function releaseClaim(deps: SweeperDeps, jobId: string): Promise<void> {
  await deps.doc.send(
    new UpdateCommand({
      TableName: deps.table,
      Key: { pk: jobPk(jobId), sk: JOB_SK },
      UpdateExpression: 'REMOVE sweptAt',
    }),
  );
}
