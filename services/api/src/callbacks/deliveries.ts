import { ConditionalCheckFailedException } from '@aws-sdk/client-dynamodb';
import { SendMessageCommand, type SQSClient } from '@aws-sdk/client-sqs';
import { GetCommand, PutCommand, UpdateCommand } from '@aws-sdk/lib-dynamodb';
import { z } from 'zod';
import type { TableDeps } from '../jobs/create-job';
import { apiJobPk, deliverySk } from '../table/api-table';
import { readCallbackRegistration } from './register-callback';

export const CALLBACK_EVENTS = ['job.completed', 'job.failed'] as const;
export type CallbackEvent = (typeof CALLBACK_EVENTS)[number];

/** The message on the callbacks queue: which delivery to attempt, and which attempt it is. */
export const deliveryMessageSchema = z.strictObject({
  jobId: z.string().min(1),
  event: z.enum(CALLBACK_EVENTS),
  attempt: z.number().int().min(1),
});
export type DeliveryMessage = z.infer<typeof deliveryMessageSchema>;

export interface Delivery {
  jobId: string;
  userId: string;
  event: CallbackEvent;
  /** The webhook-id: stable per job and event, so receivers can deduplicate too. */
  webhookId: string;
  url: string;
  payload: string;
  status: 'PENDING' | 'DELIVERED' | 'DEAD_LETTERED';
  attempts: number;
  enqueued: boolean;
  lastError?: string;
  deliveredAt?: string;
}

export interface DeliveryDeps extends TableDeps {
  sqs: SQSClient;
  queueUrl: string;
}

/**
 * Records one delivery per job and terminal event (a conditional put keyed by jobId+event) and queues
 * its first attempt. A duplicate or replayed event finds the delivery and queues nothing, unless the
 * first run died before queueing it.
 */
export async function scheduleDelivery(
  job: { jobId: string; userId: string },
  event: CallbackEvent,
  data: Record<string, unknown>,
  deps: DeliveryDeps,
  now = new Date(),
): Promise<'scheduled' | 'duplicate' | 'no-callback'> {
  const registration = await readCallbackRegistration(job.userId, deps);
  if (!registration) return 'no-callback';
  const key = { pk: apiJobPk(job.jobId), sk: deliverySk(event) };
  const delivery: Delivery = {
    jobId: job.jobId,
    userId: job.userId,
    event,
    webhookId: `msg_${job.jobId}_${event}`,
    url: registration.url,
    payload: JSON.stringify({
      type: event,
      timestamp: now.toISOString(),
      data: { jobId: job.jobId, ...data },
    }),
    status: 'PENDING',
    attempts: 0,
    enqueued: false,
  };
  try {
    await deps.doc.send(
      new PutCommand({
        TableName: deps.table,
        Item: { ...key, ...delivery },
        ConditionExpression: 'attribute_not_exists(pk)',
      }),
    );
  } catch (error) {
    if (!(error instanceof ConditionalCheckFailedException)) throw error;
    const existing = await readDelivery(job.jobId, event, deps);
    if (!existing || existing.enqueued || existing.status !== 'PENDING') return 'duplicate';
  }
  await enqueueAttempt({ jobId: job.jobId, event, attempt: 1 }, 0, deps);
  await deps.doc.send(
    new UpdateCommand({
      TableName: deps.table,
      Key: key,
      UpdateExpression: 'SET enqueued = :true',
      ExpressionAttributeValues: { ':true': true },
    }),
  );
  return 'scheduled';
}

export async function enqueueAttempt(
  message: DeliveryMessage,
  delaySec: number,
  deps: DeliveryDeps,
): Promise<void> {
  await deps.sqs.send(
    new SendMessageCommand({
      QueueUrl: deps.queueUrl,
      MessageBody: JSON.stringify(message),
      DelaySeconds: Math.round(delaySec),
    }),
  );
}

export async function readDelivery(
  jobId: string,
  event: CallbackEvent,
  deps: TableDeps,
): Promise<Delivery | undefined> {
  const { Item } = await deps.doc.send(
    new GetCommand({
      TableName: deps.table,
      Key: { pk: apiJobPk(jobId), sk: deliverySk(event) },
      ConsistentRead: true,
    }),
  );
  return Item as Delivery | undefined;
}
