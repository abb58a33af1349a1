import { ConditionalCheckFailedException } from '@aws-sdk/client-dynamodb';
import { GetCommand, UpdateCommand } from '@aws-sdk/lib-dynamodb';
import { claimWins, type TerminalClaim } from '@reelay/events';
import { FINISHED_RANK, JOB_SK, jobPk, STATUS_RANK } from '@reelay/job-records';
import type { Advanced, TableDeps } from './job-item';

/** Another write decided the job's outcome between our read and our write, every time we tried. */
export class OutcomeWriteContendedError extends Error {
  readonly retryable = true;
  constructor(jobId: string) {
    super(`the outcome of job ${jobId} kept changing under us; the queue retries the event`);
    this.name = 'OutcomeWriteContendedError';
  }
}

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
 */
export async function decideOutcome(
  deps: TableDeps,
  jobId: string,
  claim: TerminalClaim,
  fields: Record<string, unknown>,
): Promise<Advanced | undefined> {
  const key = { pk: jobPk(jobId), sk: JOB_SK };
  for (let round = 0; round < ROUNDS; round++) {
    const { Item: current } = await deps.doc.send(
      new GetCommand({ TableName: deps.table, Key: key, ConsistentRead: true }),
    );
    const currentKey = typeof current?.outcomeKey === 'string' ? current.outcomeKey : undefined;
    // A job finished before outcome keys existed keeps its outcome: there is nothing to compare with.
    const finishedWithoutKey = currentKey === undefined && Number(current?.statusRank ?? 0) >= FINISHED_RANK;
    if (finishedWithoutKey || !claimWins(claim, currentKey)) return undefined;

    const names: Record<string, string> = { '#status': 'status' };
    const values: Record<string, unknown> = {
      ':status': claim.outcome,
      ':rank': STATUS_RANK[claim.outcome],
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
    if (currentKey === undefined) {
      condition =
        'attribute_not_exists(outcomeKey) AND (attribute_not_exists(statusRank) OR statusRank < :finished)';
      values[':finished'] = FINISHED_RANK;
    } else {
      condition = 'outcomeKey = :seen';
      values[':seen'] = currentKey;
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
