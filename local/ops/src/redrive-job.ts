import { SendMessageCommand, type SQSClient } from '@aws-sdk/client-sqs';
import { type DynamoDBDocumentClient, QueryCommand, UpdateCommand } from '@aws-sdk/lib-dynamodb';
import { type DeadMessageRecord, jobPk } from '@reelay/job-records';
import { resolveQueue } from './queue-ref';

export interface RedriveJobDeps {
  doc: DynamoDBDocumentClient;
  sqs: SQSClient;
  table: string;
  now?: () => Date;
}

export interface RedriveJobResult {
  jobId: string;
  sent: Array<{ deadLetterQueue: string; redriveTo: string }>;
  skipped: Array<{ deadLetterQueue: string; why: string }>;
}

/**
 * Sends every dead message the ledger kept for a job back to the queue it was meant for (its source
 * queue, or the rule's target queue). Consumers are idempotent on business keys, so a redrive of work
 * that has since succeeded does nothing twice.
 */
export async function redriveJobDeadMessages(jobId: string, deps: RedriveJobDeps): Promise<RedriveJobResult> {
  const { Items = [] } = await deps.doc.send(
    new QueryCommand({
      TableName: deps.table,
      KeyConditionExpression: 'pk = :pk AND begins_with(sk, :dead)',
      ExpressionAttributeValues: { ':pk': jobPk(jobId), ':dead': 'DEAD#' },
      ConsistentRead: true,
    }),
  );
  const result: RedriveJobResult = { jobId, sent: [], skipped: [] };
  for (const item of Items) {
    const dead = item as DeadMessageRecord & { pk: string; sk: string };
    if (!dead.redriveTo) {
      result.skipped.push({ deadLetterQueue: dead.deadLetterQueue, why: 'it names no queue to go back to' });
      continue;
    }
    if (dead.truncated) {
      result.skipped.push({ deadLetterQueue: dead.deadLetterQueue, why: 'it was truncated when kept' });
      continue;
    }
    const target = await resolveQueue(deps.sqs, dead.redriveTo);
    await deps.sqs.send(new SendMessageCommand({ QueueUrl: target.url, MessageBody: dead.body }));
    await deps.doc.send(
      new UpdateCommand({
        TableName: deps.table,
        Key: { pk: dead.pk, sk: dead.sk },
        UpdateExpression: 'SET redrivenAt = :now ADD redrives :one',
        ExpressionAttributeValues: { ':now': (deps.now?.() ?? new Date()).toISOString(), ':one': 1 },
      }),
    );
    result.sent.push({ deadLetterQueue: dead.deadLetterQueue, redriveTo: dead.redriveTo });
  }
  return result;
}
