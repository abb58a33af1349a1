import { TransactionCanceledException } from '@aws-sdk/client-dynamodb';
import { TransactWriteCommand } from '@aws-sdk/lib-dynamodb';
import type { JobFailed, VideoComposed } from '@reelay/events';
import type { JobOutcome } from '../jobs/api-job';
import { readApiJob, type TableDeps } from '../jobs/create-job';
import { API_JOB_SK, apiJobPk, jobIndexSk, quotaSk, userPk } from '../table/api-table';

export type RecordedOutcome = 'recorded' | 'recovered' | 'already-ended' | 'unknown-job';

/** The code of a JobFailed published for a dead letter (libs/lambda dead-letters): retryable by a redrive. */
const DEAD_LETTER_CODE = 'DEAD_LETTER';

/**
 * Records how a job ended, once: the first terminal event wins (a conditional write on `endedAt`),
 * so a duplicate or replayed event changes nothing. A failed or cancelled job gives its quota units
 * back in the same transaction, which is what makes the refund happen exactly once.
 */
export async function recordJobFailed(
  event: JobFailed,
  deps: TableDeps,
  now = new Date(),
): Promise<RecordedOutcome> {
  return recordOutcome(event.jobId, event.stage === 'cancel' ? 'CANCELLED' : 'FAILED', true, deps, now, {
    failure: { stage: event.stage, code: event.code, reason: event.reason },
  });
}

export async function recordVideoComposed(
  event: VideoComposed,
  deps: TableDeps,
  now = new Date(),
): Promise<RecordedOutcome> {
  const recorded = await recordOutcome(event.jobId, 'COMPLETED', false, deps, now, {});
  return recorded === 'already-ended' ? recoverFromDeadLetter(event.jobId, deps, now) : recorded;
}

/**
 * A job that failed only by a dead letter (retryable) completes when its redriven work does, as in the
 * ledger: the outcome becomes COMPLETED once (conditional on the dead-letter failure), the units the
 * failure gave back are taken again, and the failure is kept as `recoveredFailure`. Without this a
 * redriven job never got its job.completed callback. Cancelled, timed-out and permanent failures stay.
 */
async function recoverFromDeadLetter(jobId: string, deps: TableDeps, now: Date): Promise<RecordedOutcome> {
  const job = await readApiJob(jobId, deps);
  if (job?.outcome !== 'FAILED' || job.failure?.code !== DEAD_LETTER_CODE) return 'already-ended';
  try {
    await deps.doc.send(
      new TransactWriteCommand({
        TransactItems: [
          {
            Update: {
              TableName: deps.table,
              Key: { pk: apiJobPk(jobId), sk: API_JOB_SK },
              UpdateExpression:
                'SET outcome = :completed, recoveredAt = :now, recoveredFailure = failure REMOVE failure, refundedAt',
              ConditionExpression: 'outcome = :failed AND failure.code = :deadLetter',
              ExpressionAttributeValues: {
                ':completed': 'COMPLETED',
                ':failed': 'FAILED',
                ':deadLetter': DEAD_LETTER_CODE,
                ':now': now.toISOString(),
              },
            },
          },
          {
            Update: {
              TableName: deps.table,
              Key: { pk: userPk(job.userId), sk: jobIndexSk(jobId) },
              UpdateExpression: 'SET outcome = :outcome',
              ExpressionAttributeValues: { ':outcome': 'COMPLETED' },
            },
          },
          ...(job.refundedAt
            ? [
                {
                  Update: {
                    TableName: deps.table,
                    Key: { pk: userPk(job.userId), sk: quotaSk(job.quotaDay) },
                    UpdateExpression: 'ADD used :units',
                    ExpressionAttributeValues: { ':units': job.quotaUnits },
                  },
                },
              ]
            : []),
        ],
      }),
    );
    return 'recovered';
  } catch (error) {
    if (
      error instanceof TransactionCanceledException &&
      error.CancellationReasons?.[0]?.Code === 'ConditionalCheckFailed'
    )
      return 'already-ended';
    throw error;
  }
}

async function recordOutcome(
  jobId: string,
  outcome: JobOutcome,
  refund: boolean,
  deps: TableDeps,
  now: Date,
  extra: Record<string, unknown>,
): Promise<RecordedOutcome> {
  const job = await readApiJob(jobId, deps);
  if (!job) return 'unknown-job';
  const endedAt = now.toISOString();
  const setExtra = Object.keys(extra).map((k) => `, #${k} = :${k}`);
  try {
    await deps.doc.send(
      new TransactWriteCommand({
        TransactItems: [
          {
            Update: {
              TableName: deps.table,
              Key: { pk: apiJobPk(jobId), sk: API_JOB_SK },
              UpdateExpression: `SET outcome = :outcome, endedAt = :endedAt${refund ? ', refundedAt = :endedAt' : ''}${setExtra.join('')}`,
              ConditionExpression: 'attribute_exists(pk) AND attribute_not_exists(endedAt)',
              ExpressionAttributeValues: {
                ':outcome': outcome,
                ':endedAt': endedAt,
                ...Object.fromEntries(Object.entries(extra).map(([k, v]) => [`:${k}`, v])),
              },
              ...(setExtra.length
                ? {
                    ExpressionAttributeNames: Object.fromEntries(Object.keys(extra).map((k) => [`#${k}`, k])),
                  }
                : {}),
            },
          },
          {
            Update: {
              TableName: deps.table,
              Key: { pk: userPk(job.userId), sk: jobIndexSk(jobId) },
              UpdateExpression: 'SET outcome = :outcome',
              ExpressionAttributeValues: { ':outcome': outcome },
            },
          },
          ...(refund
            ? [
                {
                  Update: {
                    TableName: deps.table,
                    Key: { pk: userPk(job.userId), sk: quotaSk(job.quotaDay) },
                    UpdateExpression: 'ADD used :refund',
                    ExpressionAttributeValues: { ':refund': -job.quotaUnits },
                  },
                },
              ]
            : []),
        ],
      }),
    );
    return 'recorded';
  } catch (error) {
    if (
      error instanceof TransactionCanceledException &&
      error.CancellationReasons?.[0]?.Code === 'ConditionalCheckFailed'
    )
      return 'already-ended';
    // TransactionConflict and the rest are retryable: the record goes back to the queue.
    throw error;
  }
}
