import { TransactionCanceledException } from '@aws-sdk/client-dynamodb';
import { TransactWriteCommand } from '@aws-sdk/lib-dynamodb';
import {
  claimWins,
  type JobFailed,
  OutcomeWriteContendedError,
  terminalClaim,
  type VideoComposed,
} from '@reelay/events';
import { releaseItems } from '../admission/admission-writes';
import type { ApiJob, JobOutcome } from '../jobs/api-job';
import { readApiJob, type TableDeps } from '../jobs/create-job';
import { API_JOB_SK, apiJobPk, jobIndexSk, quotaSk, userPk } from '../table/api-table';

/**
 * `recorded`: the first outcome of the job; `overturned`: this event replaced an earlier outcome by the
 * shared rule; `already-ended`: an outcome that wins over this event (or this very event) is recorded.
 */
export type RecordedOutcome = 'recorded' | 'overturned' | 'already-ended' | 'unknown-job';

const ROUNDS = 4;

/** The code of a JobFailed published for a dead letter (libs/lambda dead-letters): retryable by a redrive. */
const DEAD_LETTER_CODE = 'DEAD_LETTER';

export type TerminalEvent =
  | { type: 'VideoComposed'; detail: VideoComposed }
  | { type: 'JobFailed'; detail: JobFailed };

export function outcomeOf(event: TerminalEvent): JobOutcome {
  if (event.type === 'VideoComposed') return 'COMPLETED';
  return event.detail.stage === 'cancel' ? 'CANCELLED' : 'FAILED';
}

/**
 * Records how a job ended by the shared rule (libs/events terminal-outcome.ts), the one the ledger
 * applies too: the first terminal event decides, and a later one replaces it only when it wins (it
 * happened first, or it is decisive and the recorded one was a dead letter). Each write is conditional
 * on the outcome it replaces (`outcomeKey`), so a duplicate or replay changes nothing.
 *
 * The quota follows the outcome in the same transaction: a FAILED or CANCELLED job has its units given
 * back once (`refundedAt`); a job that turns COMPLETED afterwards takes them again (and the refund mark
 * goes), and one that turns from COMPLETED to failed is refunded then. So a job is refunded exactly
 * when its final outcome is a failure, whatever order the events came in.
 *
 * The first outcome also gives back what the job held under the per-user limit of concurrent jobs, in
 * the same transaction (src/admission/admission-writes.ts): its slot, or its place in the queue. Only
 * the write that sets `endedAt` does, so a job releases exactly once; an overturn releases nothing.
 */
export async function recordTerminalOutcome(
  event: TerminalEvent,
  deps: TableDeps,
  now = new Date(),
): Promise<RecordedOutcome> {
  const claim = terminalClaim(event);
  const outcome = outcomeOf(event);
  for (let round = 0; round < ROUNDS; round++) {
    const job = await readApiJob(event.detail.jobId, deps);
    if (!job) return 'unknown-job';
    // A job that ended before outcome keys existed keeps its outcome: there is nothing to compare with.
    if (!claimWins(claim, job.outcomeKey ?? keyOfEndedWithoutKey(job))) return 'already-ended';
    try {
      await deps.doc.send(
        new TransactWriteCommand({
          TransactItems: outcomeWrites(deps.table, job, event, outcome, claim.key, now),
        }),
      );
      return job.endedAt ? 'overturned' : 'recorded';
    } catch (error) {
      if (
        !(error instanceof TransactionCanceledException) ||
        !error.CancellationReasons?.some((r) => r.Code === 'ConditionalCheckFailed')
      )
        throw error; // TransactionConflict and the rest are retryable: the record goes back to the queue.
      // Someone decided (or started the queued job) in between: read again and compare with what they wrote.
    }
  }
  throw new OutcomeWriteContendedError(event.detail.jobId);
}

export const recordJobFailed = (detail: JobFailed, deps: TableDeps, now = new Date()) =>
  recordTerminalOutcome({ type: 'JobFailed', detail }, deps, now);

export const recordVideoComposed = (detail: VideoComposed, deps: TableDeps, now = new Date()) =>
  recordTerminalOutcome({ type: 'VideoComposed', detail }, deps, now);

