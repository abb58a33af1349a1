import { createHash } from 'node:crypto';
import { ConditionalCheckFailedException } from '@aws-sdk/client-dynamodb';
import { PutCommand } from '@aws-sdk/lib-dynamodb';
import { deadMessageSk, jobPk } from '@reelay/job-records';
import { keptDeadMessageSchema } from '@reelay/lambda';
import type { TableDeps } from './job-item';

/**
 * Keeps a dead message on its job's record (DEAD#<queue>#<body hash>), once however often its
 * JobFailed arrives, with where to send it back: `npm run redrive -- --job <jobId>` reads it there.
 */
export async function keepDeadMessage(
  deps: TableDeps,
  jobId: string,
  stage: string,
  deadMessage: string,
  deadAt: string,
): Promise<void> {
  const parsed = parseKept(deadMessage);
  const hash = createHash('sha256').update(parsed.body).digest('hex').slice(0, 24);
  try {
    await deps.doc.send(
      new PutCommand({
        TableName: deps.table,
        Item: {
          pk: jobPk(jobId),
          sk: deadMessageSk(parsed.deadLetterQueue, hash),
          ...parsed,
          stage,
          deadAt,
        },
        ConditionExpression: 'attribute_not_exists(pk)',
      }),
    );
  } catch (error) {
    if (!(error instanceof ConditionalCheckFailedException)) throw error; // kept before
  }
}

/** A deadMessage not written by libs/lambda's dead-letter handler is kept as it is, with no redrive target. */
function parseKept(deadMessage: string) {
  try {
    const kept = keptDeadMessageSchema.safeParse(JSON.parse(deadMessage));
    if (kept.success) return kept.data;
  } catch {
    // not JSON: kept raw below
  }
  return { deadLetterQueue: 'unknown', redriveTo: '', body: deadMessage };
}
