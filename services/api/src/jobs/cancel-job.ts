import { ConditionalCheckFailedException } from '@aws-sdk/client-dynamodb';
import { UpdateCommand } from '@aws-sdk/lib-dynamodb';
import { causedMeta, type EventPublisher, jobFailed } from '@reelay/events';
import { readJobRecord } from '@reelay/job-records';
import { type HttpResponse, json } from '@reelay/lambda';
import { API_JOB_SK, apiJobPk } from '../table/api-table';
import { readOwnJob, type TableDeps } from './create-job';
import { pathJobId } from './get-job';
import { JobAlreadyEndedError, JobNotFoundError } from './job-errors';

export interface CancelJobDeps extends TableDeps {
  jobsTable: string;
  publisher: Pick<EventPublisher, 'publish'>;
  now?: () => Date;
}

/**
 * POST /jobs/{jobId}/cancel: publishes JobFailed(stage=cancel, code CANCELLED). A finished job is a 409.
 * Cancelling again before the job has ended publishes again (a crash between the write and the publish
 * must not strand the cancel); consumers treat the duplicate JobFailed as a no-op.
 */
export async function cancelJob(
  userId: string,
  pathParameter: string | undefined,
  deps: CancelJobDeps,
): Promise<HttpResponse> {
  const jobId = pathJobId(pathParameter);
  const job = await readOwnJob(userId, jobId, deps);
  if (!job) throw new JobNotFoundError(jobId);
  const record = await readJobRecord(deps.doc, deps.jobsTable, jobId);
  const ended = job.endedAt
    ? job.outcome
    : record?.status === 'COMPLETED' || record?.status === 'FAILED' || record?.status === 'CANCELLED'
      ? record.status
      : undefined;
  if (ended) throw new JobAlreadyEndedError(jobId, ended);
  const now = deps.now?.() ?? new Date();
  try {
    await deps.doc.send(
      new UpdateCommand({
        TableName: deps.table,
        Key: { pk: apiJobPk(jobId), sk: API_JOB_SK },
        UpdateExpression: 'SET cancelledAt = if_not_exists(cancelledAt, :now)',
        ConditionExpression: 'attribute_exists(pk) AND attribute_not_exists(endedAt)',
        ExpressionAttributeValues: { ':now': now.toISOString() },
      }),
    );
  } catch (error) {
    if (error instanceof ConditionalCheckFailedException) throw new JobAlreadyEndedError(jobId, 'ended');
    throw error;
  }
  await deps.publisher.publish(jobFailed, {
    version: 1,
    jobId,
    meta: causedMeta({ userId, correlationId: job.correlationId }, now),
    stage: 'cancel',
    code: 'CANCELLED',
    reason: 'cancelled by the user',
    retryable: false,
  });
  return json(
    202,
    { jobId, status: 'CANCELLING', statusUrl: `/jobs/${jobId}` },
    { location: `/jobs/${jobId}` },
  );
}