function outcomeWrites(
  table: string,
  job: ApiJob,
  event: TerminalEvent,
  outcome: JobOutcome,
  key: string,
  now: Date,
) {
  const refund = outcome !== 'COMPLETED';
  const values: Record<string, unknown> = { ':outcome': outcome, ':key': key, ':now': now.toISOString() };
  const sets = ['outcome = :outcome', 'outcomeKey = :key', 'endedAt = if_not_exists(endedAt, :now)'];
  const removes: string[] = [];
  const release = releaseItems(table, job);
  if (release.length > 0) {
    sets.push('admission = :released');
    values[':released'] = 'RELEASED';
  }
  if (job.endedAt) sets.push('overturnedAt = :now');
  if (event.type === 'JobFailed') {
    const { stage, code, reason } = event.detail;
    values[':failure'] = { stage, code, reason };
    sets.push('failure = :failure');
    removes.push('recoveredFailure');
  } else if (job.failure) {
    sets.push('recoveredFailure = failure');
    removes.push('failure');
  }
  /** +units takes the refunded units again; -units gives them back. */
  let quotaChange = 0;
  if (refund && !job.refundedAt) {
    quotaChange = -job.quotaUnits;
    sets.push('refundedAt = :now');
  } else if (!refund && job.refundedAt) {
    quotaChange = job.quotaUnits;
    removes.push('refundedAt');
  }
  // Conditional on the outcome read (none, one recorded before outcome keys existed, or its key).
  const condition = job.outcomeKey
    ? { ConditionExpression: 'outcomeKey = :seen', seen: { ':seen': job.outcomeKey } }
    : job.endedAt
      ? {
          ConditionExpression: 'attribute_not_exists(outcomeKey) AND endedAt = :seen',
          seen: { ':seen': job.endedAt },
        }
      : job.admission
        ? {
            // A queued job may start meanwhile: what it holds is what this write gives back.
            ConditionExpression:
              'attribute_exists(pk) AND attribute_not_exists(endedAt) AND admission = :admission',
            seen: { ':admission': job.admission },
          }
        : { ConditionExpression: 'attribute_exists(pk) AND attribute_not_exists(endedAt)', seen: {} };
  return [
    {
      Update: {
        TableName: table,
        Key: { pk: apiJobPk(job.jobId), sk: API_JOB_SK },
        UpdateExpression: `SET ${sets.join(', ')}${removes.length ? ` REMOVE ${removes.join(', ')}` : ''}`,
        ConditionExpression: condition.ConditionExpression,
        ExpressionAttributeValues: { ...values, ...condition.seen },
      },
    },
    {
      Update: {
        TableName: table,
        Key: { pk: userPk(job.userId), sk: jobIndexSk(job.jobId) },
        UpdateExpression: 'SET outcome = :outcome REMOVE queued',
        ExpressionAttributeValues: { ':outcome': outcome },
      },
    },
    ...(quotaChange === 0
      ? []
      : [
          {
            Update: {
              TableName: table,
              Key: { pk: userPk(job.userId), sk: quotaSk(job.quotaDay) },
              UpdateExpression: 'ADD used :units',
              ExpressionAttributeValues: { ':units': quotaChange },
            },
          },
        ]),
    ...release,
  ];
}

/**
 * The claim of an outcome recorded before outcome keys existed, rebuilt from what the job kept: a dead
 * letter stays provisional (a redrive still completes the job); the event time is not kept, so the
 * time it was recorded stands for it.
 */
function keyOfEndedWithoutKey(job: ApiJob): string | undefined {
  if (!job.endedAt || !job.outcome) return undefined;
  const meta = { userId: job.userId, correlationId: job.correlationId, occurredAt: job.endedAt };
  if (job.outcome === 'COMPLETED') return terminalClaim({ type: 'VideoComposed', detail: { meta } }).key;
  const failure = job.failure ?? { stage: 'cancel', code: 'CANCELLED' };
  return terminalClaim({
    type: 'JobFailed',
    detail: {
      meta,
      stage: failure.stage as JobFailed['stage'],
      code: failure.code,
      retryable: failure.code === DEAD_LETTER_CODE,
    },
  }).key;
}
