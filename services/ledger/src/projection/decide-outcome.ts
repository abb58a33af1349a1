import { ConditionalCheckFailedException } from '@aws-sdk/client-dynamodb';
import { GetCommand, UpdateCommand } from '@aws-sdk/lib-dynamodb';
import {
  claimWins,
  type JobFailed,
  OutcomeWriteContendedError,
  type TerminalClaim,
  terminalClaim,
} from '@reelay/events';
import { FINISHED_RANK, JOB_SK, type JobStatus, jobPk, STATUS_RANK } from '@reelay/job-records';
import type { Advanced, TableDeps } from './job-item';

const ROUNDS = 4;

/**
 * Makes a terminal event the job's outcome when it wins by the shared rule (libs/events
 * terminal-outcome.ts): the first terminal event decides; a later one replaces it only when its claim
 * sorts lower, whichever order the queue delivered them in. The write is conditional on the outcome it
 * replaces (`outcomeKey`), so a duplicate or replay changes nothing and two racing events cannot both win.
 * Returns the item as it was before, or undefined when the claim lost.
 *
 * COMPLETED over FAILED keeps the failure it replaces as `recoveredFailure`; FAILED over COMPLETED drops
 * `completedAt` (the output stays: the video was made and charged, but the outcome is the failure).
 *
 * The status written is the claim's outcome, except that a winning cancel reads CANCELLED (`status`):
 * a job the user stopped did not fail, and the api, the CLI and the console show the same word.
 */
export async function decideOutcome(
  deps: TableDeps,
  jobId: string,
  claim: TerminalClaim,
  fields: Record<string, unknown>,
  status: Extract<JobStatus, 'COMPLETED' | 'FAILED' | 'CANCELLED'> = claim.outcome,
): Promise<Advanced | undefined> {
  const key = { pk: jobPk(jobId), sk: JOB_SK };
  for (let round = 0; round < ROUNDS; round++) {
    const { Item: current } = await deps.doc.send(
      new GetCommand({ TableName: deps.table, Key: key, ConsistentRead: true }),
    );
    const storedKey = typeof current?.outcomeKey === 'string' ? current.outcomeKey : undefined;
    const currentKey = storedKey ?? keyOfEndedWithoutKey(current);
    if (!claimWins(claim, currentKey)) return undefined;

    const names: Record<string, string> = { '#status': 'status' };
    const values: Record<string, unknown> = {
      ':status': status,
      ':rank': STATUS_RANK[status],
      ':key': claim.key,
    };
    const sets = ['#status = :status', 'statusRank = :rank', 'outcomeKey = :key'];
    for (const [k, v] of Object.entries(fields)) {
      names[`#${k}`] = k;
      values[`:${k}`] = v;
      sets.push(`#${k} = :${k}`);
    }
    const removes = ['openShard', 'openDeadlineAt', 'failureRedrivable'];
    if (claim.outcome === 'COMPLETED') {
      if (current?.failure) sets.push('recoveredFailure = failure');
      removes.push('failure', 'failedAt');
    } else {
      removes.push('completedAt', 'recoveredFailure');
    }
    let condition: string;
    if (storedKey === undefined) {
      // The first outcome, or one recorded before outcome keys existed: nothing decided meanwhile.
      condition =
        'attribute_not_exists(outcomeKey) AND (attribute_not_exists(statusRank) OR statusRank = :seenRank)';
      values[':seenRank'] = current?.statusRank ?? 0;
    } else {
      condition = 'outcomeKey = :seen';
      values[':seen'] = storedKey;
    }
    try {
      const { Attributes } = await deps.doc.send(
        new UpdateCommand({
          TableName: deps.table,
          Key: key,
          UpdateExpression: `SET ${sets.join(', ')} REMOVE ${removes.join(', ')}`,
          ConditionExpression: condition,
          ExpressionAttributeNames: names,
          ExpressionAttributeValues: values,
          ReturnValues: 'ALL_OLD',
        }),
      );
      return { before: Attributes ?? {} };
    } catch (error) {
      if (!(error instanceof ConditionalCheckFailedException)) throw error;
      // Someone decided in between: read again and compare with what they wrote.
    }
  }
  throw new OutcomeWriteContendedError(jobId);
}

/**
 * The claim of an outcome recorded before outcome keys existed, rebuilt from what the item kept (the
 * failure and its time, or the completion time), so such a job follows the rule too.
 */
function keyOfEndedWithoutKey(item: Record<string, unknown> | undefined): string | undefined {
  if (!item || Number(item.statusRank ?? 0) < FINISHED_RANK) return undefined;
  const failure = item.failure as { stage?: string; code?: string } | undefined;
  if (
    (item.status === 'FAILED' || item.status === 'CANCELLED') &&
    failure?.stage &&
    failure.code &&
    typeof item.failedAt === 'string'
  )
    return terminalClaim({
      type: 'JobFailed',
      detail: {
        meta: { userId: '-', correlationId: '-', occurredAt: item.failedAt },
        stage: failure.stage as JobFailed['stage'],
        code: failure.code,
        retryable: item.failureRedrivable === true,
      },
    }).key;
  if (item.status === 'COMPLETED' && typeof item.completedAt === 'string')
    return terminalClaim({
      type: 'VideoComposed',
      detail: { meta: { userId: '-', correlationId: '-', occurredAt: item.completedAt } },
    }).key;
  return '0'; // ended, and nothing to compare with: it keeps its outcome (every claim sorts above '0')
}
